export * from './workers.js';
export * from './start-from-settings.js';

export * from './workers.js';
export * from './start-from-settings.js';
export * from './projections/read-model-projectors.js';

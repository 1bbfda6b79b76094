export * from './command-bus.port.js';
export * from './command-bus.errors.js';

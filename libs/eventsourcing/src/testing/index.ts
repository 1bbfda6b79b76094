export * from './event-store.contract.js';
export * from './event-store.contract-fixtures.js';
export * from './in-memory-event-store.js';
export * from './decider-specification.js';
export * from './in-memory-read-model-store.js';
export * from './read-model-store.contract.js';
export * from './workflow-specification.js';

export * from './event-store.contract.js';
export * from './event-store.contract-fixtures.js';

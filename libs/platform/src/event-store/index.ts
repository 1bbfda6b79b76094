export * from './event-store.port.js';
export * from './event-store.errors.js';
export * from './event-store.factory.js';
export * from './sqlite/sqlite-event-store.js';
export * from './postgres/postgres-event-store.js';
export * from './kurrentdb/kurrentdb-event-store.js';
export * from './read-pages.js';

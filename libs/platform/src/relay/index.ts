export * from './event-relay.js';
export * from './audit-relay.js';
export * from './jetstream-relay.js';
export type * from './relay-source.js';

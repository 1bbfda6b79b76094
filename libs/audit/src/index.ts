export * from './audit-record.js';
export * from './audit-hash.js';
export * from './audit-filter.js';
export * from './replay-schedule.js';
export * from './event-feed-filter.js';
export * from './cloud-event.js';
export * from './token-revocation.js';
export * from './audit-wire.js';

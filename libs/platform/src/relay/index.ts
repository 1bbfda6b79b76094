export * from './event-relay.js';

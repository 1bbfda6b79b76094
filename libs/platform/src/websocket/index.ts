export * from './message-batcher.js';
export * from './stream-pump.js';
export * from './heartbeat.js';
export * from './upgrade-response.js';
export * from './presence-channel.js';

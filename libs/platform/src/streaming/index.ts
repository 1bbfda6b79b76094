export * from './live-feed.js';
export * from './catch-up.js';
export * from './sse.js';
export * from './stream-limits.js';
export * from './accept-encoding.js';
export * from './streaming-compression.middleware.js';

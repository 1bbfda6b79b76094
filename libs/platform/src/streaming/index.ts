export * from './live-feed.js';
export * from './catch-up.js';
export * from './sse.js';

export * from './event-store/index.js';
export * from './command-bus/index.js';
export * from './metrics/metrics.js';
export * from './logging/logger.js';

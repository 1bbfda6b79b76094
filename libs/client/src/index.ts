export * from './cidadao-client.js';
export * from './client-errors.js';
export * from './resumable-stream.js';
export * from './sse-parser.js';
export type * from './wire-types.js';

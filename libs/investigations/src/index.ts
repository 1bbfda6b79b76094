export * from './investigation.events.js';
export * from './investigation.catalog.js';
export * from './investigation.commands.js';
export * from './investigation.state.js';
export * from './investigation.decider.js';
export * from './investigation.progress.js';
export * from './investigation-summary.projection.js';
export * from './investigation-wire.projection.js';

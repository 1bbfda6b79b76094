export * from './command-bus.port.js';
export * from './command-bus.errors.js';
export { InProcessCommandBus, type InProcessCommandBusOptions } from './in-process/in-process-command-bus.js';
export { SqliteCommandJournal, type CommandJournal, type PendingCommand } from './in-process/command-journal.js';
export { JetStreamCommandBus } from './jetstream/jetstream-command-bus.js';
export type { JetStreamCommandBusOptions } from './jetstream/jetstream-options.js';

import { ENTITY_ID } from '#eventsourcing';

export class CommandBusUnavailableError extends Error {
  override readonly name = 'CommandBusUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A command that can never succeed (malformed, refused by the domain): no redelivery. */
export class PermanentCommandError extends Error {
  override readonly name = 'PermanentCommandError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Ids and aggregate names become NATS subject tokens: no dots, spaces or wildcards. */
export function assertSafeToken(kind: string, value: string): void {
  if (!ENTITY_ID.test(value)) {
    throw new TypeError(`${kind} must match ${ENTITY_ID.source}, got ${JSON.stringify(value)}`);
  }
}

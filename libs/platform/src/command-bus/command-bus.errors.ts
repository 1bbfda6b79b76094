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

const SAFE_TOKEN = /^[A-Za-z0-9_-]{1,128}$/;

/** Ids and aggregate names become NATS subject tokens: no dots, spaces or wildcards. */
export function assertSafeToken(kind: string, value: string): void {
  if (!SAFE_TOKEN.test(value)) {
    throw new TypeError(`${kind} must match ${SAFE_TOKEN.source}, got ${JSON.stringify(value)}`);
  }
}

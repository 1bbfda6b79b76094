import { assertSafeToken } from './command-bus.errors.js';
import type { CommandTarget } from './command-bus.port.js';

/**
 * Target and type become NATS subject tokens in the distributed mode; the in-process bus
 * checks them too, so a command that works embedded cannot fail once distributed.
 */
export function assertRoutable(target: CommandTarget, type: string): void {
  assertSafeToken('target aggregate', target.aggregate);
  assertSafeToken('target id', target.id);
  assertSafeToken('command type', type);
}

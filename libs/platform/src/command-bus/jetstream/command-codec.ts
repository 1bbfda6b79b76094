import type { CommandMetadata, CommandTarget, RoutedCommand } from '../command-bus.port.js';
import { assertRoutable } from '../routing.js';

/**
 * `<prefix>.<aggregate>.<id>.<type>`: one subject per target and type, so the first one is
 * queryable. A type routed to a lane gets the lane's name as a fifth token, so one filter
 * subject tells each lane's consumer apart (servers before 2.10 take one filter per consumer)
 * and commands published before lanes existed stay on the default lane's subjects.
 */
export function commandSubject(prefix: string, target: CommandTarget, type: string, lane?: string): string {
  assertRoutable(target, type);
  const subject = `${prefix}.${target.aggregate}.${target.id}.${type}`;
  return lane === undefined ? subject : `${subject}.${lane}`;
}

/** Every command outside a lane: exactly the four tokens of an unrouted subject. */
export const defaultLaneFilter = (prefix: string): string => `${prefix}.*.*.*`;

export const laneFilter = (prefix: string, lane: string): string => `${prefix}.*.*.*.${lane}`;

export function encodeRoutedCommand(message: RoutedCommand): string {
  return JSON.stringify({ target: message.target, command: message.command });
}

/** The body as sent, or undefined when it is not JSON or not shaped like a RoutedCommand. */
export function decodeRoutedCommand(body: Uint8Array): RoutedCommand | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
  return isRoutedCommand(parsed) ? parsed : undefined;
}

function isRoutedCommand(value: unknown): value is RoutedCommand {
  if (!isRecord(value) || !isRecord(value.target) || !isRecord(value.command)) return false;
  const { target, command } = value;
  return (
    typeof target.aggregate === 'string' &&
    typeof target.id === 'string' &&
    typeof command.type === 'string' &&
    isMetadata(command.metadata)
  );
}

function isMetadata(value: unknown): value is CommandMetadata {
  if (!isRecord(value)) return false;
  const fields: readonly (keyof CommandMetadata)[] = ['commandId', 'correlationId', 'userId', 'issuedAt'];
  return fields.every((field) => typeof value[field] === 'string');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

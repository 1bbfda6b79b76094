import type { CommandMetadata, CommandTarget, RoutedCommand } from '../command-bus.port.js';
import { assertRoutable } from '../routing.js';

/** `<prefix>.<aggregate>.<id>.<type>`: one subject per target and type, so the last one is queryable. */
export function commandSubject(prefix: string, target: CommandTarget, type: string): string {
  assertRoutable(target, type);
  return `${prefix}.${target.aggregate}.${target.id}.${type}`;
}

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

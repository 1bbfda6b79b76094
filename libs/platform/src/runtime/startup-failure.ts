import { InvalidSettingsError } from '../config/settings.js';

interface ListenError {
  readonly code: string;
  readonly syscall: 'listen';
  readonly address?: string;
  readonly port?: number;
}

const isListenError = (error: unknown): error is ListenError =>
  typeof error === 'object' && error !== null && (error as { syscall?: unknown }).syscall === 'listen';

const LISTEN_HINTS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the address is in use: stop the process that holds it, or choose another port',
  EACCES: 'permission denied: ports below 1024 need privileges; choose a port of 1024 or more',
  EADDRNOTAVAIL: 'this machine has no such address: choose another host',
};

/**
 * What a process that could not start prints before it exits 1: a settings error or a port
 * it cannot listen on as one line that says what to change, anything else as it was thrown.
 */
export function startupFailure(error: unknown): unknown {
  if (error instanceof InvalidSettingsError) return error.message;
  if (!isListenError(error)) return error;
  const where = `${error.address ?? ''}:${error.port ?? ''}`;
  const hint = LISTEN_HINTS[error.code] ?? error.code;
  return `cannot listen on ${where}: ${hint} (PORT, HOST, METRICS_PORT)`;
}

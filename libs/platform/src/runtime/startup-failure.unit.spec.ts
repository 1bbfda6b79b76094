import { describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:net';
import { loadSettings } from '../config/settings.js';
import { startupFailure } from './startup-failure.js';

/** The error Node gives a second listener on a port already taken. */
async function listenError(server: Server, port: number): Promise<unknown> {
  const second = createServer();
  try {
    return await new Promise((resolve, reject) => {
      second.once('error', resolve);
      second.listen(port, '127.0.0.1', () => reject(new Error('listened twice')));
    });
  } finally {
    second.close();
    server.close();
  }
}

describe('startupFailure', () => {
  it('says which address is taken and what to change', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    expect(startupFailure(await listenError(taken, port))).toBe(
      `cannot listen on 127.0.0.1:${port}: the address is in use: stop the process that holds it, or choose another port (PORT, HOST, METRICS_PORT)`,
    );
  });

  it('prints a settings error as its message, and anything else as it was thrown', () => {
    let invalid: unknown;
    try {
      loadSettings({ PORT: 'eighty' });
    } catch (error) {
      invalid = error;
    }
    expect(startupFailure(invalid)).toBe('invalid settings:\n  PORT: must be a number');
    const other = new Error('boom');
    expect(startupFailure(other)).toBe(other);
  });
});

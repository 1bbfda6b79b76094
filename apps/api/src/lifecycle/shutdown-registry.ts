import { Injectable } from '@nestjs/common';
import type { Logger } from '#platform';

/** WebSocket close code for a graceful shutdown (seed document): clients reconnect at once. */
export const WS_CLOSE_SERVICE_RESTART = 1012;

export type ShutdownHook = () => Promise<void> | void;

/**
 * What must be told the process is going away before it drains: WebSocket and Socket.IO
 * gateways register a hook that closes their sockets with 1012, so clients reconnect to
 * another process and resume instead of waiting on a dead one.
 */
@Injectable()
export class ShutdownRegistry {
  private readonly hooks = new Map<string, ShutdownHook>();
  private started = false;

  /** Registers `hook` under `name` (one per name); returns the unregister. */
  register(name: string, hook: ShutdownHook): () => void {
    this.hooks.set(name, hook);
    return () => {
      if (this.hooks.get(name) === hook) this.hooks.delete(name);
    };
  }

  /** True once shutdown began: gateways refuse new connections from then on. */
  get stopping(): boolean {
    return this.started;
  }

  /** Runs every hook once, concurrently; a failing hook is logged and does not stop the others. */
  async run(logger: Logger): Promise<void> {
    if (this.started) return;
    this.started = true;
    await Promise.all(
      [...this.hooks].map(async ([name, hook]) => {
        try {
          await hook();
        } catch (error) {
          logger.error({ err: error, hook: name }, 'shutdown hook failed');
        }
      }),
    );
  }
}

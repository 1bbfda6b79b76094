import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../../logging/logger.js';

/**
 * Follows the connection's status so callers can fail fast while it is down: the client
 * would otherwise buffer a publish and only give up at its timeout, and the API wants to
 * answer 503 at once.
 */
export class ConnectionWatch {
  private connected = true;
  readonly done: Promise<void>;

  constructor(
    nc: NatsConnection,
    private readonly logger: Logger,
  ) {
    this.done = this.follow(nc);
  }

  get isConnected(): boolean {
    return this.connected;
  }

  private async follow(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        this.connected = false;
        this.logger.warn({ server: status.server }, 'NATS connection lost, reconnecting');
      } else if (status.type === 'reconnect') {
        this.connected = true;
        this.logger.info({ server: status.server }, 'NATS connection restored');
      } else if (status.type === 'close') {
        this.connected = false;
      }
    }
  }
}

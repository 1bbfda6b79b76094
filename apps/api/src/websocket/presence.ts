import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { inProcessPresence, natsPresence, type PresenceChannel, type PresenceSignal, type Runtime } from '#platform';
import { RUNTIME } from '../tokens.js';

/**
 * The process's presence channel (typing indicators): core NATS in distributed mode, so
 * participants on different API processes see each other, in-process otherwise.
 */
@Injectable()
export class Presence implements PresenceChannel, OnModuleInit, OnApplicationShutdown {
  private channel: PresenceChannel = inProcessPresence();

  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  get kind(): PresenceChannel['kind'] {
    return this.channel.kind;
  }

  async onModuleInit(): Promise<void> {
    const { settings, logger } = this.runtime;
    if (!settings.NATS_URL || !settings.ENABLE_WEBSOCKET) return;
    await this.channel.close();
    this.channel = await natsPresence(
      settings.NATS_URL,
      settings.NATS_COMMANDS_SUBJECT,
      logger.child({ component: 'presence' }),
    );
  }

  publish(signal: PresenceSignal): void {
    this.channel.publish(signal);
  }

  signals(room: string): Observable<PresenceSignal> {
    return this.channel.signals(room);
  }

  close(): Promise<void> {
    return this.channel.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.channel.close();
  }
}

import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Observable } from 'rxjs';
import {
  inProcessPresence,
  natsPresence,
  type BusSettings,
  type Logger,
  type PresenceChannel,
  type PresenceSignal,
  type WebSocketSettings,
} from '#platform';
import { LOGGER, SETTINGS } from '../tokens.js';
import type { Peer } from './peer.js';
import { TypingRoom } from './typing-room.js';

/**
 * The process's presence channel (typing indicators): core NATS in distributed mode, so
 * participants on different API processes see each other, in-process otherwise.
 */
@Injectable()
export class Presence implements PresenceChannel, OnModuleInit, OnApplicationShutdown {
  private channel: PresenceChannel = inProcessPresence();
  private readonly rooms = new Map<string, TypingRoom>();

  constructor(
    @Inject(SETTINGS.bus) private readonly bus: BusSettings,
    @Inject(SETTINGS.websocket) private readonly websocket: WebSocketSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  get kind(): PresenceChannel['kind'] {
    return this.channel.kind;
  }

  async onModuleInit(): Promise<void> {
    const { natsUrl, commands } = this.bus;
    if (!natsUrl || !this.websocket.enabled) return;
    await this.channel.close();
    this.channel = await natsPresence(natsUrl, commands.subject, this.logger.child({ component: 'presence' }));
  }

  publish(signal: PresenceSignal): void {
    this.channel.publish(signal);
  }

  signals(room: string): Observable<PresenceSignal> {
    return this.channel.signals(room);
  }

  /** Others' typing in `room` to `peer`, on the room's one subscription in this process; returns the leave. */
  follow(room: string, peer: Peer): () => void {
    let typing = this.rooms.get(room);
    if (!typing || typing.isClosed) {
      const created: TypingRoom = new TypingRoom(this.channel.signals(room), () => {
        if (this.rooms.get(room) === created) this.rooms.delete(room);
      });
      if (!created.isClosed) this.rooms.set(room, created);
      typing = created;
    }
    return typing.add(peer);
  }

  close(): Promise<void> {
    return this.channel.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.channel.close();
  }
}

import { Inject, Injectable } from '@nestjs/common';
import type { ChatSettings, Runtime } from '#platform';
import { ChatService } from '../chat/chat.service.js';
import { RateLimiter } from '../limits/rate-limiter.js';
import { RUNTIME, SETTINGS } from '../tokens.js';
import type { ChatDeps } from './chat-participant.js';
import { ChatWsHubs } from './chat-ws.projection.js';
import { Presence } from './presence.js';

/** What a chat participant needs, the same on every transport. */
@Injectable()
export class ChatParticipantDeps {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Pick<Runtime, 'logger' | 'metrics'>,
    @Inject(SETTINGS.chat) private readonly chatSettings: ChatSettings,
    private readonly chat: ChatService,
    private readonly chatWs: ChatWsHubs,
    private readonly presence: Presence,
    private readonly limiter: RateLimiter,
  ) {}

  /** Each chat message costs model calls: it counts against the address's budget, as over HTTP. */
  for(ip: string): ChatDeps {
    const { logger, metrics } = this.runtime;
    return {
      chat: this.chat,
      chatWs: this.chatWs,
      presence: this.presence,
      chatSettings: this.chatSettings,
      logger,
      metrics,
      admit: () => this.limiter.spend('ip', ip),
    };
  }
}

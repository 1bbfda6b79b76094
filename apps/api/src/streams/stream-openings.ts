import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { StreamHubs } from '#eventsourcing';
import { chatStreamId } from '#chat';
import { hasPermission, type Permission } from '#platform';
import { AuditRecorder } from '../audit/audit-recorder.js';
import { principalOf } from '../auth/principal-of.js';
import { ChatService } from '../chat/chat.service.js';
import { ApiError } from '../http/api-error.js';
import { isFinalFrame } from '../investigations/investigation-frames.js';
import { InvestigationList } from '../investigations/investigation-list.js';
import { InvestigationsService } from '../investigations/investigations.service.js';
import { FEED_HUB_ID } from '../streaming/stream-hubs.providers.js';
import type { WireFrame } from '../streaming/wire-frame.js';
import { CHAT_HUBS, FEED_HUBS, INVESTIGATION_HUBS } from '../tokens.js';
import type { MuxOpening } from './mux-connection.js';
import { hubSource, positionedSource } from './mux-sources.js';
import { streamKey, type StreamName } from './stream-names.js';

/**
 * Each stream of a multiplexed connection, authorised as its own endpoint authorises it
 * (403 for a role without the permission, 404 for what the caller may not see) and placed
 * after `known`, its position in the client's cursor. A stream the cursor does not name
 * starts where its own endpoint starts without Last-Event-ID: an investigation, a chat
 * session and the event feed from their beginning, the investigations list from now on.
 */
@Injectable()
export class StreamOpenings {
  constructor(
    private readonly investigations: InvestigationsService,
    private readonly list: InvestigationList,
    private readonly chat: ChatService,
    private readonly audit: AuditRecorder,
    @Inject(INVESTIGATION_HUBS) private readonly investigationHubs: StreamHubs<WireFrame>,
    @Inject(CHAT_HUBS) private readonly chatHubs: StreamHubs<WireFrame>,
    @Inject(FEED_HUBS) private readonly feedHubs: StreamHubs<WireFrame>,
  ) {}

  async open(name: StreamName, known: number | undefined, req: Request): Promise<MuxOpening> {
    const principal = principalOf(req);
    const key = streamKey(name);
    switch (name.kind) {
      case 'investigation': {
        await this.require(req, 'investigation:watch', key);
        const after = known ?? 0;
        const watch = await this.investigations.watch(name.id, after, principal);
        const { investigationHubs } = this;
        return { key, after, start: watch && ((outlet) => hubSource(investigationHubs, watch, outlet, isFinalFrame)) };
      }
      case 'chat': {
        // A chat session is read by its owner (or a role with chat:read), as on its own stream: 404 otherwise.
        await this.chat.sessions.openForReading(name.id, { principal, sessionToken: undefined });
        const after = known ?? 0;
        const watch = { streamId: chatStreamId(name.id), after };
        return { key, after, start: (outlet) => hubSource(this.chatHubs, watch, outlet) };
      }
      case 'investigations': {
        await this.require(req, 'investigation:watch', key);
        const after = known ?? (await this.list.position());
        const changesAfter = (from: number) => this.list.changes(principal, from);
        return { key, after, start: (outlet) => positionedSource(changesAfter, after, outlet) };
      }
      case 'events': {
        await this.require(req, 'audit:export', key);
        const after = known ?? 0;
        const watch = { streamId: FEED_HUB_ID, after };
        return { key, after, start: (outlet) => hubSource(this.feedHubs, watch, outlet) };
      }
      default: {
        const unknown: never = name;
        throw new Error(`unknown stream ${JSON.stringify(unknown)}`);
      }
    }
  }

  private async require(req: Request, permission: Permission, key: string): Promise<void> {
    const principal = principalOf(req);
    if (hasPermission(principal, permission)) return;
    await this.audit.accessDenied(req, principal, permission, req.path);
    const roles = principal.roles.length > 0 ? principal.roles.join(', ') : 'no role';
    throw new ApiError(403, 'FORBIDDEN', `stream ${key}: ${permission} is not granted to ${roles}`);
  }
}

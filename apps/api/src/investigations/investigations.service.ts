import { Inject, Injectable } from '@nestjs/common';
import { EMPTY, filter, map, takeWhile, type Observable } from 'rxjs';
import {
  catchUpThenLive,
  decodeWith,
  readTypedPages,
  type HubControl,
  type LiveFeed,
  type Pacing,
  type RecordedEvent,
} from '#eventsourcing';
import {
  INVESTIGATION_SUMMARIES,
  TERMINAL_EVENT_TYPES,
  emptyInvestigationSummary,
  evolveInvestigationSummary,
  investigationEventCatalog,
  investigationStreamId,
  isFinishedStatus,
  toInvestigationWireEvent,
  type InvestigationSummary,
  type InvestigationWireEvent,
  type StartInvestigation,
} from '#investigations';
import { keyedUuid, mayActOn, newId, type Permission, type Principal, type Runtime, type SseMessage } from '#platform';
import type { ContractSettings } from '#platform';
import { ApiError, notFound } from '../http/api-error.js';
import { projectedDocument } from '../read-models/projected-document.js';
import type { HubWatch } from '../streaming/hub-watch.js';
import type { WireFrame } from '../streaming/wire-frame.js';
import { ID_SECRET, LIVE_FEED, RUNTIME, SETTINGS } from '../tokens.js';
import type { StartInvestigationBody } from './start-investigation.dto.js';

export interface Caller {
  readonly userId: string;
  readonly correlationId: string;
  readonly principal: Principal;
}

/** How long a read waits for the projector to reach the stream's head before folding the stream itself. */
export const READ_YOUR_WRITES_MS = 500;

const TARGET = (id: string) => ({ aggregate: 'investigation', id }) as const;
const isFinished = (s: InvestigationSummary): boolean => isFinishedStatus(s.status);

/** Turns requests into commands, and reads investigations back from their streams. */
@Injectable()
export class InvestigationsService {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Pick<Runtime, 'bus' | 'store' | 'readModels'>,
    @Inject(SETTINGS.contracts) private readonly contracts: ContractSettings,
    @Inject(LIVE_FEED) private readonly feed: LiveFeed,
    @Inject(ID_SECRET) private readonly idSecret: string,
  ) {}

  /** Accepted once the bus has the command: 202 never precedes durability. */
  async start(
    body: StartInvestigationBody,
    caller: Caller,
    idempotencyKey?: string,
  ): Promise<{ summary: InvestigationSummary; duplicate: boolean; commandId: string }> {
    if (body.data_source === 'portal_transparencia' && !this.contracts.portalApiKey) {
      throw new ApiError(
        400,
        'DATA_SOURCE_UNAVAILABLE',
        'data_source portal_transparencia needs PORTAL_TRANSPARENCIA_API_KEY on the server',
      );
    }
    // Keyed ids: the same key gives the same investigation on every API process, yet nobody
    // without the server's secret can tell another user's investigation id from their key.
    const investigationId = idempotencyKey
      ? keyedUuid(this.idSecret, 'investigation', caller.userId, idempotencyKey)
      : newId();
    const commandId = idempotencyKey
      ? keyedUuid(this.idSecret, 'start-investigation', caller.userId, idempotencyKey)
      : newId();
    const existing = idempotencyKey ? await this.read(investigationId) : null;
    if (existing && existing.query !== body.query) {
      throw new ApiError(
        409,
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was already used for a different investigation',
      );
    }
    const command: StartInvestigation & {
      metadata: { commandId: string; correlationId: string; userId: string; issuedAt: string };
    } = {
      type: 'StartInvestigation',
      data: {
        investigationId,
        query: body.query,
        dataSource: body.data_source,
        filters: body.filters,
        anomalyTypes: body.anomaly_types,
      },
      metadata: {
        commandId,
        correlationId: caller.correlationId,
        userId: caller.userId,
        issuedAt: new Date().toISOString(),
      },
    };
    const { duplicate } = await this.runtime.bus.send({ target: TARGET(investigationId), command });
    return {
      summary: existing ?? emptyInvestigationSummary(investigationId),
      duplicate: duplicate || existing !== null,
      commandId,
    };
  }

  /**
   * The current read model if the viewer may use `permission` on it. Someone else's
   * investigation is a 404, not a 403, so ids do not leak; so is one with no owner on
   * record, which only a store written by hand can hold.
   */
  async get(
    investigationId: string,
    viewer: Principal,
    permission: Permission = 'investigation:watch',
  ): Promise<InvestigationSummary> {
    const summary = await this.find(investigationId);
    if (summary.user_id === null || !mayActOn(viewer, permission, summary.user_id))
      throw notFound('investigation', investigationId);
    return summary;
  }

  /**
   * The current read model, or 404. While no worker has handled it, only the command
   * exists: the investigation is `queued`, owned by whoever sent that command.
   */
  private async find(investigationId: string): Promise<InvestigationSummary> {
    const summary = await this.read(investigationId);
    if (summary) return summary;
    const queued = await this.runtime.bus.firstAccepted(TARGET(investigationId), 'StartInvestigation');
    if (queued) return { ...emptyInvestigationSummary(investigationId), user_id: queued.command.metadata.userId };
    throw notFound('investigation', investigationId);
  }

  async cancel(investigationId: string, caller: Caller, reason: string): Promise<InvestigationSummary> {
    const summary = await this.get(investigationId, caller.principal, 'investigation:cancel');
    if (isFinished(summary)) {
      throw new ApiError(
        409,
        'INVESTIGATION_FINISHED',
        `investigation ${investigationId} is already ${summary.status}`,
      );
    }
    await this.runtime.bus.send({
      target: TARGET(investigationId),
      command: {
        type: 'CancelInvestigation',
        data: { investigationId, reason },
        metadata: {
          commandId: newId(),
          correlationId: caller.correlationId,
          userId: caller.userId,
          issuedAt: new Date().toISOString(),
        },
      },
    });
    return summary;
  }

  /**
   * The seed's investigation events after `afterRevision`, history then live, ending after
   * the terminal event. Opening after the end of a finished investigation ends at once.
   */
  async events(
    investigationId: string,
    afterRevision: number,
    viewer: Principal,
    pacing?: Pacing,
  ): Promise<Observable<SseMessage>> {
    const { endRevision } = await this.openable(investigationId, viewer);
    if (endRevision !== null && afterRevision >= endRevision) return EMPTY;
    const isEnd = (event: RecordedEvent): boolean => TERMINAL_EVENT_TYPES.has(event.type);
    return catchUpThenLive(this.runtime.store, this.feed, investigationStreamId(investigationId), afterRevision, {
      isEnd,
      ...(pacing ? { pacing } : {}),
    }).pipe(
      decodeWith(investigationEventCatalog),
      // A queued investigation's owner came from its command: the first event must agree.
      takeWhile(
        (event) =>
          event.type !== 'InvestigationStarted' || mayActOn(viewer, 'investigation:watch', event.metadata.userId),
      ),
      map((event) => ({ id: event.revision, data: toInvestigationWireEvent(event) })),
      filter((message): message is { id: number; data: InvestigationWireEvent } => message.data !== null),
    );
  }

  /**
   * Where a viewer's stream of the seed's events starts on the investigation's hub, or null
   * when the viewer already has its end. A queued investigation's owner came from its
   * command, so its first event must agree before anything is sent.
   */
  async watch(investigationId: string, afterRevision: number, viewer: Principal): Promise<HubWatch<WireFrame> | null> {
    const { endRevision, queued } = await this.openable(investigationId, viewer);
    if (endRevision !== null && afterRevision >= endRevision) return null;
    const streamId = investigationStreamId(investigationId);
    if (!queued) return { streamId, after: afterRevision };
    const control: HubControl<WireFrame> = ({ event }) =>
      event.type !== 'InvestigationStarted' || mayActOn(viewer, 'investigation:watch', event.metadata.userId)
        ? 'deliver'
        : 'stop';
    return { streamId, after: afterRevision, control };
  }

  /**
   * What opening a stream needs, read without folding the stream: the owner check of get()
   * on its first event (or on the queued command), and the revision of its terminal event.
   */
  private async openable(
    investigationId: string,
    viewer: Principal,
  ): Promise<{ endRevision: number | null; queued: boolean }> {
    const streamId = investigationStreamId(investigationId);
    const [first] = await this.runtime.store.readStream(streamId, { maxCount: 1 });
    if (!first) {
      await this.get(investigationId, viewer);
      return { endRevision: null, queued: true };
    }
    if (!mayActOn(viewer, 'investigation:watch', first.metadata.userId))
      throw notFound('investigation', investigationId);
    const last = await this.runtime.store.readLastEvent(streamId);
    return { endRevision: last && TERMINAL_EVENT_TYPES.has(last.type) ? last.revision : null, queued: false };
  }

  /**
   * From the summaries read model once it has caught up with the stream; otherwise folded a
   * page at a time: a long investigation costs the summary, not its history.
   */
  private async read(investigationId: string): Promise<InvestigationSummary | null> {
    const projected = await projectedDocument<InvestigationSummary>(this.runtime.readModels, this.runtime.store, {
      projection: INVESTIGATION_SUMMARIES,
      collection: INVESTIGATION_SUMMARIES,
      id: investigationId,
      streamId: investigationStreamId(investigationId),
      revisionOf: (summary) => summary.last_event_id,
      waitMs: READ_YOUR_WRITES_MS,
    });
    if (projected) return projected;
    let doc: InvestigationSummary | null = null;
    const streamId = investigationStreamId(investigationId);
    for await (const event of readTypedPages(this.runtime.store, investigationEventCatalog, streamId)) {
      doc = evolveInvestigationSummary(doc ?? emptyInvestigationSummary(investigationId), event);
    }
    return doc;
  }
}

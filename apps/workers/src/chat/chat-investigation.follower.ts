import { fromEvent, ignoreElements, lastValueFrom, takeUntil, takeWhile, tap, timer } from 'rxjs';
import {
  catchUpThenLive,
  decodeWith,
  type Stored,
  type EventStore,
  type LiveFeed,
  type Causation,
} from '#eventsourcing';
import {
  chunkAnswer,
  estimateTokensOfLength,
  narrateInvestigationEvent,
  type ChatMessageState,
  type FollowChatInvestigation,
} from '#chat';
import {
  TERMINAL_EVENT_TYPES,
  investigationEventCatalog,
  investigationStreamId,
  type InvestigationEvent,
} from '#investigations';
import type { CommandBus, CommandContext } from '#platform';
import { BatchingQueue } from './batching-queue.js';
import { followCommandId } from './chat-investigation.starter.js';
import { messageIn, type ChatStep } from './chat-steps.js';

type InvestigationRecord = Stored<InvestigationEvent>;

export interface FollowerDeps {
  readonly store: EventStore;
  readonly feed: LiveFeed;
  readonly bus: CommandBus;
  readonly clock: () => Date;
  /** How long one hop follows before handing over to the next. */
  readonly windowMs: number;
}

const isAnomaly = (event: InvestigationRecord): boolean => event.type === 'AnomalyDetected';
const START_TIMEOUT_MS = 60_000;

/**
 * Reports an investigation into the chat answer that started it, as its events land.
 * Each told event records its revision, so a redelivered or next hop carries on from
 * there, and a hop racing a redelivered one tells nothing twice.
 */
export class ChatInvestigationFollower {
  constructor(private readonly deps: FollowerDeps) {}

  async follow(
    command: FollowChatInvestigation['data'],
    initial: ChatMessageState,
    step: ChatStep,
    causation: Causation,
    context: CommandContext,
  ): Promise<void> {
    if (initial.status !== 'routed') return;
    const { messageId } = command;
    if (await this.neverStarted(command)) {
      const failure = {
        errorCode: 'INVESTIGATION_NOT_STARTED',
        message: 'A investigação não começou; tente novamente.',
        retryAfterSeconds: 30,
      };
      await step({ type: 'FailResponse', data: { messageId, ...failure } });
      return;
    }
    const { message, ended } = await this.tellWindow(command, initial, step, context);
    if (context.signal.aborted) throw new Error('the worker is stopping; the follow is redelivered');
    if (ended) {
      await step({
        type: 'CompleteResponse',
        data: { messageId, totalTokens: estimateTokensOfLength(message.answerLength), source: 'investigation' },
      });
      return;
    }
    await this.next(command, causation);
  }

  /** Tells the investigation's events for one window, or until it ends. */
  private async tellWindow(
    { investigationId, messageId }: FollowChatInvestigation['data'],
    initial: ChatMessageState,
    step: ChatStep,
    context: CommandContext,
  ): Promise<{ message: ChatMessageState; ended: boolean }> {
    const streamId = investigationStreamId(investigationId);
    let message = initial;
    let ordinal = await this.anomaliesTold(streamId, message.followedRevision);
    let ended = false;
    const queue = new BatchingQueue<InvestigationRecord>(async (events) => {
      ended ||= events.some((e) => TERMINAL_EVENT_TYPES.has(e.type));
      const segments = events.map((e) => ({
        revision: e.revision,
        contents: chunkAnswer(narrateInvestigationEvent(e, investigationId, isAnomaly(e) ? ++ordinal : 0) ?? '', 3),
      }));
      if (segments.every((segment) => segment.contents.length === 0)) return;
      message = messageIn(await step({ type: 'ReportInvestigation', data: { messageId, segments } }), messageId);
    });
    const window$ = catchUpThenLive(this.deps.store, this.deps.feed, streamId, message.followedRevision).pipe(
      decodeWith(investigationEventCatalog),
      takeWhile((event) => !TERMINAL_EVENT_TYPES.has(event.type), true),
      takeUntil(timer(this.deps.windowMs)),
      takeUntil(fromEvent(context.signal, 'abort')),
      tap((event) => queue.push(event)),
      ignoreElements(),
    );
    await lastValueFrom(window$, { defaultValue: undefined });
    await queue.flush();
    return { message, ended };
  }

  /** An investigation with no event after a minute of hops was refused or lost: stop waiting. */
  private async neverStarted({ hop, investigationId }: FollowChatInvestigation['data']): Promise<boolean> {
    if (hop * this.deps.windowMs < START_TIMEOUT_MS) return false;
    return (await this.deps.store.readStream(investigationStreamId(investigationId), { maxCount: 1 })).length === 0;
  }

  /** Anomalies up to `revision`: their numbering decides which are told live. */
  private async anomaliesTold(streamId: string, revision: number): Promise<number> {
    if (revision === 0) return 0;
    const told = await this.deps.store.readStream(streamId, { maxCount: revision });
    return told.filter((e) => e.type === 'AnomalyDetected').length;
  }

  private async next(command: FollowChatInvestigation['data'], causation: Causation): Promise<void> {
    const hop = command.hop + 1;
    const follow: FollowChatInvestigation = { type: 'FollowChatInvestigation', data: { ...command, hop } };
    await this.deps.bus.send({
      target: { aggregate: 'chat', id: command.sessionId },
      command: {
        ...follow,
        metadata: {
          ...causation,
          commandId: followCommandId(command.sessionId, command.messageId, hop),
          issuedAt: this.deps.clock().toISOString(),
        },
      },
    });
  }
}

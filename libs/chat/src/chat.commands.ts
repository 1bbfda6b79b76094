import type { Intent } from './intent/intent.model.js';
import type { ResponseSource } from './chat.events.js';
import type { ChatSessionOwner } from './chat-session.owner.js';

/**
 * Sent by the API over the bus: one user message, answered by a worker. The API has
 * checked that the sender owns the session (`owner`, which a new session records) and
 * passes the sender's roles, so the answer obeys the permissions the routes do.
 */
export interface SendChatMessage {
  readonly type: 'SendChatMessage';
  readonly data: {
    readonly sessionId: string;
    readonly messageId: string;
    readonly content: string;
    readonly agentId?: string;
    readonly owner?: ChatSessionOwner;
    readonly senderRoles?: readonly string[];
  };
}
/**
 * Sent by the workflow that follows an investigation a message started
 * (chat-investigation-following.workflow.ts), one per investigation event worth telling.
 * `after` is the revision its previous report covered: a report or completion that
 * overtakes an earlier one on the bus (whose worker died, say) first tells the events in
 * between from the investigation's stream, so the answer keeps the investigation's order
 * and the late report, when it lands, tells nothing twice. The completion's tokens are
 * estimated from the answer as told.
 */
export type ChatFollowCommand =
  | { readonly type: 'ReportInvestigation'; readonly data: ReportInvestigation['data'] & { readonly after: number } }
  | { readonly type: 'CompleteResponse'; readonly data: { readonly messageId: string; readonly after: number } }
  | { readonly type: 'FailResponse'; readonly data: FailResponse['data'] };
export type ChatBusCommand = SendChatMessage | ChatFollowCommand;

/** Facts the worker reports to the session's actor; the decider records each once. */
export type ReceiveMessage = { readonly type: 'ReceiveMessage'; readonly data: SendChatMessage['data'] };
export type RouteMessage = {
  readonly type: 'RouteMessage';
  readonly data: {
    messageId: string;
    intent: Intent;
    confidence: number;
    agentId: string;
    agentName: string;
    reason: 'requested' | 'intent';
  };
};
export type LinkInvestigation = {
  readonly type: 'LinkInvestigation';
  readonly data: { messageId: string; investigationId: string };
};
/** Pieces `firstSeq`, `firstSeq + 1`…; pieces already recorded are skipped, so a replay appends only the rest. */
export type RecordChunks = {
  readonly type: 'RecordChunks';
  readonly data: { messageId: string; firstSeq: number; contents: readonly string[] };
};
/**
 * What an investigation did, event by event (`revision` in its stream). Events already
 * reported are skipped whole, so two followers racing after a redelivery tell each once.
 */
export type ReportInvestigation = {
  readonly type: 'ReportInvestigation';
  readonly data: {
    messageId: string;
    segments: ReadonlyArray<{ readonly revision: number; readonly contents: readonly string[] }>;
  };
};
/** A whole answer known at once: its pieces from 1 and its completion, recorded together. */
export type RecordAnswer = {
  readonly type: 'RecordAnswer';
  readonly data: { messageId: string; contents: readonly string[]; totalTokens: number; source: ResponseSource };
};
export type CompleteResponse = {
  readonly type: 'CompleteResponse';
  readonly data: { messageId: string; totalTokens: number; source: ResponseSource };
};
export type FailResponse = {
  readonly type: 'FailResponse';
  readonly data: { messageId: string; errorCode: string; message: string; retryAfterSeconds: number | null };
};

/** What the decider accepts; `at` is the caller's clock, so `decide` stays pure. */
export type ChatCommand = (
  | ReceiveMessage
  | RouteMessage
  | LinkInvestigation
  | RecordChunks
  | ReportInvestigation
  | RecordAnswer
  | CompleteResponse
  | FailResponse
) & {
  readonly at: string;
};

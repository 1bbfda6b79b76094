import {
  complete,
  entityIdOf,
  schedule,
  send,
  type Stored,
  type Workflow,
  type WorkflowCommand,
  type WorkflowOutput,
} from '#eventsourcing';
import { readInvestigationEvent, TERMINAL_EVENT_TYPES, type InvestigationEvent } from '#investigations';
import type { ChatFollowCommand, ReportInvestigation } from './chat.commands.js';
import type { InvestigationLinked } from './chat.events.js';
import { readChatEvent } from './chat-event.reader.js';
import { narrateInvestigationEvent } from './compose/investigation-narration.js';
import { chunkAnswer } from './text/answer.chunker.js';

/** How long a linked investigation may stay without its first event before the answer gives up. */
export const INVESTIGATION_START_TIMEOUT_MS = 60_000;

/** The follow's own timer: the investigation should have started by now. */
export interface StartDeadline {
  readonly type: 'StartDeadline';
  readonly data: { readonly investigationId: string };
}

export type ChatFollowInput = Stored<InvestigationLinked> | Stored<InvestigationEvent> | StartDeadline;
export type ChatFollowOutput = WorkflowCommand<ChatFollowCommand['type'], ChatFollowCommand['data']>;

export interface ChatFollowState {
  /** The message whose answer tells the investigation; null until the link is read. */
  readonly link: { readonly sessionId: string; readonly messageId: string } | null;
  readonly started: boolean;
  /** Revision of the last investigation event told: the next report follows it. */
  readonly told: number;
  /** Anomalies so far: their numbering decides which are told live. */
  readonly anomalies: number;
}

type Output = WorkflowOutput<ChatFollowInput, ChatFollowOutput>;
type ReportSegment = ReportInvestigation['data']['segments'][number];

const isLink = (input: ChatFollowInput): input is Stored<InvestigationLinked> => input.type === 'InvestigationLinked';
const isDeadline = (input: ChatFollowInput): input is StartDeadline => input.type === 'StartDeadline';

function readInput(event: Parameters<typeof readChatEvent>[0]): ChatFollowInput | null {
  if (event.type === 'InvestigationLinked') {
    const chat = readChatEvent(event);
    return chat?.type === 'InvestigationLinked' ? chat : null;
  }
  return readInvestigationEvent(event);
}

/**
 * What an investigation event adds to the answer: its text in pieces, none for an event
 * not worth a line. `anomaliesBefore` (anomalies earlier in the stream) numbers an anomaly.
 */
export function tellInvestigationEvent(event: Stored<InvestigationEvent>, anomaliesBefore: number): string[] {
  const ordinal = event.type === 'AnomalyDetected' ? anomaliesBefore + 1 : 0;
  return chunkAnswer(narrateInvestigationEvent(event, entityIdOf(event.streamId), ordinal) ?? '');
}

/** The report of consecutive events of an investigation, told exactly as the workflow tells them one by one. */
export function investigationSegments(
  events: readonly Stored<InvestigationEvent>[],
  anomaliesBefore: number,
): ReportSegment[] {
  let anomalies = anomaliesBefore;
  const segments: ReportSegment[] = [];
  for (const event of events) {
    const contents = tellInvestigationEvent(event, anomalies);
    if (event.type === 'AnomalyDetected') anomalies += 1;
    if (contents.length > 0) segments.push({ revision: event.revision, contents });
  }
  return segments;
}

const narrate = (event: Stored<InvestigationEvent>, state: ChatFollowState): readonly string[] =>
  tellInvestigationEvent(event, state.anomalies);

function evolve(state: ChatFollowState, input: ChatFollowInput): ChatFollowState {
  if (isDeadline(input)) return state;
  if (isLink(input)) {
    if (state.link) return state;
    return { ...state, link: { sessionId: entityIdOf(input.streamId), messageId: input.data.messageId } };
  }
  // An investigation nobody asked about in a chat: nothing to keep.
  if (!state.link) return state;
  return {
    ...state,
    started: true,
    told: narrate(input, state).length > 0 ? input.revision : state.told,
    anomalies: state.anomalies + (input.type === 'AnomalyDetected' ? 1 : 0),
  };
}

function decide(input: ChatFollowInput, state: ChatFollowState): readonly Output[] {
  if (isLink(input)) {
    if (state.link) return [];
    const deadline = new Date(Date.parse(input.data.at) + INVESTIGATION_START_TIMEOUT_MS).toISOString();
    const { investigationId } = input.data;
    return [schedule<ChatFollowInput>({ type: 'StartDeadline', data: { investigationId } }, deadline)];
  }
  const { link } = state;
  if (!link) return [];
  const to = { aggregate: 'chat', id: link.sessionId };
  const { messageId } = link;
  if (isDeadline(input)) {
    if (state.started) return [];
    const failure = {
      errorCode: 'INVESTIGATION_NOT_STARTED',
      message: 'A investigação não começou; tente novamente.',
      retryAfterSeconds: 30,
    };
    return [send({ to, type: 'FailResponse', data: { messageId, ...failure } }), complete()];
  }
  const contents = narrate(input, state);
  const outputs: Output[] = [];
  if (contents.length > 0) {
    const segments = [{ revision: input.revision, contents }];
    outputs.push(send({ to, type: 'ReportInvestigation', data: { messageId, segments, after: state.told } }));
  }
  if (TERMINAL_EVENT_TYPES.has(input.type)) {
    const after = contents.length > 0 ? input.revision : state.told;
    outputs.push(send({ to, type: 'CompleteResponse', data: { messageId, after } }), complete());
  }
  return outputs;
}

/**
 * A chat message that started an investigation tells it as it happens: each event worth
 * a line becomes a report to the session's actor, the terminal event completes the
 * answer, and an investigation with no event a minute after its link fails it.
 */
export const chatInvestigationFollowingWorkflow: Workflow<ChatFollowInput, ChatFollowState, ChatFollowOutput> = {
  name: 'chat-investigation-following',
  read: readInput,
  instanceOf: (input) => (isLink(input) || isDeadline(input) ? input.data.investigationId : entityIdOf(input.streamId)),
  initialState: () => ({ link: null, started: false, told: 0, anomalies: 0 }),
  decide,
  evolve,
};

import { DomainError, assertNever, type Decider } from '#eventsourcing';
import type { ChatCommand, RecordChunks, ReportInvestigation } from './chat.commands.js';
import type { ChatEvent } from './chat.events.js';
import { evolveChat, initialChatState, type ChatMessageState, type ChatState } from './chat.state.js';
import { sameOwner, type ChatSessionOwner } from './chat-session.owner.js';

type Decided = readonly ChatEvent[];
const NOTHING: Decided = [];

function messageOf(state: ChatState, messageId: string): ChatMessageState {
  const message = state.messages[messageId];
  if (!message)
    throw new DomainError('CHAT_MESSAGE_NOT_FOUND', `message ${messageId} was never received in this session`);
  return message;
}

const answering = (message: ChatMessageState): boolean => message.status === 'routed';

/**
 * A session is its creator's: a message sent as anyone else is not recorded in it. The API
 * checks this before sending; here it settles two first messages racing for a new session.
 */
const mayPost = (state: ChatState, sender: ChatSessionOwner | undefined): boolean =>
  state.owner === null || (sender !== undefined && sameOwner(state.owner, sender));

/**
 * Every command is idempotent: a redelivered message, route or chunk already recorded
 * decides nothing, so a worker that resumes after a crash never duplicates the answer.
 */
export function decideChat(command: ChatCommand, state: ChatState): Decided {
  const at = command.at;
  switch (command.type) {
    case 'ReceiveMessage': {
      const d = command.data;
      if (state.messages[d.messageId] || !mayPost(state, d.owner)) return NOTHING;
      const first = state.order.length === 0;
      const received = {
        sessionId: d.sessionId,
        messageId: d.messageId,
        content: d.content,
        requestedAgentId: d.agentId ?? null,
        receivedAt: at,
      };
      return [
        { type: 'MessageReceived', data: first && d.owner ? { ...received, owner: d.owner } : received },
        { type: 'IntentDetectionStarted', data: { messageId: d.messageId, at } },
      ];
    }
    case 'RouteMessage': {
      const d = command.data;
      if (messageOf(state, d.messageId).status !== 'received') return NOTHING;
      return [
        { type: 'IntentDetected', data: { messageId: d.messageId, intent: d.intent, confidence: d.confidence, at } },
        {
          type: 'AgentSelected',
          data: { messageId: d.messageId, agentId: d.agentId, agentName: d.agentName, reason: d.reason, at },
        },
      ];
    }
    case 'LinkInvestigation': {
      const message = messageOf(state, command.data.messageId);
      if (!answering(message) || message.investigationId !== null) return NOTHING;
      return [{ type: 'InvestigationLinked', data: { ...command.data, at } }];
    }
    case 'RecordChunks':
      return decideChunks(command, messageOf(state, command.data.messageId));
    case 'ReportInvestigation':
      return decideReport(command, messageOf(state, command.data.messageId));
    case 'RecordAnswer': {
      const { messageId, contents, totalTokens, source } = command.data;
      const message = messageOf(state, messageId);
      if (!answering(message)) return NOTHING;
      const pieces = decideChunks({ type: 'RecordChunks', data: { messageId, firstSeq: 1, contents }, at }, message);
      return [...pieces, { type: 'ResponseCompleted', data: { messageId, totalTokens, source, at } }];
    }
    case 'CompleteResponse':
      if (!answering(messageOf(state, command.data.messageId))) return NOTHING;
      return [{ type: 'ResponseCompleted', data: { ...command.data, at } }];
    case 'FailResponse': {
      const status = messageOf(state, command.data.messageId).status;
      if (status === 'completed' || status === 'failed') return NOTHING;
      return [{ type: 'ResponseFailed', data: { ...command.data, at } }];
    }
    default:
      return assertNever(command, 'chat command');
  }
}

function decideChunks(command: RecordChunks & { at: string }, message: ChatMessageState): Decided {
  const { messageId, firstSeq, contents } = command.data;
  if (!answering(message)) return NOTHING;
  if (firstSeq > message.chunks + 1) {
    throw new DomainError(
      'CHAT_CHUNK_GAP',
      `chunk ${firstSeq} of message ${messageId} would skip chunk ${message.chunks + 1}`,
    );
  }
  return contents.slice(message.chunks + 1 - firstSeq).map((content, index) => ({
    type: 'ResponseChunkGenerated',
    data: { messageId, seq: message.chunks + 1 + index, content, at: command.at },
  }));
}

/** Each investigation event is told whole or not at all; its last piece records its revision. */
function decideReport(command: ReportInvestigation & { at: string }, message: ChatMessageState): Decided {
  if (!answering(message)) return NOTHING;
  const { messageId, segments } = command.data;
  const events: ChatEvent[] = [];
  let followed = message.followedRevision;
  for (const { revision, contents } of segments) {
    if (revision <= followed || contents.length === 0) continue;
    contents.forEach((content, index) => {
      const data = { messageId, seq: message.chunks + events.length + 1, content, at: command.at };
      events.push({
        type: 'ResponseChunkGenerated',
        data: index === contents.length - 1 ? { ...data, followedRevision: revision } : data,
      });
    });
    followed = revision;
  }
  return events;
}

export const chatDecider: Decider<ChatCommand, ChatEvent, ChatState> = {
  initialState: initialChatState,
  evolve: evolveChat,
  decide: decideChat,
  // A conversation can always take one more message.
  isTerminal: () => false,
};

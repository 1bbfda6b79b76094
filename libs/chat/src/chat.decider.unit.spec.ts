import { describe, expect, it } from '@jest/globals';
import { DomainError, foldEvents } from '#eventsourcing';
import { chatDecider, pendingMessageIds, type ChatCommand, type ChatEvent, type ChatState } from './index.js';

const AT = '2026-01-10T10:00:00.000Z';
const M = 'msg-1';

type Body<T extends ChatCommand['type']> = Omit<Extract<ChatCommand, { type: T }>, 'at'>;
const cmd = <T extends ChatCommand['type']>(c: Body<T>): ChatCommand => ({ ...c, at: AT }) as ChatCommand;

const receive = (messageId = M, agentId?: string) =>
  cmd<'ReceiveMessage'>({
    type: 'ReceiveMessage',
    data: { sessionId: 's-1', messageId, content: 'Olá', ...(agentId ? { agentId } : {}) },
  });
const route = (messageId = M) =>
  cmd<'RouteMessage'>({
    type: 'RouteMessage',
    data: {
      messageId,
      intent: 'greeting',
      confidence: 0.97,
      agentId: 'drummond',
      agentName: 'Carlos Drummond de Andrade',
      reason: 'intent',
    },
  });
const chunks = (firstSeq: number, contents: string[]) =>
  cmd<'RecordChunks'>({ type: 'RecordChunks', data: { messageId: M, firstSeq, contents } });
const complete = cmd<'CompleteResponse'>({
  type: 'CompleteResponse',
  data: { messageId: M, totalTokens: 12, source: 'composer' },
});
const fail = cmd<'FailResponse'>({
  type: 'FailResponse',
  data: { messageId: M, errorCode: 'AGENT_UNAVAILABLE', message: 'fora do ar', retryAfterSeconds: 5 },
});

function given(events: ChatEvent[]): { when: (c: ChatCommand) => readonly ChatEvent[]; state: ChatState } {
  const state = foldEvents(chatDecider, chatDecider.initialState(), events);
  return { state, when: (c) => chatDecider.decide(c, state) };
}

function history(...commands: ChatCommand[]): ChatEvent[] {
  const events: ChatEvent[] = [];
  for (const c of commands) events.push(...given(events).when(c));
  return events;
}

describe('chat decider', () => {
  it('receives a message and starts detecting its intent, once', () => {
    expect(given([]).when(receive(M, 'tiradentes'))).toEqual([
      {
        type: 'MessageReceived',
        data: { sessionId: 's-1', messageId: M, content: 'Olá', requestedAgentId: 'tiradentes', receivedAt: AT },
      },
      { type: 'IntentDetectionStarted', data: { messageId: M, at: AT } },
    ]);
    expect(given(history(receive())).when(receive())).toEqual([]);
  });

  it("records the session's owner on its first message, and no stranger's message after it", () => {
    const ana = { userId: 'ana', tokenHash: null };
    const from = (messageId: string, owner?: { userId: string; tokenHash: string | null }) =>
      cmd<'ReceiveMessage'>({
        type: 'ReceiveMessage',
        data: { sessionId: 's-1', messageId, content: 'Olá', ...(owner ? { owner } : {}) },
      });
    const first = given([]).when(from('m1', ana));
    expect(first[0]).toEqual({
      type: 'MessageReceived',
      data: { sessionId: 's-1', messageId: 'm1', content: 'Olá', requestedAgentId: null, receivedAt: AT, owner: ana },
    });
    const started = history(from('m1', ana));
    expect(given(started).state.owner).toEqual(ana);
    expect(
      given(started)
        .when(from('m2', ana))
        .map((e) => e.type),
    ).toEqual(['MessageReceived', 'IntentDetectionStarted']);
    expect(given(started).when(from('m2', ana))[0]?.data).not.toHaveProperty('owner');
    expect(given(started).when(from('m2', { userId: 'bob', tokenHash: null }))).toEqual([]);
    expect(given(started).when(from('m2', { userId: 'ana', tokenHash: 'ab'.repeat(32) }))).toEqual([]);
    expect(given(started).when(from('m2'))).toEqual([]);
    // A session recorded before owners were takes messages as it always did.
    expect(
      given(history(from('m1')))
        .when(from('m2', { userId: 'bob', tokenHash: null }))
        .map((e) => e.type),
    ).toEqual(['MessageReceived', 'IntentDetectionStarted']);
  });

  it('records the intent then the agent, and ignores a second routing', () => {
    const routed = given(history(receive())).when(route());
    expect(routed.map((e) => e.type)).toEqual(['IntentDetected', 'AgentSelected']);
    expect(routed[0]).toEqual({
      type: 'IntentDetected',
      data: { messageId: M, intent: 'greeting', confidence: 0.97, at: AT },
    });
    expect(given(history(receive(), route())).when(route())).toEqual([]);
  });

  it('numbers answer pieces from 1 and appends only those not yet recorded', () => {
    const h = history(receive(), route(), chunks(1, ['Olá! ', 'Sou ']));
    expect(h.filter((e) => e.type === 'ResponseChunkGenerated').map((e) => e.data)).toEqual([
      { messageId: M, seq: 1, content: 'Olá! ', at: AT },
      { messageId: M, seq: 2, content: 'Sou ', at: AT },
    ]);
    const replay = given(h).when(chunks(1, ['Olá! ', 'Sou ', 'Drummond.']));
    expect(replay).toEqual([
      { type: 'ResponseChunkGenerated', data: { messageId: M, seq: 3, content: 'Drummond.', at: AT } },
    ]);
    expect(given(h).when(chunks(2, ['Sou ']))).toEqual([]);
  });

  it('refuses pieces that would leave a gap', () => {
    const h = history(receive(), route(), chunks(1, ['a ']));
    expect(() => given(h).when(chunks(3, ['c ']))).toThrow(expect.objectContaining({ code: 'CHAT_CHUNK_GAP' }));
  });

  it('tells each investigation event once, whole, recording its revision on its last piece', () => {
    const report = (...segments: Array<[number, string[]]>) =>
      cmd<'ReportInvestigation'>({
        type: 'ReportInvestigation',
        data: { messageId: M, segments: segments.map(([revision, contents]) => ({ revision, contents })) },
      });
    const h = history(
      receive(),
      route(),
      chunks(1, ['Vou investigar. ']),
      report([3, ['- Fase: ', 'coleta\n']], [4, []]),
    );
    expect(h.slice(-2).map((e) => e.data)).toEqual([
      { messageId: M, seq: 2, content: '- Fase: ', at: AT },
      { messageId: M, seq: 3, content: 'coleta\n', followedRevision: 3, at: AT },
    ]);
    expect(given(h).state.messages[M]).toMatchObject({ chunks: 3, followedRevision: 3 });
    // A second follower, batching differently, adds only the events not yet told.
    const racing = given(h).when(report([3, ['- Fase: coleta\n']], [5, ['- Progresso: 10%\n']]));
    expect(racing).toEqual([
      {
        type: 'ResponseChunkGenerated',
        data: { messageId: M, seq: 4, content: '- Progresso: 10%\n', followedRevision: 5, at: AT },
      },
    ]);
  });

  it('does not answer a message before it is routed', () => {
    expect(given(history(receive())).when(chunks(1, ['a ']))).toEqual([]);
    expect(given(history(receive())).when(complete)).toEqual([]);
  });

  it('completes once, then takes no more pieces', () => {
    const h = history(receive(), route(), chunks(1, ['Olá!']), complete);
    expect(h.at(-1)).toEqual({
      type: 'ResponseCompleted',
      data: { messageId: M, totalTokens: 12, source: 'composer', at: AT },
    });
    expect(given(h).when(complete)).toEqual([]);
    expect(given(h).when(chunks(2, ['mais']))).toEqual([]);
    expect(given(h).when(fail)).toEqual([]);
    expect(pendingMessageIds(given(h).state)).toEqual([]);
  });

  it('records a whole answer and its completion in one decision, skipping pieces already recorded', () => {
    const answer = cmd<'RecordAnswer'>({
      type: 'RecordAnswer',
      data: { messageId: M, contents: ['Olá! ', 'Tudo bem?'], totalTokens: 4, source: 'composer' },
    });
    const fresh = given(history(receive(), route())).when(answer);
    expect(fresh.map((e) => [e.type, 'seq' in e.data ? e.data.seq : null])).toEqual([
      ['ResponseChunkGenerated', 1],
      ['ResponseChunkGenerated', 2],
      ['ResponseCompleted', null],
    ]);
    const resumed = given(history(receive(), route(), chunks(1, ['Olá! ']))).when(answer);
    expect(resumed.map((e) => e.type)).toEqual(['ResponseChunkGenerated', 'ResponseCompleted']);
    expect(given(history(receive(), route(), answer)).when(answer)).toEqual([]);
  });

  it('fails an unanswered message once, even before routing', () => {
    expect(given(history(receive())).when(fail)).toEqual([
      {
        type: 'ResponseFailed',
        data: { messageId: M, errorCode: 'AGENT_UNAVAILABLE', message: 'fora do ar', retryAfterSeconds: 5, at: AT },
      },
    ]);
    expect(given(history(receive(), fail)).when(fail)).toEqual([]);
  });

  it('links one investigation per message and remembers the latest for the session', () => {
    const link = (investigationId: string) =>
      cmd<'LinkInvestigation'>({ type: 'LinkInvestigation', data: { messageId: M, investigationId } });
    const h = history(receive(), route(), link('inv-1'));
    expect(h.at(-1)).toEqual({ type: 'InvestigationLinked', data: { messageId: M, investigationId: 'inv-1', at: AT } });
    expect(given(h).when(link('inv-2'))).toEqual([]);
    expect(given(h).state.lastInvestigationId).toBe('inv-1');
  });

  it('refuses facts about a message it never received', () => {
    expect(() => given([]).when(route('ghost'))).toThrow(DomainError);
  });

  it('tracks several messages of one session independently', () => {
    const h = history(receive('a'), receive('b'), route('b'));
    const state = given(h).state;
    expect(state.order).toEqual(['a', 'b']);
    expect(pendingMessageIds(state)).toEqual(['a', 'b']);
    expect(state.messages.b?.status).toBe('routed');
    expect(chatDecider.isTerminal(state)).toBe(false);
  });
});

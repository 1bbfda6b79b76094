import { afterEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { investigationSegments } from '#chat';
import { readTypedStream } from '#eventsourcing';
import { InMemoryEventStore } from '#eventsourcing/testing';
import { investigationEventCatalog, investigationStreamId } from '#investigations';
import type { CommandContext } from '#platform';
import { createInvestigationActors } from '../investigations/investigation.actor.js';
import { createChatActors } from './chat.actor.js';
import { ChatFollowTeller } from './chat-follow.teller.js';
import { chatSteps } from './chat-steps.js';

const clock = () => new Date('2026-03-01T10:00:00.000Z');
const causation = { commandId: randomUUID(), correlationId: 'c', userId: 'ana' };
const context: CommandContext = { deliveryCount: 1, working: () => undefined, signal: new AbortController().signal };
const stores: InMemoryEventStore[] = [];
afterEach(async () => void (await Promise.all(stores.splice(0).map((s) => s.close()))));

/** A chat message that linked a running investigation with a plan and two phases: revisions 1…4. */
async function linkedAnswer() {
  const store = new InMemoryEventStore();
  stores.push(store);
  const [sessionId, messageId, investigationId] = [randomUUID(), randomUUID(), randomUUID()];
  const investigation = createInvestigationActors({ store, clock }).get(investigationId);
  const at = clock().toISOString();
  const start = { investigationId, query: 'saúde', dataSource: 'contracts', filters: {}, anomalyTypes: [] };
  await investigation.handle({ type: 'StartInvestigation', data: start, at, userId: 'ana' }, causation);
  const plan = { detectors: [], rationale: 'olhar preços', filters: {} };
  await investigation.handle({ type: 'RecordPlan', data: plan, at, userId: 'ana' }, causation);
  for (const phase of ['data_retrieval', 'analyzing_contracts'] as const)
    await investigation.handle({ type: 'BeginPhase', data: { phase }, at, userId: 'ana' }, causation);
  const chat = createChatActors({ store, clock }).get(sessionId);
  const step = chatSteps(chat, causation, context, clock);
  await step({ type: 'ReceiveMessage', data: { sessionId, messageId, content: 'investigar saúde' } });
  const route = {
    intent: 'investigate',
    confidence: 1,
    agentId: 'zumbi',
    agentName: 'Zumbi',
    reason: 'intent',
  } as const;
  await step({ type: 'RouteMessage', data: { messageId, ...route } });
  await step({ type: 'LinkInvestigation', data: { messageId, investigationId } });
  const events = await readTypedStream(store, investigationEventCatalog, investigationStreamId(investigationId));
  return { store, chat, step, messageId, events };
}

describe('ChatFollowTeller', () => {
  it('tells the events a report overtook first, and the late report then tells nothing twice', async () => {
    const { store, chat, step, messageId, events } = await linkedAnswer();
    const [first, , , fourth] = investigationSegments(events, 0);
    expect(events.map((e) => e.revision)).toEqual([1, 2, 3, 4]);
    const teller = new ChatFollowTeller(store);
    const report = (segment: typeof first, after: number) =>
      ({ type: 'ReportInvestigation', data: { messageId, after, segments: [segment] } }) as const;
    // The report of revision 4 arrives while those of 1…3 are still on the bus.
    await teller.tell(chat, report(fourth, 3), step);
    const once = (await chat.current()).state.messages[messageId];
    expect(once).toMatchObject({
      followedRevision: 4,
      chunks: investigationSegments(events, 0).flatMap((s) => s.contents).length,
    });
    await teller.tell(chat, report(first, 0), step);
    await teller.tell(chat, { type: 'CompleteResponse', data: { messageId, after: 4 } }, step);
    const done = (await chat.current()).state.messages[messageId];
    expect(done).toMatchObject({ status: 'completed', chunks: once?.chunks, followedRevision: 4 });
  });

  it('completes an answer whose last reports it overtook, after telling them', async () => {
    const { store, chat, step, messageId, events } = await linkedAnswer();
    await new ChatFollowTeller(store).tell(chat, { type: 'CompleteResponse', data: { messageId, after: 4 } }, step);
    const pieces = investigationSegments(events, 0).flatMap((s) => s.contents);
    expect((await chat.current()).state.messages[messageId]).toMatchObject({
      status: 'completed',
      chunks: pieces.length,
      answerLength: pieces.join('').length,
    });
  });
});

import { afterEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { waitUntil } from '../../../../test/support/wait-until.js';
import type { RecordedEvent } from '../event-store/event-store.port.js';
import type { ReadModelStore } from '../projections/read-model.port.js';
import { InMemoryEventStore, InMemoryReadModelStore, newEvent } from '../testing/index.js';
import { complete, schedule, send, type Workflow, type WorkflowCommand, type WorkflowSend } from './workflow.js';
import { WorkflowHost } from './workflow-host.js';
import type { WorkflowInstance } from './workflow-instance.js';

/** Welcomes a member on joining and reminds them at the time the join names, unless they left first. */
type Input = RecordedEvent | { readonly type: 'Remind'; readonly data: { readonly member: string } };
type Output = WorkflowCommand<'Welcome' | 'Remind', { member: string }>;
const memberOf = (input: Input): string =>
  'streamId' in input ? input.streamId.slice('member-'.length) : input.data.member;

const reminders: Workflow<Input, { joined: boolean }, Output> = {
  name: 'reminders',
  read: (event) => (event.streamId.startsWith('member-') ? event : null),
  instanceOf: memberOf,
  initialState: () => ({ joined: false }),
  decide: (input, state) => {
    const member = memberOf(input);
    const to = { aggregate: 'member', id: member };
    switch (input.type) {
      case 'Joined':
        if (state.joined) return [];
        return [
          send({ to, type: 'Welcome', data: { member } }),
          schedule<Input>({ type: 'Remind', data: { member } }, (input.data as { remindAt: string }).remindAt),
        ];
      case 'Remind':
        return [send({ to, type: 'Remind', data: { member } }), complete()];
      case 'Left':
        return [complete()];
      default:
        return [];
    }
  },
  evolve: (state, input) => (input.type === 'Joined' && !state.joined ? { joined: true } : state),
};

/** Records what the host sends; `accepted` is what a bus deduplicating by command id would take. */
class RecordingOutbox {
  readonly sent: WorkflowSend<Output>[] = [];
  readonly accepted = new Map<string, Output>();
  async send(message: WorkflowSend<Output>): Promise<void> {
    this.sent.push(message);
    if (!this.accepted.has(message.key)) this.accepted.set(message.key, message.command);
  }
  commands(): string[] {
    return [...this.accepted.values()].map((c) => `${c.type} ${c.data.member}`);
  }
}

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const stores: InMemoryEventStore[] = [];
const hosts: WorkflowHost<Input, { joined: boolean }, Output>[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.stop()));
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

/** `clock.now` null: the real time. */
function setUp(clockMs: number | null = T0) {
  const store = new InMemoryEventStore();
  stores.push(store);
  const clock: { now: number | null } = { now: clockMs };
  const readModels = new InMemoryReadModelStore();
  const outbox = new RecordingOutbox();
  const host = (models: ReadModelStore = readModels) => {
    const created = new WorkflowHost({
      store,
      readModels: models,
      workflow: reminders,
      outbox,
      clock: () => new Date(clock.now ?? Date.now()),
      retryMs: 5,
    });
    hosts.push(created);
    return created;
  };
  const join = (member: string, remindAt: string) =>
    store.appendToStream(`member-${member}`, [newEvent('Joined', { remindAt })], 'any');
  return { store, clock, readModels, outbox, host, join };
}

describe('WorkflowHost', () => {
  it('sends each input’s commands, and a restarted host resumes from its checkpoint', async () => {
    const { store, readModels, outbox, host, join } = setUp();
    await join('ana', iso(T0 + 60_000));
    await join('bia', iso(T0 + 60_000));
    await store.appendToStream('other-1', [newEvent('Joined', { remindAt: iso(T0) })], 'no_stream');
    expect(await host().catchUp()).toBe(3);
    await join('caio', iso(T0 + 60_000));
    expect(await host().catchUp()).toBe(4);
    expect(outbox.sent.map((m) => `${m.command.type} ${m.command.data.member}`)).toEqual([
      'Welcome ana',
      'Welcome bia',
      'Welcome caio',
    ]);
    expect(await readModels.checkpoint('workflow:reminders')).toMatchObject({ position: 4 });
    expect(await readModels.get('workflow:reminders', 'other-1')).toBeNull();
  });

  it('replays a page whose commit failed with the same keys, so a deduplicating bus takes each command once', async () => {
    const { readModels, outbox, host, join } = setUp();
    let failures = 1;
    const flaky: ReadModelStore = Object.assign(Object.create(readModels) as ReadModelStore, {
      commit: async (move: Parameters<ReadModelStore['commit']>[0]) => {
        if (failures-- > 0) throw new Error('read models away');
        return readModels.commit(move);
      },
    });
    await join('ana', iso(T0 + 60_000));
    await join('bia', iso(T0 + 60_000));
    await expect(host(flaky).catchUp()).rejects.toThrow('read models away');
    expect(await host(flaky).catchUp()).toBe(2);
    expect(outbox.sent).toHaveLength(4);
    expect(outbox.commands()).toEqual(['Welcome ana', 'Welcome bia']);
    expect(await host().catchUp()).toBe(2);
    expect(outbox.sent).toHaveLength(4);
  });

  it('delivers a scheduled input once it is due, and nothing to an instance that completed', async () => {
    const { store, clock, readModels, outbox, host, join } = setUp();
    await join('ana', iso(T0 + 60_000));
    await join('bia', iso(T0 + 60_000));
    await store.appendToStream('member-bia', [newEvent('Left', {})], 1);
    const running = host();
    await running.catchUp();
    clock.now = T0 + 30_000;
    await running.catchUp();
    expect(outbox.commands()).toEqual(['Welcome ana', 'Welcome bia']);
    clock.now = T0 + 61_000;
    await running.catchUp();
    await host().catchUp();
    expect(outbox.commands()).toEqual(['Welcome ana', 'Welcome bia', 'Remind ana']);
    const ana = await readModels.get<WorkflowInstance<unknown, Input>>('workflow:reminders', 'ana');
    expect(ana?.doc).toMatchObject({ completed: true, schedules: [] });
  });

  it('once started, follows the store and fires its schedules on its own timer', async () => {
    const { outbox, host, join } = setUp(null);
    const running = host();
    running.start();
    const member = randomUUID();
    await join(member, iso(Date.now() + 30));
    await waitUntil(
      () => (outbox.commands().includes(`Remind ${member}`) ? true : undefined),
      'the reminder, on the host’s timer',
      5_000,
    );
    expect(outbox.commands()).toEqual([`Welcome ${member}`, `Remind ${member}`]);
  });

  it('picks up the schedules stored before a restart', async () => {
    const { clock, outbox, host, join } = setUp();
    await join('ana', iso(T0 + 60_000));
    await host().catchUp();
    clock.now = T0 + 61_000;
    const restarted = host();
    restarted.start();
    await waitUntil(() => (outbox.commands().includes('Remind ana') ? true : undefined), 'the stored reminder');
  });
});

import type { EventStore } from '../event-store/event-store.port.js';
import type { Projection } from '../projections/projection.js';
import { Projector } from '../projections/projector.js';
import type { DocumentWrite, ReadModelStore } from '../projections/read-model.port.js';
import { WakeLoop, type HostedRunner } from '../projections/wake-loop.js';
import type { Workflow, WorkflowCommand, WorkflowOutbox } from './workflow.js';
import {
  instanceIndex,
  newInstance,
  nextDueOf,
  SCHEDULED,
  stepInstance,
  type Delivery,
  type WorkflowInstance,
} from './workflow-instance.js';

export interface WorkflowHostOptions<Input, State, Output extends WorkflowCommand> {
  readonly store: EventStore;
  /** Where instances and the checkpoint are kept, committed together. */
  readonly readModels: ReadModelStore;
  readonly workflow: Workflow<Input, State, Output>;
  readonly outbox: WorkflowOutbox<Output>;
  readonly clock?: () => Date;
  /** Events read and committed together (default 500). */
  readonly batchSize?: number;
  /** Delay before a failed run (store, read models or bus away) is tried again (default 1 s). */
  readonly retryMs?: number;
  readonly onError?: (error: unknown, workflow: string) => void;
}

/** Instances whose schedules are looked at in one go. */
const PAGE = 100;
/** setTimeout's longest delay; a later schedule is looked at again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs one workflow from the store's global order, the way a projector runs a projection:
 * each page of inputs is decided, its commands handed to the outbox, and only then the
 * instances and the checkpoint committed together. A crash in between replays the page,
 * whose commands carry the same keys, so the bus takes none of them twice. Scheduled
 * inputs wait in their instance, found by due time, and are delivered by this host's
 * timer in the same single loop as the store's inputs.
 */
export class WorkflowHost<Input, State, Output extends WorkflowCommand> implements HostedRunner {
  readonly name: string;
  private readonly collection: string;
  private readonly inputs: Projector<Delivery<Input>>;
  private readonly loop: WakeLoop;
  private readonly clock: () => Date;
  private timer: NodeJS.Timeout | undefined;
  /** The earliest schedule of any instance; undefined until the stored ones were looked at. */
  private nextDue: string | null | undefined;

  constructor(private readonly options: WorkflowHostOptions<Input, State, Output>) {
    this.name = `workflow:${options.workflow.name}`;
    this.collection = this.name;
    this.clock = options.clock ?? (() => new Date());
    this.inputs = new Projector({
      store: options.store,
      readModels: options.readModels,
      projection: this.inputsProjection(),
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    });
    this.loop = new WakeLoop(() => this.run(), {
      retryDelay: () => options.retryMs ?? 1_000,
      onError: (error) => options.onError?.(error, this.name),
      wakeOn: () => options.store.subscribe(),
    });
  }

  /** Follows the store and the schedules until stop(). */
  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await this.loop.stop();
    // The run that was under way may have set the timer again.
    clearTimeout(this.timer);
  }

  /** Takes in every input committed so far and delivers what is due: a host not started, run by hand. */
  async catchUp(): Promise<number> {
    const position = await this.inputs.catchUp();
    await this.deliverDue();
    return position;
  }

  private async run(): Promise<void> {
    await this.inputs.catchUp();
    this.nextDue ??= await this.earliestDue();
    if (this.nextDue !== null && this.nextDue < this.clock().toISOString()) await this.deliverDue();
    this.arm();
  }

  private inputsProjection(): Projection<Delivery<Input>> {
    const { workflow, outbox } = this.options;
    return {
      name: this.name,
      version: 1,
      collections: [this.collection],
      read: (event) => {
        const input = workflow.read(event);
        const instanceId = input === null ? null : workflow.instanceOf(input);
        if (input === null || instanceId === null) return null;
        const { correlationId, userId } = event.metadata;
        return {
          instanceId,
          input,
          key: `${this.name}:${instanceId}:${event.metadata.eventId}`,
          causation: { correlationId, userId },
        };
      },
      handle: async (delivery, context) => {
        const stored = await context.get<WorkflowInstance<State, Input>>(this.collection, delivery.instanceId);
        const step = stepInstance(workflow, stored ?? newInstance(workflow.initialState()), delivery);
        for (const message of step.sends) await outbox.send(message);
        if (!step.changed) return;
        context.put(this.collection, delivery.instanceId, step.instance, instanceIndex(step.instance));
        this.noteDue(nextDueOf(step.instance));
      },
    };
  }

  /** Delivers every scheduled input due by now, committed with the checkpoint left where it is. */
  private async deliverDue(): Promise<void> {
    const { readModels, workflow, outbox } = this.options;
    for (;;) {
      const now = this.clock().toISOString();
      const due = await readModels.list<WorkflowInstance<State, Input>>({
        collection: this.collection,
        status: SCHEDULED,
        until: now,
        limit: PAGE,
      });
      if (due.length === 0) break;
      const position = (await readModels.checkpoint(this.name))?.position ?? 0;
      const writes: DocumentWrite[] = [];
      for (const { id, doc } of due) {
        let instance: WorkflowInstance<State, Input> = { ...doc, schedules: doc.schedules.filter((s) => s.at >= now) };
        const ready = doc.schedules.filter((s) => s.at < now).sort((a, b) => (a.at < b.at ? -1 : 1));
        for (const { input, key, causation } of ready) {
          const step = stepInstance(workflow, instance, { instanceId: id, input, key, causation });
          for (const message of step.sends) await outbox.send(message);
          instance = step.instance;
        }
        writes.push({ collection: this.collection, id, doc: instance, index: instanceIndex(instance), position });
      }
      const move = { projection: this.name, version: 1, from: position, to: position, writes };
      // Refused only when the checkpoint moved meanwhile (another host): the next page reads afresh.
      await readModels.commit(move);
    }
    this.nextDue = await this.earliestDue();
  }

  private async earliestDue(): Promise<string | null> {
    let earliest: string | null = null;
    let after: { sortAt: string; id: string } | undefined;
    for (;;) {
      const page = await this.options.readModels.list({
        collection: this.collection,
        status: SCHEDULED,
        limit: PAGE,
        ...(after ? { after } : {}),
      });
      const last = page.at(-1);
      if (!last) return earliest;
      earliest = last.index.sortAt;
      after = { sortAt: last.index.sortAt ?? '', id: last.id };
    }
  }

  private noteDue(at: string | null): void {
    if (at !== null && this.nextDue !== undefined && (this.nextDue === null || at < this.nextDue)) this.nextDue = at;
  }

  private arm(): void {
    clearTimeout(this.timer);
    if (this.nextDue == null) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, Date.parse(this.nextDue) - this.clock().getTime()) + 1);
    this.timer = setTimeout(() => this.loop.wake(), delay);
  }
}

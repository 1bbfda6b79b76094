import { ConcurrencyGate } from './concurrency-gate.js';
import type { CommandLaneRoute, ConsumeOptions } from './command-bus.port.js';

/** Refuses lanes that name one lane twice or put a command type in two lanes. */
export function assertDistinctLanes(lanes: readonly CommandLaneRoute[]): void {
  const names = new Set<string>();
  const types = new Set<string>();
  for (const lane of lanes) {
    if (names.has(lane.name)) throw new RangeError(`lane ${lane.name} is named twice`);
    names.add(lane.name);
    for (const type of lane.types) {
      if (types.has(type)) throw new RangeError(`command type ${type} is in more than one lane`);
      types.add(type);
    }
  }
}

/** One gate per lane and one for every other command type. */
export class LaneGates {
  private readonly shared: ConcurrencyGate;
  private readonly byType = new Map<string, ConcurrencyGate>();
  readonly all: readonly ConcurrencyGate[];

  constructor(options: ConsumeOptions) {
    assertDistinctLanes(options.lanes ?? []);
    this.shared = new ConcurrencyGate(options.concurrency);
    const gates = [this.shared];
    for (const lane of options.lanes ?? []) {
      const gate = new ConcurrencyGate(lane.concurrency);
      gates.push(gate);
      for (const type of lane.types) this.byType.set(type, gate);
    }
    this.all = gates;
  }

  of(type: string): ConcurrencyGate {
    return this.byType.get(type) ?? this.shared;
  }

  get busy(): number {
    return this.all.reduce((sum, gate) => sum + gate.busy, 0);
  }

  get full(): boolean {
    return this.all.every((gate) => gate.free === 0);
  }

  async whenIdle(): Promise<void> {
    await Promise.all(this.all.map((gate) => gate.whenIdle()));
  }
}

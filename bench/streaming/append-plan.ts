/** What the API side appends in one scenario, and the shapes both processes exchange. */
export interface AppendPlan {
  readonly investigationIds: readonly string[];
  /** Total `ProgressReported` events, spread round-robin over the investigations. */
  readonly events: number;
  readonly ratePerSecond: number;
  /** Revision the first round of events lands on: 2 on fresh streams, more after a warm-up. */
  readonly firstRevision: number;
}

export interface AppendReport {
  /** Monotonic ms (see clock.ts) just before event i was appended. */
  readonly appendedAtMs: Float64Array;
  readonly appendErrors: number;
  /** Highest resident set size of the API process seen while appending. */
  readonly peakRssBytes: number;
  /** CPU time of the API process during the appends, in ms (user + system). */
  readonly cpuMs: number;
  readonly wallMs: number;
}

/** Revision 1 is the `InvestigationStarted` that makes the stream exist. */
export const FIRST_PROGRESS_REVISION = 2;

/** Where event i of the plan goes: which investigation, and the revision it will get. */
export function targetOf(
  index: number,
  plan: Pick<AppendPlan, 'investigationIds' | 'firstRevision'>,
): { readonly stream: number; readonly revision: number } {
  const streams = plan.investigationIds.length;
  return { stream: index % streams, revision: Math.floor(index / streams) + plan.firstRevision };
}

/** The inverse of targetOf: which event of the plan carries this revision of this stream. */
export function indexOf(
  stream: number,
  revision: number,
  plan: Pick<AppendPlan, 'investigationIds' | 'firstRevision'>,
): number {
  return (revision - plan.firstRevision) * plan.investigationIds.length + stream;
}

/** Events that land on stream `stream` under round-robin. */
export function eventsOnStream(stream: number, plan: Pick<AppendPlan, 'events' | 'investigationIds'>): number {
  const streams = plan.investigationIds.length;
  return Math.floor(plan.events / streams) + (stream < plan.events % streams ? 1 : 0);
}

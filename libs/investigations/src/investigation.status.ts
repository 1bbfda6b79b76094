/** What a client is told of an investigation: queued on the bus, running, or one of its ends. */
export const INVESTIGATION_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type InvestigationPublicStatus = (typeof INVESTIGATION_STATUSES)[number];

/** The statuses an investigation never leaves. */
export const FINISHED_STATUSES = ['completed', 'failed', 'cancelled'] as const;
export type FinishedStatus = (typeof FINISHED_STATUSES)[number];

const FINISHED: ReadonlySet<string> = new Set(FINISHED_STATUSES);

/** Whether an investigation with this status is over: the one test of "finished". */
export const isFinishedStatus = (status: string): status is FinishedStatus => FINISHED.has(status);

/** The statuses of an investigation with a recorded event: what its read models hold (queued lives on the bus). */
export const RECORDED_STATUSES = INVESTIGATION_STATUSES.filter(
  (status): status is Exclude<InvestigationPublicStatus, 'queued'> => status !== 'queued',
);

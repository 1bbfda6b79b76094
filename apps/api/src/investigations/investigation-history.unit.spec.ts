import { describe, expect, it } from '@jest/globals';
import { firstValueFrom, toArray, timestamp } from 'rxjs';
import type { RecordedEvent } from '#eventsourcing';
import { recordedEvent } from '#eventsourcing/testing';
import { replayInvestigation } from './investigation-history.js';

const stream = 'investigation-5f0e3b2a-6c1d-4e8f-9a7b-1c2d3e4f5a6b';
const started = recordedEvent(
  stream,
  1,
  'PhaseStarted',
  { phase: 'data_retrieval', previousPhase: null, at: '2026-03-01T10:00:00.000Z' },
  { occurredAt: '2026-03-01T10:00:00.000Z' },
);
const phase = recordedEvent(
  stream,
  2,
  'PhaseStarted',
  { phase: 'anomaly_detection', previousPhase: 'data_retrieval', at: '2026-03-01T10:00:02.000Z' },
  { occurredAt: '2026-03-01T10:00:02.000Z' },
);

/** A history whose first read takes `firstReadMs`, as a cold store's would. */
async function* slowHistory(firstReadMs: number, events: readonly RecordedEvent[]): AsyncIterable<RecordedEvent> {
  await new Promise((resolve) => setTimeout(resolve, firstReadMs));
  yield* events;
}

describe('replayInvestigation', () => {
  it('keeps the original gaps divided by the speed even when the first read is slow', async () => {
    // Two seconds apart at 10×: 200 ms between the two events, however long the first page took.
    const emitted = await firstValueFrom(
      replayInvestigation(() => slowHistory(150, [started, phase]), 10).pipe(timestamp(), toArray()),
    );
    expect(emitted.map(({ value }) => value.id)).toEqual([1, 2]);
    const gap = emitted[1]!.timestamp - emitted[0]!.timestamp;
    expect(gap).toBeGreaterThanOrEqual(195);
  });

  it('keeps the original gaps when the reader takes the first event late', async () => {
    // A reader (or a busy process) that takes the first event 80 ms after it is in hand, then
    // keeps up: the second still comes 200 ms after the first was handed on, not 120.
    let calls = 0;
    const pacing = {
      ready: (): Promise<void> | null => (calls++ === 0 ? new Promise((resolve) => setTimeout(resolve, 80)) : null),
    };
    const emitted = await firstValueFrom(
      replayInvestigation(() => slowHistory(0, [started, phase]), 10, pacing).pipe(timestamp(), toArray()),
    );
    expect(emitted.map(({ value }) => value.id)).toEqual([1, 2]);
    const gap = emitted[1]!.timestamp - emitted[0]!.timestamp;
    expect(gap).toBeGreaterThanOrEqual(195);
  });
});

/**
 * What checking stored events costs on the streaming read path: µs per investigation
 * progress event decoded through its catalog (validation, and the upcast of version 1),
 * against taking the stored event as it is, and for a second subscriber of the same live
 * event (the catalog remembers what it checked). `npm run bench:typed-streams`;
 * TYPED_STREAMS_BENCH_EVENTS changes the 200,000 events per round.
 */
import { randomUUID } from 'node:crypto';
import { SCHEMA_VERSION, type EventMetadata, type RecordedEvent } from '#eventsourcing';
import { investigationEventCatalog } from '#investigations';

const EVENTS = Number(process.env.TYPED_STREAMS_BENCH_EVENTS ?? 200_000);
const ROUNDS = 5;

const metadata = (version: number | null): EventMetadata => ({
  eventId: randomUUID(),
  commandId: randomUUID(),
  correlationId: randomUUID(),
  userId: 'bench',
  occurredAt: new Date().toISOString(),
  ...(version === null ? {} : { [SCHEMA_VERSION]: version }),
});

/** Fresh objects, as a store read parses them from its rows: nothing is remembered between them. */
function progressEvents(version: 1 | 2): RecordedEvent[] {
  return Array.from({ length: EVENTS }, (_, i) => {
    const last = i === EVENTS - 1;
    const data = {
      page: i + 1,
      progress: 50,
      currentPhase: 'analyzing_contracts',
      recordsProcessed: (i + 1) * 100,
      anomaliesDetected: i % 7,
      totalEstimate: null,
      ...(version === 1 ? { lastPage: last } : { sourceExhausted: last }),
      at: new Date().toISOString(),
    };
    return {
      streamId: 'investigation-bench',
      revision: i + 1,
      position: i + 1,
      type: 'ProgressReported',
      data,
      metadata: metadata(version === 1 ? null : 2),
    };
  });
}

/** Best of ROUNDS, in µs per event: the least disturbed by the machine's other work. */
function microsPerEvent(label: string, prepare: () => RecordedEvent[], run: (event: RecordedEvent) => unknown): string {
  let best = Infinity;
  let sink = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const events = prepare();
    const started = process.hrtime.bigint();
    for (const event of events) if (run(event)) sink++;
    const elapsed = Number(process.hrtime.bigint() - started) / 1000;
    best = Math.min(best, elapsed / events.length);
  }
  if (sink === 0) throw new Error('nothing was decoded');
  return `${label.padEnd(58)} ${best.toFixed(3).padStart(8)} µs/event`;
}

const asStored = (event: RecordedEvent) => event;

function main(): void {
  console.log(`typed streams: ProgressReported, ${EVENTS} events per round, best of ${ROUNDS} rounds`);
  console.log(`node ${process.version}, ${process.arch}\n`);
  console.log(
    microsPerEvent('stored event taken as it is (no check; the old cast)', () => progressEvents(2), asStored),
  );
  console.log(
    microsPerEvent(
      'decoded, version 2 (validated)',
      () => progressEvents(2),
      (e) => investigationEventCatalog.decode(e),
    ),
  );
  console.log(
    microsPerEvent(
      'decoded, version 1 (validated, upcast, validated)',
      () => progressEvents(1),
      (e) => investigationEventCatalog.decode(e),
    ),
  );
  // The live feed hands one event to every subscriber in turn: after the first, decoding is a comparison.
  console.log(
    microsPerEvent(
      'same live event, 100 subscribers, per subscriber',
      () =>
        progressEvents(2)
          .slice(0, EVENTS / 100)
          .flatMap((event) => Array.from({ length: 100 }, () => event)),
      (e) => investigationEventCatalog.decode(e),
    ),
  );
}

main();

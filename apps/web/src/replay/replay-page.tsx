import { useEffect, useRef, useState } from 'preact/hooks';
import { can, session } from '../auth/session';
import { t } from '../i18n/pt-BR';
import { InvestigationView, useSummary } from '../investigation/investigation-page';
import { EMPTY_VIEW, evolveView, type InvestigationView as View } from '../investigation/investigation-model';
import { AuditExportButton } from '../ui/audit-export';
import { useFollow } from '../ui/connection';
import { ConnectionIndicator } from '../ui/connection-indicator';
import { useStore } from '../ui/store';
import { EventLog } from './event-log';
import { INSTANT, seekThenPlay, storedEvents, type StoredEvent } from './replay-stream';

const SPEEDS: readonly { value: number; label: string }[] = [
  { value: 1, label: '1×' },
  { value: 10, label: '10×' },
  { value: 100, label: '100×' },
  { value: INSTANT, label: t.replay.instant },
];

interface Run {
  readonly speed: number;
  readonly n: number;
  /** Seek: the state at this event first, then on from it; 0 from the start. */
  readonly from: number;
}

/** For auditors: the investigation replayed as it happened, at a chosen speed, with its raw event log. */
export function ReplayPage({ id }: { id: string }) {
  const current = useStore(session);
  const [speed, setSpeed] = useState(10);
  const [run, setRun] = useState<Run | null>(null);
  const [view, setView] = useState<View>(EMPTY_VIEW);
  const [seen, setSeen] = useState(0);
  const [events, setEvents] = useState<StoredEvent[]>([]);
  const [elapsed, setElapsed] = useState<number | null>(null);
  const [logOpen, setLogOpen] = useState(false);
  /** Where the scrubber is while dragged, before it is let go. */
  const [scrub, setScrub] = useState<number | null>(null);
  const started = useRef(0);
  const viewRef = useRef(view);

  useEffect(() => {
    const abort = new AbortController();
    storedEvents(id, abort.signal).then(setEvents, () => undefined);
    return () => abort.abort();
  }, [id]);

  const onSeeked = (through: number): void => {
    started.current = performance.now();
    viewRef.current = { ...viewRef.current, lastEventId: Math.max(viewRef.current.lastEventId, through) };
    setView(viewRef.current);
  };
  const connection = useFollow(
    run === null
      ? null
      : (options) => {
          // Reset here, once the previous run is stopped: a message it had already read must not
          // land in the new run's view (its id would make the new run's earlier events look seen).
          viewRef.current = EMPTY_VIEW;
          setView(EMPTY_VIEW);
          setSeen(0);
          setElapsed(null);
          return seekThenPlay(id, run.from, run.speed, options, onSeeked);
        },
    ({ id: eventId, message }) => {
      // Timed from the first event, as the original's duration is: connecting is not replaying.
      if (viewRef.current === EMPTY_VIEW) started.current = performance.now();
      viewRef.current = evolveView(viewRef.current, eventId, message);
      setView(viewRef.current);
      setSeen((n) => n + 1);
      if (message.type === 'complete' || message.type === 'cancelled' || message.type === 'error')
        setElapsed((performance.now() - started.current) / 1000);
    },
    [run],
  );
  const summary = useSummary(id, view);
  const play = (from = 0): void => {
    setRun({ speed, n: (run?.n ?? 0) + 1, from });
  };
  const replayed = view.lastEventId;
  const shownThrough = events.filter((e) => e.id <= replayed).length;
  return (
    <>
      <div class="row-between">
        <div>
          <h1>{t.replay.heading}</h1>
          <p class="help">
            <code>{id}</code>
            {can(current, 'audit') && (
              <>
                {' · '}
                <AuditExportButton />
              </>
            )}
          </p>
        </div>
        {run && <ConnectionIndicator connection={connection} />}
      </div>
      <section class="card replay-controls" aria-label={t.replay.speed}>
        <fieldset>
          <legend>{t.replay.speed}</legend>
          {SPEEDS.map((s) => (
            <label class="check">
              <input
                type="radio"
                name="speed"
                value={s.value}
                checked={speed === s.value}
                onChange={() => setSpeed(s.value)}
              />{' '}
              {s.label}
            </label>
          ))}
        </fieldset>
        <button type="button" onClick={() => play()} data-testid="replay-start">
          {run ? t.replay.restart : t.replay.start}
        </button>
        <p data-testid="replay-count" aria-live="off" data-through={replayed}>
          {t.replay.count(shownThrough, events.length)}
          {elapsed !== null && (
            <>
              {' · '}
              <span data-testid="replay-done" data-elapsed={elapsed.toFixed(3)}>
                {t.replay.done} ({t.replay.elapsed(elapsed)})
              </span>
            </>
          )}
        </p>
        <label class="timeline-label">
          {t.replay.seek}
          <input
            type="range"
            min={0}
            max={Math.max(1, events.at(-1)?.id ?? 1)}
            step={1}
            value={scrub ?? replayed}
            disabled={events.length === 0}
            aria-valuetext={t.replay.count(scrub ?? shownThrough, events.length)}
            onInput={(e) => setScrub(Number(e.currentTarget.value))}
            onChange={(e) => {
              setScrub(null);
              play(Number(e.currentTarget.value));
            }}
            class="timeline"
            data-testid="replay-scrubber"
            data-seen={seen}
          />
        </label>
        <button
          type="button"
          class="link"
          aria-expanded={logOpen}
          aria-controls="event-log"
          onClick={() => setLogOpen(!logOpen)}
        >
          {logOpen ? t.replay.logClose : t.replay.logOpen}
        </button>
      </section>
      {logOpen && <EventLog events={events} replayedThrough={replayed} />}
      <InvestigationView id={id} view={view} summary={elapsed === null ? null : summary} />
    </>
  );
}

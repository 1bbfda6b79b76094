import { describe, expect, it } from '@jest/globals';
import { Observable, Subject, filter, from, merge, type Subscriber } from 'rxjs';
import { StreamPump, type PumpItem } from './stream-pump.js';

/** A store of items 1..n plus a live tail, read "after id" as catchUpThenLive does. */
class FakeStream {
  readonly items: PumpItem[] = [];
  readonly live = new Subject<PumpItem>();
  subscriptions = 0;
  append(): void {
    const item = { id: this.items.length + 1 };
    this.items.push(item);
    this.live.next(item);
  }
  after(afterId: number): Observable<PumpItem> {
    return new Observable<PumpItem>((subscriber: Subscriber<PumpItem>) => {
      this.subscriptions++;
      const inner = merge(
        from(this.items.filter((i) => i.id > afterId)),
        this.live.pipe(filter((i) => i.id > afterId)),
      ).subscribe(subscriber);
      return () => {
        this.subscriptions--;
        inner.unsubscribe();
      };
    });
  }
}

function pumpOver(stream: FakeStream, overloaded: () => boolean) {
  const delivered: number[] = [];
  const drained: Array<() => void> = [];
  const ends: Array<number | null> = [];
  const pump = new StreamPump<PumpItem>({
    source: (afterId) => stream.after(afterId),
    deliver: (item) => delivered.push(item.id),
    overloaded,
    whenDrained: (resume) => drained.push(resume),
    onComplete: (last) => ends.push(last?.id ?? null),
    onError: () => ends.push(-1),
  });
  return { pump, delivered, drained, ends };
}

describe('StreamPump', () => {
  it('stops pulling while the transport is over its bound, then reads what it missed from the source', () => {
    const stream = new FakeStream();
    let full = false;
    const { pump, delivered, drained } = pumpOver(stream, () => full);
    stream.append();
    pump.startAfter(0);
    full = true;
    stream.append();
    expect(pump.isPaused).toBe(true);
    expect(stream.subscriptions).toBe(0);
    stream.append();
    stream.append();
    expect(delivered).toEqual([1, 2]);
    full = false;
    drained.splice(0).forEach((resume) => resume());
    stream.append();
    expect(delivered).toEqual([1, 2, 3, 4, 5]);
    expect(stream.subscriptions).toBe(1);
    pump.stop();
    expect(stream.subscriptions).toBe(0);
  });

  it('restarts after the id it is given, dropping the previous source', () => {
    const stream = new FakeStream();
    const { pump, delivered } = pumpOver(stream, () => false);
    for (let i = 0; i < 4; i++) stream.append();
    pump.startAfter(2);
    pump.startAfter(1);
    expect(delivered).toEqual([3, 4, 2, 3, 4]);
    expect(stream.subscriptions).toBe(1);
    pump.stop();
  });

  it('never delivers an id twice, whatever the source sends', () => {
    const source = new Subject<PumpItem>();
    const delivered: number[] = [];
    const pump = new StreamPump<PumpItem>({
      source: () => source,
      deliver: (item) => delivered.push(item.id),
      overloaded: () => false,
      whenDrained: () => undefined,
      onComplete: () => undefined,
      onError: () => undefined,
    });
    pump.startAfter(0);
    for (const id of [1, 2, 2, 1, 3]) source.next({ id });
    expect(delivered).toEqual([1, 2, 3]);
    pump.stop();
  });

  it('reports completion with the last item delivered, and errors, once', () => {
    const source = new Subject<PumpItem>();
    const { pump, ends } = pumpOver(new FakeStream(), () => false);
    const other = new StreamPump<PumpItem>({
      source: () => source,
      deliver: () => undefined,
      overloaded: () => false,
      whenDrained: () => undefined,
      onComplete: (last) => ends.push(last?.id ?? null),
      onError: () => ends.push(-1),
    });
    other.startAfter(0);
    source.next({ id: 7 });
    source.complete();
    const failing = new Subject<PumpItem>();
    const third = new StreamPump<PumpItem>({
      source: () => failing,
      deliver: () => undefined,
      overloaded: () => false,
      whenDrained: () => undefined,
      onComplete: () => ends.push(null),
      onError: () => ends.push(-1),
    });
    third.startAfter(0);
    failing.error(new Error('store down'));
    expect(ends).toEqual([7, -1]);
    pump.stop();
  });
});

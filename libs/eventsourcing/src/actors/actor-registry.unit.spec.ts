import { describe, expect, it } from '@jest/globals';
import { ActorRegistry } from './actor-registry.js';

interface FakeActor {
  readonly id: string;
  readonly generation: number;
  busy: boolean;
}

function registry(capacity: number): { actors: ActorRegistry<FakeActor>; created: string[] } {
  const created: string[] = [];
  const actors = new ActorRegistry<FakeActor>((id) => {
    created.push(id);
    return { id, generation: created.length, busy: false };
  }, capacity);
  return { actors, created };
}

describe('ActorRegistry', () => {
  it('creates an actor once per id and hands the same one back', () => {
    const { actors, created } = registry(10);
    const first = actors.get('a');
    expect(actors.get('a')).toBe(first);
    actors.get('b');
    expect(created).toEqual(['a', 'b']);
    expect(actors.size).toBe(2);
  });

  it('drops the least recently used idle actor beyond its capacity, and rebuilds it on demand', () => {
    const { actors, created } = registry(2);
    const a = actors.get('a');
    actors.get('b');
    actors.get('a'); // a is now more recent than b
    actors.get('c');
    expect(actors.size).toBe(2);
    expect(actors.get('a')).toBe(a);
    expect(created).toEqual(['a', 'b', 'c']);
    const rebuilt = actors.get('b');
    expect(rebuilt.generation).toBe(4);
    expect(created).toEqual(['a', 'b', 'c', 'b']);
  });

  it('never drops a busy actor, even when that leaves it over capacity', () => {
    const { actors, created } = registry(1);
    const a = actors.get('a');
    a.busy = true;
    actors.get('b');
    expect(actors.size).toBe(2);
    expect(actors.get('a')).toBe(a);
    expect(created).toEqual(['a', 'b']);
  });

  it('keeps the actor it just handed out when every other one is busy, so an id never has two', () => {
    const { actors, created } = registry(1);
    actors.get('a').busy = true;
    const b = actors.get('b');
    // Its first command has not reached its mailbox yet: b is still idle.
    expect(actors.get('b')).toBe(b);
    expect(created).toEqual(['a', 'b']);
  });
});

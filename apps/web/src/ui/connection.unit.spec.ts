import { describe, expect, it } from '@jest/globals';
import type { StreamMessage, StreamOptions } from '@cidadao-ai/client';
import { followStream, type Connection } from './connection';

const message = (id: number): StreamMessage<{ n: number }> => ({ id: String(id), message: { n: id } });

/** Resolves once `check` holds, polling the microtask and timer queues. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 1));
}

describe('followStream', () => {
  it('hands on nothing after stop, not even messages the stream had already read', async () => {
    const received: string[] = [];
    let finished = false;
    async function* buffered(): AsyncGenerator<StreamMessage<{ n: number }>> {
      try {
        for (let id = 1; id <= 5; id++) yield message(id); // read ahead: never looks at the signal
      } finally {
        finished = true;
      }
    }
    const stop = followStream(
      () => buffered(),
      (m) => {
        received.push(String(m.id));
        if (m.id === '2') stop();
      },
      () => undefined,
    );
    await until(() => finished);
    expect(received).toEqual(['1', '2']);
  });

  it('says connecting, live, reconnecting with where it resumes, live again, ended', async () => {
    const states: Connection[] = [];
    let done = false;
    async function* dropping(options: StreamOptions): AsyncGenerator<StreamMessage<{ n: number }>> {
      yield message(1);
      options.onReconnect?.({ attempt: 1, lastEventId: '1', cause: new Error('socket hang up'), delayMs: 10 });
      yield message(2);
      done = true;
    }
    followStream(
      dropping,
      () => undefined,
      (state) => states.push(state),
    );
    await until(() => done && states.at(-1)?.kind === 'ended');
    expect(states).toEqual([
      { kind: 'connecting' },
      { kind: 'live', resumedAfter: null },
      { kind: 'reconnecting', attempt: 1, lastEventId: '1', cause: 'socket hang up' },
      { kind: 'live', resumedAfter: '1' },
      { kind: 'ended', resumedAfter: '1' },
    ]);
  });

  it('says failed with the reason when the stream gives up, and nothing once stopped', async () => {
    const states: Connection[] = [];
    async function* failing(): AsyncGenerator<StreamMessage<{ n: number }>> {
      yield message(1);
      throw new Error('401 TOKEN_EXPIRED');
    }
    followStream(
      failing,
      () => undefined,
      (state) => states.push(state),
    );
    await until(() => states.at(-1)?.kind === 'failed');
    expect(states.at(-1)).toEqual({ kind: 'failed', message: '401 TOKEN_EXPIRED' });

    const afterStop: Connection[] = [];
    const stop = followStream(
      failing,
      () => stop(),
      (state) => afterStop.push(state),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(afterStop.map((state) => state.kind)).toEqual(['connecting', 'live']);
  });
});

import { describe, expect, it } from '@jest/globals';
import { Mailbox } from './mailbox.js';

/** A promise the test settles by hand. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** Lets every queued promise callback run: the mailbox never waits on anything else here. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Mailbox', () => {
  it('runs one item at a time, in the order posted, however long each takes', async () => {
    const mailbox = new Mailbox();
    const log: string[] = [];
    const gates = [deferred(), deferred(), deferred()];
    const runs = gates.map((gate, index) =>
      mailbox.post(async () => {
        log.push(`start ${index}`);
        await gate.promise;
        log.push(`end ${index}`);
        return index;
      }),
    );
    await settle();
    expect(log).toEqual(['start 0']);
    gates[2]?.resolve();
    gates[1]?.resolve();
    await settle();
    expect(log).toEqual(['start 0']);
    gates[0]?.resolve();
    await expect(Promise.all(runs)).resolves.toEqual([0, 1, 2]);
    expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('rejects only the failing submission; the next item still runs', async () => {
    const mailbox = new Mailbox();
    const failing = mailbox.post(async () => {
      throw new Error('refused');
    });
    const throwingAtOnce = mailbox.post((): Promise<never> => {
      throw new Error('thrown before any await');
    });
    const next = mailbox.post(async () => 'ran');
    await expect(failing).rejects.toThrow('refused');
    await expect(throwingAtOnce).rejects.toThrow('thrown before any await');
    await expect(next).resolves.toBe('ran');
  });

  it('counts what is queued or running, and is empty once everything settled', async () => {
    const mailbox = new Mailbox();
    const gate = deferred();
    const first = mailbox.post(() => gate.promise);
    const second = mailbox.post(async () => {
      throw new Error('refused');
    });
    expect(mailbox.size).toBe(2);
    gate.resolve();
    await first;
    await expect(second).rejects.toThrow('refused');
    expect(mailbox.size).toBe(0);
  });
});

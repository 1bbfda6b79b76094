import { describe, expect, it } from '@jest/globals';
import { StreamAdmission, type Admission, type StreamHolder } from './stream-admission.js';

const quota = { capacity: 6, perAddress: 3, perUser: 2, anonymous: 3 };
const anonymousAt = (address: string): StreamHolder => ({ address, userId: null });
const user = (userId: string, address = '10.0.0.9'): StreamHolder => ({ address, userId });
const released = (admission: Admission): (() => void) => {
  if (!admission.ok) throw new Error(`refused: ${admission.refusal}`);
  return admission.release;
};

describe('StreamAdmission', () => {
  it('stops one address at its quota while other addresses still get in', () => {
    const admission = new StreamAdmission({ ...quota, anonymous: 6 });
    for (let i = 0; i < 3; i++) released(admission.tryAcquire(anonymousAt('1.1.1.1')));
    expect(admission.tryAcquire(anonymousAt('1.1.1.1'))).toEqual({ ok: false, refusal: 'address', limit: 3 });
    expect(admission.tryAcquire(anonymousAt('2.2.2.2')).ok).toBe(true);
  });

  it('keeps the capacity above the anonymous share for callers with a token', () => {
    const admission = new StreamAdmission(quota);
    for (const address of ['1.1.1.1', '2.2.2.2', '3.3.3.3']) released(admission.tryAcquire(anonymousAt(address)));
    expect(admission.tryAcquire(anonymousAt('4.4.4.4'))).toEqual({ ok: false, refusal: 'anonymous', limit: 3 });
    released(admission.tryAcquire(user('ana', '5.5.5.5')));
    released(admission.tryAcquire(user('bob', '6.6.6.6')));
    released(admission.tryAcquire(user('carla', '7.7.7.7')));
    expect(admission.active).toBe(6);
    expect(admission.tryAcquire(user('dora', '8.8.8.8'))).toEqual({ ok: false, refusal: 'capacity', limit: 6 });
  });

  it('bounds each user wherever they connect from', () => {
    const admission = new StreamAdmission(quota);
    released(admission.tryAcquire(user('ana', '1.1.1.1')));
    released(admission.tryAcquire(user('ana', '2.2.2.2')));
    expect(admission.tryAcquire(user('ana', '3.3.3.3'))).toEqual({ ok: false, refusal: 'user', limit: 2 });
  });

  it('frees every count once, however often a release is called', () => {
    const admission = new StreamAdmission(quota);
    const release = released(admission.tryAcquire(user('ana', '1.1.1.1')));
    released(admission.tryAcquire(user('ana', '1.1.1.1')));
    release();
    release();
    expect(admission.active).toBe(1);
    expect(admission.tryAcquire(user('ana', '1.1.1.1')).ok).toBe(true);
    expect(admission.tryAcquire(user('ana', '1.1.1.1'))).toMatchObject({ ok: false, refusal: 'user' });
  });
});

import { describe, expect, it } from '@jest/globals';
import { TestScheduler } from 'rxjs/testing';
import { withStreamLimits } from './stream-limits.js';

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('withStreamLimits', () => {
  it('completes a stream that stays quiet for the idle timeout, counting from the last event', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('a 1500ms b 3000ms c|');
      expectObservable(source.pipe(withStreamLimits({ idleSeconds: 2, maxSeconds: 0 }))).toBe('a 1500ms b 1999ms |');
    });
  });

  it('completes a busy stream at its maximum duration', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('a 999ms b 999ms c 999ms d|');
      expectObservable(source.pipe(withStreamLimits({ idleSeconds: 10, maxSeconds: 2 }))).toBe('a 999ms b 999ms |');
    });
  });

  it('changes nothing with both limits off', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('a 10000ms b|');
      expectObservable(source.pipe(withStreamLimits({ idleSeconds: 0, maxSeconds: 0 }))).toBe('a 10000ms b|');
    });
  });
});

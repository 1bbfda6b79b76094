import { describe, expect, it } from '@jest/globals';
import { ApiError } from '../http/api-error.js';
import { decodeCursor, encodeCursor } from './stream-cursor.js';
import { parseSubscribeQuery, streamKey } from './stream-names.js';

const uuid = '5d1c3e0a-7b7f-4c55-9a0e-2f4e6b8c9d01';

function refusal(run: () => unknown): { status: number; code: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('the multiplexed stream cursor', () => {
  it('gives back every stream and position it was made of, beyond 32 bits', () => {
    const positions = new Map([
      [`investigation:${uuid}`, 0],
      ['chat:session_1-x', 300],
      ['investigations', 2 ** 40 + 3],
      ['events', Number.MAX_SAFE_INTEGER],
    ]);
    const cursor = encodeCursor(positions);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect([...decodeCursor(cursor, 'Last-Event-ID header')]).toEqual([...positions]);
  });

  it('is compact: a UUID takes 16 bytes, three investigations fit in under 80 characters', () => {
    const ids = ['0', '1', '2'].map((d) => uuid.replace(/.$/, d));
    const cursor = encodeCursor(new Map(ids.map((id, i) => [`investigation:${id}`, 40 + i])));
    expect(cursor.length).toBeLessThan(80);
  });

  it('writes the bytes of its layout, a cursor of a thousand streams as one of a single stream', () => {
    const one = new Map([[`investigation:${uuid}`, 300]]);
    const single = Buffer.from([1, 0x80, ...Buffer.from(uuid.replaceAll('-', ''), 'hex'), 0xac, 0x02]);
    expect(encodeCursor(one)).toBe(single.toString('base64url'));
    const many = new Map(Array.from({ length: 1000 }, (_, i) => [`chat:s${i}`, 2 ** 40 + i]));
    expect([...decodeCursor(encodeCursor(many), 'id')]).toEqual([...many]);
    expect(encodeCursor(one)).toBe(single.toString('base64url'));
  });

  it.each([
    ['not base64url', 'abc+/='],
    ['an unknown version', Buffer.from([9, 2, 0]).toString('base64url')],
    ['a stream cut short', Buffer.from([1, 0x80, 1, 2]).toString('base64url')],
    ['an unknown stream kind', Buffer.from([1, 7, 0]).toString('base64url')],
    ['a position cut short', Buffer.from([1, 2, 0x80]).toString('base64url')],
    ['a stream named twice', Buffer.from([1, 2, 1, 2, 5]).toString('base64url')],
    ['an id with characters no id has', Buffer.from([1, 1, 2, 0x2f, 0x2e, 0]).toString('base64url')],
  ])('refuses %s with a 400 naming where it came from', (_why, text) => {
    const refused = refusal(() => decodeCursor(text, 'Last-Event-ID header'));
    expect(refused).toMatchObject({ status: 400, code: 'INVALID_CURSOR' });
    expect(refused.message).toContain('Last-Event-ID header is not a cursor of GET /api/v1/streams');
  });

  it('refuses a plain event id, such as another endpoint gives', () => {
    expect(refusal(() => decodeCursor('42', 'last_event_id'))).toMatchObject({ status: 400, code: 'INVALID_CURSOR' });
  });
});

describe('the subscribe list', () => {
  it('reads each of the four forms, each stream once, in order', () => {
    const names = parseSubscribeQuery(`investigation:${uuid},chat:abc,investigations,events,chat:abc`);
    expect(names.map(streamKey)).toEqual([`investigation:${uuid}`, 'chat:abc', 'investigations', 'events']);
  });

  it.each([[''], ['investigation:'], ['investigation:a/b'], ['audit'], ['chat:x,'], [undefined]])(
    'refuses %p with a 400 that lists the forms',
    (raw) => {
      const refused = refusal(() => parseSubscribeQuery(raw));
      expect(refused.status).toBe(400);
      expect(refused.message).toContain('investigation:<id>, chat:<session id>, investigations or events');
    },
  );
});

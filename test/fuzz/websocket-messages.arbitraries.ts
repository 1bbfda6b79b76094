import fc from 'fast-check';

/**
 * What a careless or hostile client may send: the endpoints' own message types with fields
 * of every wrong type, unknown types, any JSON, non-JSON, binary, deep nesting, and sizes
 * around the limits (64 KB per message, 1 MiB per frame).
 */

const KNOWN_TYPES = ['ping', 'subscribe', 'unsubscribe', 'cancel', 'resume', 'message', 'typing', 'auth'] as const;
const IDS = ['x', 'fuzz', 'a'.repeat(128), 'a'.repeat(129), 'a/b', 'with space', ''];

/** What a client may offer as a fresh token: forged, malformed, expired-looking or oversized. */
const HOSTILE_TOKEN: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom('a.b.c', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'Bearer x'),
  fc.string({ minLength: 16_000, maxLength: 17_000 }),
);

/** Any JSON value, sometimes a plausible one for the field. */
const fieldValue = (plausible: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 3, arbitrary: plausible },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom(null, -1, 1e308, '', '0', true, [], {}) },
  );

/** `depth` levels of `{"a":…}` or `[…]`, built as text: JSON.stringify would recurse that deep. */
export const deepJson = (depth: number, array: boolean): string =>
  array ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** A message shaped like the endpoints' own, about `investigationId` (a real one) or made-up ids. */
const shapedMessage = (investigationId: string): fc.Arbitrary<Record<string, unknown>> => {
  const id = fc.constantFrom(investigationId, ...IDS);
  return fc.record(
    {
      type: fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...KNOWN_TYPES) },
        { weight: 1, arbitrary: fc.string({ maxLength: 80 }) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
      ),
      request_id: fieldValue(fc.string({ maxLength: 140 })),
      stream: fieldValue(
        fc.tuple(fc.constantFrom('investigation:', 'chat:', 'other:', ''), id).map(([kind, i]) => kind + i),
      ),
      investigation_id: fieldValue(id),
      last_event_id: fieldValue(
        fc.oneof(fc.nat(), fc.constantFrom('7', '-1', '1e3', 'abc', '999999999999999999', 2 ** 53 + 2)),
      ),
      content: fieldValue(fc.oneof(fc.string({ maxLength: 200 }), fc.string({ minLength: 4000, maxLength: 6000 }))),
      is_typing: fieldValue(fc.boolean()),
      reason: fieldValue(fc.string({ maxLength: 600 })),
      agent_id: fieldValue(fc.constantFrom('zumbi', 'anita', 'nobody', '')),
      token: fieldValue(HOSTILE_TOKEN),
    },
    { requiredKeys: ['type'] },
  );
};

/** A raw WebSocket frame: text (usually JSON) or binary. */
export type RawFrame =
  { readonly kind: 'text'; readonly data: string } | { readonly kind: 'binary'; readonly data: Buffer };

export const rawFrame = (investigationId: string): fc.Arbitrary<RawFrame> =>
  fc.oneof(
    {
      weight: 10,
      arbitrary: shapedMessage(investigationId).map((m): RawFrame => ({ kind: 'text', data: JSON.stringify(m) })),
    },
    {
      weight: 3,
      arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v): RawFrame => ({ kind: 'text', data: JSON.stringify(v) })),
    },
    {
      weight: 2,
      arbitrary: fc.string({ maxLength: 300, unit: 'binary' }).map((s): RawFrame => ({ kind: 'text', data: s })),
    },
    {
      weight: 1,
      arbitrary: fc.uint8Array({ maxLength: 300 }).map((b): RawFrame => ({ kind: 'binary', data: Buffer.from(b) })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 100, max: 12_000 }), fc.boolean())
        .map(([d, a]): RawFrame => ({ kind: 'text', data: deepJson(d, a) })),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 60_000, max: 200_000 })
        .map((n): RawFrame => ({ kind: 'text', data: JSON.stringify({ type: 'message', content: 'x'.repeat(n) }) })),
    },
    {
      weight: 1,
      arbitrary: fc.constant<RawFrame>({
        kind: 'text',
        data: JSON.stringify({ type: 'ping', pad: 'y'.repeat(1_100_000) }),
      }),
    },
  );

/** Events socket.io-client refuses to emit. */
const RESERVED = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);
const IO_EVENTS = [
  'message',
  'typing',
  'ping',
  'subscribe',
  'unsubscribe',
  'cancel',
  'auth',
  'history',
  'error',
  'disconnect_reason',
] as const;

/** An argument of a Socket.IO event: any JSON, a plausible body, binary, or something deep or big. */
const ioArg = (investigationId: string): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 4, arbitrary: shapedMessage(investigationId) },
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 50, max: 1_500 }).map((d) => JSON.parse(deepJson(d, d % 2 === 0)) as unknown),
    },
    { weight: 1, arbitrary: fc.integer({ min: 60_000, max: 200_000 }).map((n) => 'x'.repeat(n)) },
  );

/** One Socket.IO emit: event name (a number sometimes: the protocol allows it), arguments, whether it asks for an ack. */
export interface IoEmit {
  readonly event: string | number;
  readonly args: readonly unknown[];
  readonly ack: boolean;
}

export const ioEmit = (investigationId: string): fc.Arbitrary<IoEmit> =>
  fc.record({
    event: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom<string | number>(...IO_EVENTS) },
      { weight: 1, arbitrary: fc.string({ maxLength: 40 }).filter((s) => !RESERVED.has(s)) },
      { weight: 1, arbitrary: fc.nat() },
    ),
    args: fc.array(ioArg(investigationId), { maxLength: 3 }),
    ack: fc.boolean(),
  });

/** A socket.io packet as text on the engine.io websocket, past what socket.io-client would send. */
export const ioPacket: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('2', '3', '5', '6', '1', '0', '4', '9', 'x'),
      fc.constantFrom('', '/chat,', '/investigations,', '/nowhere,'),
      fc.oneof(fc.constant(''), fc.nat({ max: 99999 }).map(String)),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? ''),
    )
    .map(([type, nsp, id, json]) => `4${type}${nsp}${id}${json}`),
  fc
    .tuple(fc.constantFrom('5', '6'), fc.integer({ min: -1, max: 20 }), fc.jsonValue({ maxDepth: 2 }))
    .map(([type, n, v]) => `4${type}${n}-/chat,${JSON.stringify(['message', { _placeholder: true, num: n }, v])}`),
  fc.string({ maxLength: 200 }),
);

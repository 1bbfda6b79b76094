// Shared by the peers bench's servers, subscribers and orchestrator.
import { randomUUID } from 'node:crypto';
import { setImmediate } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';

/** CLOCK_MONOTONIC in microseconds: comparable between the processes of one machine. */
export const monoUs = () => Number(process.hrtime.bigint() / 1000n);

/** The project's wire `progress` event, same shape and size; `records_processed` carries the send time. */
export function progressPayload(channelUuid, seq, sentUs) {
  const at = new Date().toISOString();
  return `{"type":"progress","investigation_id":"${channelUuid}","progress":${seq},"current_phase":"analyzing_contracts","records_processed":${sentUs},"anomalies_detected":0,"timestamp":"${at}"}`;
}

export const newChannelUuid = () => randomUUID();

/** The project's multiplexed SSE (GET /api/v1/streams) following `names` on one connection. */
export const muxSsePath = (names) => `/api/v1/streams?subscribe=${names.join(',')}`;

/** The project's multiplexed WebSocket, where a connection subscribes to its streams by name. */
export const WS_MUX_PATH = '/api/v1/ws';

/** Calls `step(i)` `count` times at `rate`/s on an absolute schedule, each on its own event-loop turn. */
export async function paced(count, rate, step) {
  const intervalMs = 1000 / rate;
  const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
  const start = nowMs();
  for (let i = 0; i < count; i++) {
    const waitMs = start + i * intervalMs - nowMs();
    if (waitMs >= 1) await sleep(waitMs);
    else await new Promise((resolve) => setImmediate(resolve));
    await step(i);
  }
}

/** A forked child's side of the orchestrator's requests: `{ id, op, args }` in, `{ id, result | error }` out. */
export function serveRequests(handlers) {
  process.on('message', async ({ id, op, args }) => {
    try {
      process.send({ id, result: await handlers[op](...(args ?? [])) });
    } catch (error) {
      process.send({ id, error: String(error?.stack ?? error) });
    }
  });
  // A child whose orchestrator is gone stops by itself.
  process.on('disconnect', () => process.exit(0));
}

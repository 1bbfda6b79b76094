import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { AppendPlan, AppendReport } from './append-plan.js';
import { encodeOptions, type ApiReply, type ApiRequest } from './api-protocol.js';
import { startBenchApi, type BenchApiOptions } from './bench-api.js';
import { within } from './clock.js';
import type { ApiPlacement } from './delivery-report.js';

/** The API the subscribers talk to, wherever it runs. */
export interface ApiUnderTest {
  readonly url: string;
  readonly placement: ApiPlacement;
  createInvestigations(investigationIds: readonly string[]): Promise<void>;
  appendProgress(plan: AppendPlan): Promise<AppendReport>;
  close(): Promise<void>;
}

const CHILD_TIMEOUT_MS = 120_000;

/** Same process as the subscribers: client and server share one event loop. */
export async function inProcessApi(options: BenchApiOptions): Promise<ApiUnderTest> {
  const api = await startBenchApi(options);
  return {
    ...api,
    placement: {
      description: 'same process as the subscribers (one event loop for client and server)',
      sameProcess: true,
    },
  };
}

/**
 * One request in flight at a time, so the next reply is its answer. One pair of listeners
 * for the child's life: a request that timed out must not leave one behind to steal a reply.
 */
function requester(child: ChildProcess): (request: ApiRequest | null) => Promise<ApiReply> {
  let pending: { resolve: (reply: ApiReply) => void; reject: (error: Error) => void } | null = null;
  const settle = (outcome: (waiting: NonNullable<typeof pending>) => void): void => {
    const waiting = pending;
    pending = null;
    if (waiting) outcome(waiting);
  };
  child.on('message', (reply: ApiReply) =>
    settle((w) =>
      reply.kind === 'failed' ? w.reject(new Error(`API child failed: ${reply.message}`)) : w.resolve(reply),
    ),
  );
  child.on('exit', (code) => settle((w) => w.reject(new Error(`API child exited (code ${code}) before answering`))));
  return (request) =>
    within(
      new Promise<ApiReply>((resolve, reject) => {
        pending = { resolve, reject };
        if (request) child.send(request);
      }),
      CHILD_TIMEOUT_MS,
      `API child did not answer ${request?.kind ?? 'startup'}`,
    );
}

function expect<K extends ApiReply['kind']>(reply: ApiReply, kind: K): Extract<ApiReply, { kind: K }> {
  if (reply.kind !== kind) throw new Error(`API child answered ${reply.kind}, expected ${kind}`);
  return reply as Extract<ApiReply, { kind: K }>;
}

/**
 * The API in its own process (compiled api-child.js), as a deployment runs it, with an
 * event loop of its own. 'advanced' serialization carries the Float64Array of append times as is.
 */
export async function childProcessApi(options: BenchApiOptions): Promise<ApiUnderTest> {
  const path = fileURLToPath(new URL('./api-child.js', import.meta.url));
  const child = fork(path, [encodeOptions(options)], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ask = requester(child);
  let ready: Extract<ApiReply, { kind: 'ready' }>;
  try {
    ready = expect(await ask(null), 'ready');
  } catch (error) {
    child.kill();
    throw error;
  }
  return {
    url: ready.url,
    placement: {
      description: `child process pid ${child.pid} (its own event loop; the cores are shared with the subscribers' process)`,
      sameProcess: false,
    },
    createInvestigations: async (investigationIds) =>
      void expect(await ask({ kind: 'create', investigationIds }), 'created'),
    appendProgress: async (plan) => expect(await ask({ kind: 'append', plan }), 'appended').report,
    close: async () => {
      try {
        expect(await ask({ kind: 'close' }), 'closed');
        if (child.exitCode === null)
          await within(once(child, 'exit'), 10_000, 'API child did not exit').catch(() => undefined);
      } finally {
        if (child.exitCode === null) child.kill();
      }
    },
  };
}

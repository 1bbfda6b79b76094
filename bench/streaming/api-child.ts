import { startBenchApi, type BenchApi } from './bench-api.js';
import { decodeOptions, type ApiReply, type ApiRequest } from './api-protocol.js';

/**
 * The API process of the benchmark: an event loop of its own, so the figures measure the
 * server's delivery and not the 1,000 clients parsing next to it. Driven over IPC.
 */
function reply(message: ApiReply, then: () => void = () => undefined): void {
  if (process.send) process.send(message, then);
  else then();
}

const describe = (error: unknown): string => (error instanceof Error ? (error.stack ?? error.message) : String(error));

let closing: Promise<void> | null = null;
/** Closing is reachable twice (a request, then the parent leaving): do it once. */
const closeOnce = (api: BenchApi): Promise<void> => (closing ??= api.close());

async function handle(api: BenchApi, request: ApiRequest): Promise<void> {
  switch (request.kind) {
    case 'create':
      await api.createInvestigations(request.investigationIds);
      return reply({ kind: 'created' });
    case 'append':
      return reply({ kind: 'appended', report: await api.appendProgress(request.plan) });
    case 'close':
      await closeOnce(api);
      // Disconnect once the answer is out, or the parent would see an exit and no answer.
      return reply({ kind: 'closed' }, () => process.disconnect());
    default: {
      const unknown: never = request;
      throw new Error(`unknown request: ${JSON.stringify(unknown)}`);
    }
  }
}

async function main(): Promise<void> {
  const api = await startBenchApi(decodeOptions(process.argv[2]));
  // An orphaned server would keep its port and temp dir: leave with the parent.
  process.once('disconnect', () => void closeOnce(api).finally(() => process.exit(0)));
  process.on('message', (request: ApiRequest) => {
    handle(api, request).catch((error: unknown) => reply({ kind: 'failed', message: describe(error) }));
  });
  reply({ kind: 'ready', url: api.url });
}

main().catch((error: unknown) => {
  console.error(error);
  // Exit only once the reply is out: the parent should learn why, not just that it died.
  reply({ kind: 'failed', message: describe(error) }, () => process.exit(1));
});

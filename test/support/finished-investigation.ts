import { openRawSse } from './raw-sse-client.js';

/** Starts a synthetic investigation and reads its SSE stream to the end: its id, once it finished. */
export async function finishedInvestigation(baseUrl: string, query = 'Análise geral de contratos'): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/investigations`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query, data_source: 'synthetic' }),
  });
  if (res.status !== 202) throw new Error(`starting an investigation answered ${res.status}: ${await res.text()}`);
  const id = ((await res.json()) as { investigation_id: string }).investigation_id;
  await (
    await openRawSse(`${baseUrl}/api/v1/investigations/stream/${id}`)
  ).done;
  return id;
}

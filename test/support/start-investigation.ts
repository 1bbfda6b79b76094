import { expect } from '@jest/globals';

export interface InvestigationStart {
  /** Bearer token; none for an API that does not require one. */
  readonly token?: string;
  readonly query?: string;
  /** More request headers (an Idempotency-Key, an X-Forwarded-For…). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** POST /api/v1/investigations on the synthetic source, as a client starts one: the accepted (202) investigation's id. */
export async function startInvestigationAt(baseUrl: string, start: InvestigationStart = {}): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/investigations`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(start.token === undefined ? {} : { Authorization: `Bearer ${start.token}` }),
      ...start.headers,
    },
    body: JSON.stringify({ query: start.query ?? 'contratos de saúde', data_source: 'synthetic' }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { investigation_id: string }).investigation_id;
}

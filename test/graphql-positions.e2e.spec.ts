import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';
import { postGraphql, subscribeGraphql } from './support/graphql-client.js';
import { postgresSchema, type PostgresSchema } from './support/postgres-schema.js';
import { waitUntil } from './support/wait-until.js';
import { startInvestigationAt } from './support/start-investigation.js';

/**
 * A store whose global positions are past 2^31 (GraphQL Int's limit), as a long-lived
 * PostgreSQL store's are: /graphql sends and takes them as the Position scalar.
 */
const PAST_INT = 2 ** 31 + 1000;

let app: EmbeddedApp;
let db: PostgresSchema;
let token = '';

beforeAll(async () => {
  db = await postgresSchema('gql_positions');
  app = await startEmbeddedApp({ ...db.env, RATE_LIMIT_PER_MINUTE: '0', RATE_LIMIT_PER_MINUTE_IP: '0' });
  await db.query(`SELECT setval(pg_get_serial_sequence($1, 'position'), $2)`, [db.table('events'), PAST_INT]);
  token = await app.token('ana', 'analyst');
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await db?.dispose();
});

const startInvestigation = (): Promise<string> => startInvestigationAt(app.url, { token, query: 'Contratos de saúde' });

const LIST = `subscription List($after: Position) { investigations(after: $after) { id type investigation_id status } }`;

describe('GraphQL positions past 2^31', () => {
  it('resumes the list after a position past 2^31 and sends the changes with their ids', async () => {
    const emptyPage = await postGraphql(app.url, '{ investigations(limit: 1) { items { investigation_id } } }', {
      token,
    });
    expect(emptyPage.body).toEqual({ data: { investigations: { items: [] } } });
    const subscription = subscribeGraphql(app.url, LIST, { token }, { after: String(PAST_INT) });
    const investigation_id = await startInvestigation();
    const changes = (): Array<Record<string, unknown>> =>
      subscription.results.map((result) => result.data?.investigations as Record<string, unknown>);
    await waitUntil(
      () => (changes().some((c) => c?.status === 'completed') ? true : undefined),
      'the investigation completed on the list subscription',
      60_000,
    );
    await subscription.dispose();
    expect(subscription.results.flatMap((result) => result.errors ?? [])).toEqual([]);
    const ids = changes().map((c) => c.id as number);
    expect(ids.every((id) => Number.isSafeInteger(id) && id > PAST_INT)).toBe(true);
    expect(changes().every((c) => c.investigation_id === investigation_id)).toBe(true);

    // The page's last_event_id is a position past 2^31 too, and a literal `after` takes it.
    const page = await postGraphql(app.url, '{ investigations(limit: 1) { last_event_id } }', { token });
    const head = (page.body.data?.investigations as { last_event_id: number }).last_event_id;
    expect(head).toBeGreaterThanOrEqual(ids.at(-1) ?? Infinity);
    const resumed = subscribeGraphql(app.url, `subscription { investigations(after: ${head}) { id } }`, { token });
    const refused = subscribeGraphql(app.url, LIST, { token }, { after: -1 });
    await refused.done;
    expect(refused.results.flatMap((result) => result.errors ?? []).map((error) => error.message)).toEqual([
      expect.stringContaining('Position must be a whole number from 0 to 9007199254740991'),
    ]);
    await refused.dispose();
    await startInvestigation();
    await waitUntil(
      () => (resumed.results.length > 0 ? true : undefined),
      'a change after the resumed position',
      60_000,
    );
    const [first] = resumed.results;
    expect(first?.errors).toBeUndefined();
    expect((first?.data?.investigations as { id: number }).id).toBeGreaterThan(head);
    await resumed.dispose();
  }, 120_000);
});

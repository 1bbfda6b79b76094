import pg from 'pg';
import {
  EventStoreUnavailableError,
  type CheckpointMove,
  type DocumentQuery,
  type ProjectionCheckpoint,
  type ReadModelStore,
  type StoredDocument,
} from '#eventsourcing';
import { silentLogger, type Logger } from '../logging/logger.js';
import { PgConnections } from '../postgres/pg-connections.js';
import { advisoryKey } from '../event-store/postgres/postgres-schema.js';
import { DOCUMENT_COLUMNS, documentValues, listClauses, toStoredDocument, type DocumentRow } from './document-rows.js';

export interface PostgresReadModelStoreOptions {
  readonly connectionString: string;
  /** Default 'public': the schema of the deployment's event store or audit log. */
  readonly schema?: string;
  readonly logger?: Logger;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const COLUMNS_PER_ROW = DOCUMENT_COLUMNS.split(',').length;

const unavailable = (message: string, cause: unknown): EventStoreUnavailableError =>
  new EventStoreUnavailableError(`postgres read models unavailable: ${message}`, { cause });

/**
 * Read models of the distributed and KurrentDB deployments: one PostgreSQL schema shared
 * by the projectors (in the workers) and the readers (in every api process). Text keys
 * sort in "C" collation so that ORDER BY and the cursor comparisons agree byte for byte.
 */
export class PostgresReadModelStore implements ReadModelStore {
  readonly kind = 'postgres';

  private constructor(
    private readonly connections: PgConnections,
    private readonly checkpoints: string,
    private readonly documents: string,
  ) {}

  static async open(options: PostgresReadModelStoreOptions): Promise<PostgresReadModelStore> {
    const schema = options.schema ?? 'public';
    if (!SCHEMA_NAME.test(schema)) throw new RangeError(`invalid postgres schema name: ${schema}`);
    const connections = new PgConnections({
      connectionString: options.connectionString,
      applicationName: `read-models-${schema}`,
      logger: (options.logger ?? silentLogger).child({ adapter: 'postgres-read-models' }),
      unavailable,
    });
    const quoted = pg.escapeIdentifier(schema);
    const store = new PostgresReadModelStore(
      connections,
      `${quoted}.read_model_checkpoints`,
      `${quoted}.read_model_documents`,
    );
    try {
      await store.migrate(schema);
    } catch (error) {
      await connections.end();
      throw error;
    }
    return store;
  }

  async checkpoint(projection: string): Promise<ProjectionCheckpoint | null> {
    const rows = await this.connections.query<{ projection: string; version: number; position: string }>(
      `SELECT projection, version, position FROM ${this.checkpoints} WHERE projection = $1`,
      [projection],
    );
    const row = rows[0];
    return row ? { projection: row.projection, version: row.version, position: Number(row.position) } : null;
  }

  async commit(move: CheckpointMove): Promise<boolean> {
    // A refused move rolls back: throwing is how the transaction helper is told to.
    const refused = Symbol('refused');
    try {
      return await this.connections.transaction(async (client) => {
        if (!(await this.moveCheckpoint(client, move))) throw refused;
        await this.upsert(client, move);
        return true;
      });
    } catch (error) {
      if (error === refused) return false;
      throw error;
    }
  }

  async reset(projection: string, collections: readonly string[]): Promise<void> {
    await this.connections.transaction(async (client) => {
      await client.query(`DELETE FROM ${this.checkpoints} WHERE projection = $1`, [projection]);
      await client.query(`DELETE FROM ${this.documents} WHERE collection = ANY($1::text[])`, [collections]);
    });
  }

  async get<Doc>(collection: string, id: string): Promise<StoredDocument<Doc> | null> {
    const rows = await this.connections.query<DocumentRow>(
      `SELECT ${DOCUMENT_COLUMNS} FROM ${this.documents} WHERE collection = $1 AND id = $2`,
      [collection, id],
    );
    const row = rows[0];
    return row ? toStoredDocument<Doc>(row, row.doc) : null;
  }

  async list<Doc>(query: DocumentQuery): Promise<StoredDocument<Doc>[]> {
    const values: unknown[] = [];
    const clauses = listClauses(
      query,
      (value) => `$${values.push(value)}`,
      (column, needle) => `strpos(${column}, ${needle}) > 0`,
    );
    const rows = await this.connections.query<DocumentRow>(
      `SELECT ${DOCUMENT_COLUMNS} FROM ${this.documents} ${clauses}`,
      values,
    );
    return rows.map((row) => toStoredDocument<Doc>(row, row.doc));
  }

  async changes<Doc>(collection: string, afterPosition: number, limit: number): Promise<StoredDocument<Doc>[]> {
    const rows = await this.connections.query<DocumentRow>(
      `SELECT ${DOCUMENT_COLUMNS} FROM ${this.documents} WHERE collection = $1 AND position > $2
       ORDER BY position, id LIMIT $3`,
      [collection, afterPosition, limit],
    );
    return rows.map((row) => toStoredDocument<Doc>(row, row.doc));
  }

  ping(): Promise<void> {
    return this.connections.ping();
  }

  close(): Promise<void> {
    return this.connections.end();
  }

  /**
   * Moves the checkpoint only from where the batch started. From 0 the row may not exist
   * yet: of two first commits racing, the second waits on the first's row and then finds
   * it no longer at 0.
   */
  private async moveCheckpoint(client: pg.PoolClient, move: CheckpointMove): Promise<boolean> {
    const values = [move.projection, move.version, move.to, move.from];
    const sql =
      move.from === 0
        ? `INSERT INTO ${this.checkpoints} AS c (projection, version, position) VALUES ($1, $2, $3)
           ON CONFLICT (projection) DO UPDATE SET version = $2, position = $3 WHERE c.position = $4 RETURNING 1`
        : `UPDATE ${this.checkpoints} SET version = $2, position = $3 WHERE projection = $1 AND position = $4 RETURNING 1`;
    const { rowCount } = await client.query(sql, values);
    return rowCount === 1;
  }

  private async upsert(client: pg.PoolClient, move: CheckpointMove): Promise<void> {
    if (move.writes.length === 0) return;
    const values = move.writes.flatMap(documentValues);
    const rows = move.writes.map((_, row) => {
      const first = row * COLUMNS_PER_ROW;
      return `(${Array.from({ length: COLUMNS_PER_ROW }, (__, column) => `$${first + column + 1}`).join(', ')})`;
    });
    await client.query(
      `INSERT INTO ${this.documents} (${DOCUMENT_COLUMNS}) VALUES ${rows.join(', ')}
       ON CONFLICT (collection, id) DO UPDATE SET owner = excluded.owner, status = excluded.status,
         sort_at = excluded.sort_at, search = excluded.search, position = excluded.position, doc = excluded.doc`,
      values,
    );
  }

  private async migrate(schema: string): Promise<void> {
    await this.connections.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryKey(`read-models:migrate:${schema}`)]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${pg.escapeIdentifier(schema)}`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.checkpoints} (
          projection text PRIMARY KEY,
          version integer NOT NULL,
          position bigint NOT NULL
        )`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${this.documents} (
          collection text COLLATE "C" NOT NULL,
          id text COLLATE "C" NOT NULL,
          owner text,
          status text,
          sort_at text COLLATE "C" NOT NULL,
          search text,
          position bigint NOT NULL,
          doc jsonb NOT NULL,
          PRIMARY KEY (collection, id)
        )`);
      await client.query(
        `CREATE INDEX IF NOT EXISTS read_model_documents_listed ON ${this.documents} (collection, sort_at DESC, id DESC)`,
      );
      await client.query(
        `CREATE INDEX IF NOT EXISTS read_model_documents_changed ON ${this.documents} (collection, position)`,
      );
    });
  }
}

import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import {
  Kysely,
  PostgresDialect,
  SqliteDialect,
  sql,
  type CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect as KyselyDialect,
  type DialectAdapter,
  type Driver,
  type OperationNode,
  type QueryCompiler,
  type QueryResult,
  type SqliteDatabase,
  type SqliteStatement,
  type TransactionSettings,
} from 'kysely';
import { PgContentChannel } from './content-channel.js';
import type { DB } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  dialect: Dialect;
  /** Where the data lives, with any password removed, for log lines and errors. */
  describe: string;
  /**
   * Starts hearing other processes' content writes (PostgreSQL LISTEN; see content-channel.ts) and
   * resolves once that is in place, so that caches built on `db` stay fresh across instances.
   * SQLite: one process serves a file, there is nothing to hear.
   */
  hearOtherInstances(): Promise<void>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** PostgreSQL connections per process (DATABASE_POOL_MAX); see docs/decisions/scaling.md. */
  poolMax?: number;
}

/** Per process: instances × this must stay below the server's max_connections, with room for the listener and admin tools. */
export const DEFAULT_POOL_MAX = 10;

export class DatabaseUnavailableError extends Error {}

// pg would turn DATE into a local-midnight Date and TIMESTAMPTZ into a Date;
// both drivers must hand the repositories the same plain strings.
pg.types.setTypeParser(1082, (v: string) => v);
pg.types.setTypeParser(1184, (v: string) => new Date(v).toISOString());
pg.types.setTypeParser(20, (v: string) => Number(v));

export function sqliteFileOf(url: string): string {
  const path = url.slice('sqlite:'.length);
  return path === ':memory:' ? path : resolve(path);
}

export async function connect(url: string, opts: ConnectOptions = {}): Promise<Database> {
  if (url.startsWith('sqlite:')) return connectSqlite(sqliteFileOf(url));
  return connectPostgres(url, opts);
}

function connectSqlite(file: string): Database {
  let handle: SQLite.Database;
  try {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    handle = new SQLite(file);
    handle.pragma('journal_mode = WAL');
    handle.pragma('foreign_keys = ON');
    handle.pragma('busy_timeout = 5000');
    handle.pragma('synchronous = NORMAL');
  } catch (err) {
    throw new DatabaseUnavailableError(`Kan inte öppna SQLite-databasen ${file}: ${(err as Error).message}`);
  }
  const db = new Kysely<DB>({ dialect: watched(new SqliteDialect({ database: reusingStatements(handle) }), new ContentHub()) });
  return { db, dialect: 'sqlite', describe: `sqlite:${file}`, hearOtherInstances: async () => {}, close: () => db.destroy() };
}

async function connectPostgres(url: string, opts: ConnectOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolMax ?? DEFAULT_POOL_MAX,
    // While PostgreSQL is down a request waits at most this long for a connection, then gets a 503.
    connectionTimeoutMillis: 5000,
    application_name: 'loften',
    // A connection whose server vanished without a word (a network partition) is noticed, not waited on.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // An idle client losing its server (a PostgreSQL restart) must not crash the process.
  pool.on('error', () => {});
  const describe = redact(url);
  const hub = new ContentHub();
  const channel = new PgContentChannel(url, pool, () => hub.fanOut('visible'));
  hub.announce = () => channel.announce();
  const db = new Kysely<DB>({ dialect: watched(new PostgresDialect({ pool }), hub) });
  try {
    await sql`select 1`.execute(db);
  } catch (err) {
    await db.destroy().catch(() => {});
    throw new DatabaseUnavailableError(`Kan inte nå PostgreSQL på ${describe}: ${(err as Error).message}`);
  }
  return {
    db,
    dialect: 'postgres',
    describe,
    hearOtherInstances: () => channel.listen(),
    close: async () => {
      await channel.close();
      await db.destroy();
    },
  };
}

export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(ogiltig adress)';
  }
}

// ---------------------------------------------------------------------------------------------
// Prepared statements (SQLite)

/** How many distinct SQL texts keep their prepared statement; `in (?, ?, …)` lists of many lengths make the set open-ended. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely's SQLite driver calls `prepare` for every query, and better-sqlite3 compiles the SQL
 * afresh each time. This hands out one prepared statement per SQL text instead (LRU, bounded).
 * Safe because:
 * - Kysely binds all parameters on each call (`all(params)`, `run(params)`, `iterate(params)`)
 *   and never calls the sticky modifiers (`bind`, `pluck`, `raw`, `expand`, `safeIntegers`), so a
 *   reused statement behaves exactly like a fresh one; `reader` depends only on the SQL text.
 * - `all` and `run` finish synchronously, so no other query can interleave with them. The one
 *   way a statement stays in use is `iterate` (Kysely's `stream()`): until the iterator is done
 *   the statement is locked, and better-sqlite3 would refuse to run it again ("This statement is
 *   busy"). A busy cached statement is therefore never handed out: that caller gets a fresh,
 *   uncached one, exactly what it would have got without the cache.
 * - Schema changes: SQLite re-prepares a statement transparently when the schema changed under
 *   it, and a statement naming something that no longer exists fails as a fresh `prepare` would.
 * - `close` finalises every statement, cached or not.
 */
function reusingStatements(handle: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close() {
      statements.clear();
      handle.close();
    },
    prepare(source: string): SqliteStatement {
      const cached = statements.get(source);
      if (cached !== undefined) {
        if (cached.busy) return handle.prepare(source);
        // Most recently used last: Map iteration order is insertion order.
        statements.delete(source);
        statements.set(source, cached);
        return cached;
      }
      const fresh = handle.prepare(source);
      statements.set(source, fresh);
      if (statements.size > STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      return fresh;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Content writes, for caches of what was read (the public page cache)

/**
 * `started`: a write to a content table is about to run. `visible`: it is now visible to every
 * other connection: it ran outside a transaction, or its transaction committed.
 */
export type ContentChange = 'started' | 'visible';
type Listener = (change: ContentChange) => void;

/** Tables whose rows never show on a public page: sessions, throttling, mail, SSO round trips, reset tokens. */
const NON_CONTENT_TABLES = new Set(['user_session', 'login_throttle', 'mail_outbox', 'oidc_login', 'password_reset', 'wastewater_import', 'wastewater_import_row', 'wastewater_import_sample', 'wastewater_upload_chunk']);

/** The listeners of one Kysely instance, and where its visible writes are announced to other processes. */
class ContentHub {
  readonly listeners = new Set<Listener>();
  /** Set on PostgreSQL: tells the other instances (content-channel.ts). */
  announce: (() => void) | null = null;

  /** A write of this process. */
  local(change: ContentChange): void {
    this.fanOut(change);
    if (change === 'visible') this.announce?.();
  }

  fanOut(change: ContentChange): void {
    for (const l of this.listeners) {
      try {
        l(change);
      } catch {
        // A listener's failure must not turn a committed write into an error.
      }
    }
  }
}

/** Per Kysely instance, found through its adapter: transactions and `withPlugin` copies share it. */
const hubsByAdapter = new WeakMap<DialectAdapter, ContentHub>();

/**
 * Calls `listener` whenever a write through `db` (or any transaction of it) may change content:
 * once before the write runs and again once it is visible to other connections. Returns the
 * unsubscribe function, or null when `db` was not opened by connect(): then writes cannot be
 * seen and the caller must not cache what it reads.
 *
 * On PostgreSQL, once `hearOtherInstances()` runs, writes of other processes (app instances, the
 * CLI) arrive too, as a 'visible' shortly after their commit, and 'visible' also follows a lost
 * and regained LISTEN connection. Without it (SQLite: other processes on the file, such as the
 * CLI), only this process's writes are seen, which is why caches also keep a short TTL.
 */
export function onContentChange(db: Kysely<DB>, listener: Listener): (() => void) | null {
  const hub = hubsByAdapter.get(db.getExecutor().adapter);
  if (!hub) return null;
  hub.listeners.add(listener);
  return () => void hub.listeners.delete(listener);
}

function watched(inner: KyselyDialect, hub: ContentHub): KyselyDialect {
  const notify = (change: ContentChange) => hub.local(change);
  return {
    createDriver: () => new WatchedDriver(inner.createDriver(), notify),
    createQueryCompiler: (): QueryCompiler => inner.createQueryCompiler(),
    createAdapter: (): DialectAdapter => {
      const adapter = inner.createAdapter();
      hubsByAdapter.set(adapter, hub);
      return adapter;
    },
    createIntrospector: (db: Kysely<any>): DatabaseIntrospector => inner.createIntrospector(db),
  };
}

function tableName(node: OperationNode | undefined): string | null {
  if (!node) return null;
  if (node.kind === 'AliasNode') return tableName((node as unknown as { node: OperationNode }).node);
  if (node.kind === 'TableNode') return (node as unknown as { table: { identifier: { name: string } } }).table.identifier.name;
  return null;
}

/** Unknown shapes count as content: a needless cache flush is cheap, a stale page is not. */
function touchesContent(node: OperationNode | undefined): boolean {
  const name = tableName(node);
  return name === null || !NON_CONTENT_TABLES.has(name);
}

/** Raw SQL that cannot write: a select, an explain, or a pragma that only reads (`pragma name`). */
const READ_ONLY_SQL = /^\s*(?:select|explain)\b|^\s*pragma\s+\w+\s*;?\s*$/i;

type WithCtes = { with?: { expressions: ReadonlyArray<{ expression: OperationNode }> } };

/** Whether a query may change a content table (or the schema). Plain selects are the only sure no. */
export function writesContent(query: CompiledQuery): boolean {
  const node = query.query as OperationNode;
  const ctes = (node as WithCtes).with?.expressions ?? [];
  const cteWrites = () => ctes.some((cte) => writesContent({ ...query, query: cte.expression as CompiledQuery['query'] }));
  switch (node.kind) {
    case 'SelectQueryNode':
      return cteWrites();
    case 'InsertQueryNode':
      return touchesContent((node as unknown as { into?: OperationNode }).into) || cteWrites();
    case 'UpdateQueryNode':
      return touchesContent((node as unknown as { table?: OperationNode }).table) || cteWrites();
    case 'DeleteQueryNode': {
      const froms = (node as unknown as { from: { froms: ReadonlyArray<OperationNode> } }).from.froms;
      return froms.length === 0 || froms.some(touchesContent) || cteWrites();
    }
    case 'MergeQueryNode':
      return touchesContent((node as unknown as { into: OperationNode }).into) || cteWrites();
    case 'RawNode':
      // sql`…`: reads we can tell from the text; anything else (including a hand-written
      // commit, which makes earlier writes visible) counts as a write.
      return !READ_ONLY_SQL.test(query.sql);
    default:
      // DDL and anything newer than this list.
      return true;
  }
}

class WatchedConnection implements DatabaseConnection {
  inTransaction = false;
  /** A content write ran in the open transaction: tell the listeners when it commits. */
  pending = false;

  constructor(
    readonly inner: DatabaseConnection,
    private readonly notify: Listener,
  ) {}

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    if (!writesContent(compiledQuery)) return this.inner.executeQuery<R>(compiledQuery);
    return this.write(() => this.inner.executeQuery<R>(compiledQuery));
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    if (!writesContent(compiledQuery)) return yield* this.inner.streamQuery<R>(compiledQuery, chunkSize);
    this.notify('started');
    try {
      yield* this.inner.streamQuery<R>(compiledQuery, chunkSize);
    } finally {
      this.afterWrite();
    }
  }

  private async write<T>(run: () => Promise<T>): Promise<T> {
    this.notify('started');
    try {
      return await run();
    } finally {
      this.afterWrite();
    }
  }

  private afterWrite(): void {
    if (this.inTransaction) this.pending = true;
    else this.notify('visible');
  }

  /** The transaction is over (committed or not): if it wrote, say so now that others can see it. */
  endTransaction(): void {
    this.inTransaction = false;
    if (this.pending) {
      this.pending = false;
      this.notify('visible');
    }
  }
}

/** Delegates everything; tracks transactions so that writes inside one are announced after its commit. */
class WatchedDriver implements Driver {
  readonly #connections = new WeakMap<DatabaseConnection, WatchedConnection>();

  constructor(
    private readonly inner: Driver,
    private readonly notify: Listener,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.inner.acquireConnection();
    let w = this.#connections.get(connection);
    if (!w) {
      w = new WatchedConnection(connection, this.notify);
      this.#connections.set(connection, w);
    }
    return w;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const w = connection as WatchedConnection;
    await this.inner.beginTransaction(w.inner, settings);
    w.inTransaction = true;
    w.pending = false;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const w = connection as WatchedConnection;
    try {
      await this.inner.commitTransaction(w.inner);
    } finally {
      // Also after a failed commit: whether anything became visible is then unknown.
      w.endTransaction();
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const w = connection as WatchedConnection;
    try {
      await this.inner.rollbackTransaction(w.inner);
    } catch (err) {
      // SQLite rolls a transaction back by itself after some errors (SQLITE_FULL, SQLITE_IOERR):
      // the explicit rollback then fails, and would hide the error that explains what happened.
      if (!/no transaction is active/.test((err as Error)?.message ?? '')) throw err;
    } finally {
      w.pending = false;
      w.endTransaction();
    }
  }

  savepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    if (!this.inner.savepoint) throw new Error('The driver does not support savepoints');
    return this.inner.savepoint((connection as WatchedConnection).inner, name, compileQuery);
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    if (!this.inner.rollbackToSavepoint) throw new Error('The driver does not support savepoints');
    return this.inner.rollbackToSavepoint((connection as WatchedConnection).inner, name, compileQuery);
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    if (!this.inner.releaseSavepoint) throw new Error('The driver does not support savepoints');
    return this.inner.releaseSavepoint((connection as WatchedConnection).inner, name, compileQuery);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const w = connection as WatchedConnection;
    // Never expected (Kysely commits or rolls back first), but a write must not go unannounced.
    if (w.inTransaction) w.endTransaction();
    await this.inner.releaseConnection(w.inner);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

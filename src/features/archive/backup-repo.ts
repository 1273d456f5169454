import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type QueryResult, type RawBuilder } from 'kysely';
import { isPostgres } from '../../db/executor.js';

/**
 * The SQL behind backup, restore and export --all: the schema as the database itself describes
 * it (so a table added by a future migration is never forgotten), rows read in primary-key
 * order, rows inserted in batches. Every function takes `Kysely<any>`: the tables are not known
 * at compile time, and a SQLite backup file is read with the same functions as a live database.
 */

export type AnyDb = Kysely<any>;

/** Kysely's own bookkeeping: restore recreates it by running the migrations, so it is not data. */
export const MIGRATION_TABLES: ReadonlySet<string> = new Set(['kysely_migration', 'kysely_migration_lock']);

export interface TableInfo {
  name: string;
  /** In the table's own column order. */
  columns: string[];
  /** Empty when the table has none: then rows are ordered by every column. */
  primaryKey: string[];
}

export interface ForeignKey {
  table: string;
  columns: string[];
  references: string;
  referencedColumns: string[];
}

/** Every data table, by name (migration bookkeeping left out). */
export async function listTables(db: AnyDb): Promise<TableInfo[]> {
  const tables: TableInfo[] = [];
  if (isPostgres(db)) {
    const names = await sql<{ name: string }>`
      select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(db);
    const cols = await sql<{ table: string; column: string }>`
      select table_name as "table", column_name as "column" from information_schema.columns
      where table_schema = current_schema() order by table_name, ordinal_position`.execute(db);
    const pks = await sql<{ table: string; column: string }>`
      select k.table_name as "table", k.column_name as "column"
      from information_schema.table_constraints c
      join information_schema.key_column_usage k
        on k.constraint_name = c.constraint_name and k.constraint_schema = c.constraint_schema and k.table_name = c.table_name
      where c.constraint_type = 'PRIMARY KEY' and c.table_schema = current_schema()
      order by k.table_name, k.ordinal_position`.execute(db);
    for (const { name } of names.rows) {
      if (MIGRATION_TABLES.has(name)) continue;
      tables.push({
        name,
        columns: cols.rows.filter((c) => c.table === name).map((c) => c.column),
        primaryKey: pks.rows.filter((c) => c.table === name).map((c) => c.column),
      });
    }
    return tables;
  }
  const names = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(db);
  for (const { name } of names.rows) {
    if (MIGRATION_TABLES.has(name)) continue;
    const info = await sql<{ name: string; pk: number }>`select name, pk from pragma_table_info(${name}) order by cid`.execute(db);
    tables.push({
      name,
      columns: info.rows.map((c) => c.name),
      primaryKey: info.rows.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name),
    });
  }
  return tables;
}

export async function listForeignKeys(db: AnyDb): Promise<ForeignKey[]> {
  if (isPostgres(db)) {
    const r = await sql<{ table: string; references: string; columns: string[]; referencedColumns: string[] }>`
      select cl.relname::text as "table", rf.relname::text as "references",
        (select array_agg(a.attname::text order by k.ord) from unnest(c.conkey) with ordinality k(attnum, ord)
           join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum) as "columns",
        (select array_agg(a.attname::text order by k.ord) from unnest(c.confkey) with ordinality k(attnum, ord)
           join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum) as "referencedColumns"
      from pg_constraint c
      join pg_class cl on cl.oid = c.conrelid
      join pg_class rf on rf.oid = c.confrelid
      where c.contype = 'f' and c.connamespace = current_schema()::regnamespace`.execute(db);
    return r.rows;
  }
  const keys: ForeignKey[] = [];
  const names = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db);
  for (const { name } of names.rows) {
    const r = await sql<{ id: number; seq: number; table: string; from: string; to: string | null }>`
      select id, seq, "table", "from", "to" from pragma_foreign_key_list(${name}) order by id, seq`.execute(db);
    const byId = new Map<number, ForeignKey>();
    for (const row of r.rows) {
      let fk = byId.get(row.id);
      if (!fk) byId.set(row.id, (fk = { table: name, columns: [], references: row.table, referencedColumns: [] }));
      fk.columns.push(row.from);
      fk.referencedColumns.push(row.to ?? 'rowid');
    }
    keys.push(...byId.values());
  }
  return keys;
}

/** The names of the migrations applied, in order; empty for a database never migrated. */
export async function appliedMigrations(db: AnyDb): Promise<string[]> {
  const exists = isPostgres(db)
    ? await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_schema = current_schema() and table_name = 'kysely_migration'`.execute(db)
    : await sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'table' and name = 'kysely_migration'`.execute(db);
  if (Number(exists.rows[0]?.n ?? 0) === 0) return [];
  const r = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return r.rows.map((m) => m.name);
}

export async function countRows(db: AnyDb, table: string): Promise<number> {
  const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/**
 * The rows of a table in primary-key order, as arrays in `table.columns` order, `batch` at a time.
 * Keyset pagination (row-value comparison on the key), so a million-row table costs the same per
 * batch at its end as at its start; inside one snapshot transaction the batches agree.
 */
export async function* readRows(db: AnyDb, table: TableInfo, batch = 2000): AsyncGenerator<unknown[][]> {
  const cols = sql.join(table.columns.map((c) => sql.ref(c)));
  const order = table.primaryKey.length > 0 ? table.primaryKey : table.columns;
  const orderBy = sql.join(order.map((c) => sql.ref(c)));
  const keyIdx = table.primaryKey.map((c) => table.columns.indexOf(c));
  let after: unknown[] | null = null;
  let offset = 0;
  for (;;) {
    let query: RawBuilder<Record<string, unknown>>;
    if (table.primaryKey.length === 0) {
      query = sql<Record<string, unknown>>`select ${cols} from ${sql.table(table.name)} order by ${orderBy} limit ${batch} offset ${offset}`;
    } else if (after === null) {
      query = sql<Record<string, unknown>>`select ${cols} from ${sql.table(table.name)} order by ${orderBy} limit ${batch}`;
    } else {
      const key = sql.join(after.map((v): RawBuilder<unknown> => sql`${v}`));
      query = sql<Record<string, unknown>>`select ${cols} from ${sql.table(table.name)} where (${orderBy}) > (${key}) order by ${orderBy} limit ${batch}`;
    }
    const r: QueryResult<Record<string, unknown>> = await query.execute(db);
    if (r.rows.length === 0) return;
    const rows: unknown[][] = r.rows.map((row) => table.columns.map((c) => row[c]));
    yield rows;
    if (r.rows.length < batch) return;
    offset += rows.length;
    after = keyIdx.map((i) => rows[rows.length - 1]![i]);
  }
}

/** Both drivers bind at most 32 766 (SQLite) or 65 535 (PostgreSQL) parameters per statement. */
export function insertBatchSize(columnCount: number): number {
  return Math.max(1, Math.min(1000, Math.floor(30_000 / Math.max(1, columnCount))));
}

export async function insertRows(db: AnyDb, table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<void> {
  const size = insertBatchSize(columns.length);
  for (let i = 0; i < rows.length; i += size) {
    const values = rows.slice(i, i + size).map((row) => Object.fromEntries(columns.map((c, j) => [c, row[j]])));
    await db.insertInto(table).values(values).execute();
  }
}

/**
 * A SQLite file opened on its own handle, not through connect(): a backup file must be read
 * without switching it to WAL or otherwise writing to it.
 */
export function openSqliteFile(file: string, opts: { readonly: boolean }): { db: AnyDb; handle: SQLite.Database } {
  const handle = new SQLite(file, { readonly: opts.readonly, fileMustExist: true });
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: handle }) });
  return { db, handle };
}

/** SQLite's own check of every page and index: "ok", or the first problems it found. */
export function sqliteIntegrity(handle: SQLite.Database): string {
  const rows = handle.pragma('integrity_check') as { integrity_check: string }[];
  return rows.map((r) => r.integrity_check).join('; ');
}

export interface SignedVersionRef {
  pledgeId: string;
  number: number;
  state: 'signed' | 'superseded';
  periodSlug: string;
  /** The municipality in the pledge's public address (/kommun/{slug}/{period}). */
  municipalitySlug: string;
}

/** Every version that was signed, current or superseded: each has a PDF. */
export async function listSignedVersionRefs(db: AnyDb): Promise<SignedVersionRef[]> {
  const r = await sql<SignedVersionRef>`
    select pv.pledge_id as "pledgeId", pv.number as "number", pv.state as "state", p.period_slug as "periodSlug",
      (select party.slug from pledge_party pp join party on party.id = pp.party_id
        where pp.pledge_id = p.id and party.kind = 'municipality' order by pp.position limit 1) as "municipalitySlug"
    from pledge_version pv join pledge p on p.id = pv.pledge_id
    where pv.state in ('signed', 'superseded')
    order by 5, 4, 2`.execute(db);
  return r.rows.map((v) => ({ ...v, number: Number(v.number) }));
}

/**
 * PostgreSQL: moves every sequence behind a serial or identity column past the largest value
 * loaded, so the next insert does not collide. Ids are UUIDs today and no column has a
 * sequence; this keeps a future one from breaking restored databases silently.
 */
export async function advanceSequences(db: AnyDb): Promise<number> {
  if (!isPostgres(db)) return 0;
  const r = await sql<{ table: string; column: string; seq: string }>`
    select table_name as "table", column_name as "column", pg_get_serial_sequence(quote_ident(table_name), column_name) as "seq"
    from information_schema.columns
    where table_schema = current_schema() and (column_default like 'nextval(%' or is_identity = 'YES')`.execute(db);
  let n = 0;
  for (const s of r.rows) {
    if (!s.seq || MIGRATION_TABLES.has(s.table)) continue;
    await sql`select setval(${s.seq}::regclass, coalesce((select max(${sql.ref(s.column)}) from ${sql.table(s.table)}), 0) + 1, false)`.execute(db);
    n++;
  }
  return n;
}

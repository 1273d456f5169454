import { Migrator, sql, type MigrationResultSet } from 'kysely';
import type { Database } from '../../db/connect.js';
import { MigrationError } from '../../db/migrate.js';
import { migrationsFor } from '../../db/migrations/index.js';
import { ArchiveRefusedError, BackupFileError } from './archive-errors.js';
import { openBackup, type BackupSource } from './backup-format.js';
import { advanceSequences, appliedMigrations, countRows, insertRows, listForeignKeys, listTables, type AnyDb, type ForeignKey } from './backup-repo.js';

/**
 * `loften restore FILE`: a backup of either kind into an EMPTY database of either dialect (a SQLite
 * trial restored into production PostgreSQL is the same code path). Never merges: any row in the
 * target is a refusal. In one transaction on one connection (both dialects have transactional
 * DDL): migrate to the backup's migrations, load every table parents first, migrate to latest,
 * commit. Any failure rolls all of it back, so the target is exactly as empty as before.
 */

export interface RestoreSummary {
  file: string;
  kind: BackupSource['kind'];
  tables: number;
  rows: number;
  /** Migrations newer than the backup, run after loading it. */
  migratedAfter: string[];
}

export async function restoreDatabase(database: Database, file: string): Promise<RestoreSummary> {
  const source = await openBackup(file);
  try {
    const known = Object.keys(migrationsFor(database.dialect));
    const wanted = source.header.migrations;
    wanted.forEach((name, i) => {
      if (known[i] !== name) {
        throw new BackupFileError(
          known.includes(name)
            ? `Säkerhetskopians migreringar (${wanted.join(', ')}) stämmer inte med den här versionens.`
            : `Säkerhetskopian kommer från en nyare version av loften: migreringen ${name} finns inte i den här versionen.`,
        );
      }
    });
    await refuseUnlessEmpty(database.db, database.describe);
    const already = await appliedMigrations(database.db);
    if (already.some((name, i) => wanted[i] !== name)) {
      throw new ArchiveRefusedError(
        `Databasen ${database.describe} är migrerad längre (${already.at(-1)}) än säkerhetskopian (${wanted.at(-1) ?? 'inga migreringar'}); återställ till en helt ny databas.`,
      );
    }

    const summary = await database.db.connection().execute(async (conn) => {
      await sql`begin`.execute(conn);
      try {
        // Again inside the transaction: a row written since the first look must still mean no.
        await refuseUnlessEmpty(conn, database.describe);
        const migrator = new Migrator({ db: conn, provider: { getMigrations: async () => migrationsFor(database.dialect) }, disableTransactions: true });
        if (wanted.length > 0) check(await migrator.migrateTo(wanted.at(-1)!));
        const loaded = await load(conn, source);
        await advanceSequences(conn);
        const after = check(await migrator.migrateToLatest());
        await sql`commit`.execute(conn);
        return { ...loaded, migratedAfter: after };
      } catch (err) {
        await sql`rollback`.execute(conn).catch(() => {});
        throw err;
      }
    });
    // Fresh statistics for the planner; autovacuum would get there, but only later.
    if (database.dialect === 'postgres') await sql`analyze`.execute(database.db);
    return { file, kind: source.kind, ...summary };
  } finally {
    await source.close();
  }
}

export function restoreSummaryLine(s: RestoreSummary, describe: string): string {
  const after = s.migratedAfter.length > 0 ? `; migrerade sedan vidare: ${s.migratedAfter.join(', ')}` : '';
  return `Återställde ${s.file} till ${describe}: ${s.tables} tabeller, ${s.rows} rader${after}.`;
}

async function refuseUnlessEmpty(db: AnyDb, describe: string): Promise<void> {
  for (const t of await listTables(db)) {
    const n = await countRows(db, t.name);
    if (n > 0) throw new ArchiveRefusedError(`Databasen ${describe} är inte tom (${t.name}: ${n} rader). Återställ bara till en tom databas; inget har ändrats.`);
  }
}

function check(r: MigrationResultSet): string[] {
  if (r.error) {
    const failed = r.results?.find((m) => m.status === 'Error')?.migrationName ?? 'okänd';
    throw new MigrationError(`Migreringen ${failed} misslyckades under återställningen: ${(r.error as Error).message ?? String(r.error)}`);
  }
  return (r.results ?? []).filter((m) => m.status === 'Success').map((m) => m.migrationName);
}

async function load(conn: AnyDb, source: BackupSource): Promise<{ tables: number; rows: number }> {
  const targetTables = new Map((await listTables(conn)).map((t) => [t.name, t]));
  const keys = await listForeignKeys(conn);
  let current: { name: string; columns: string[]; selfRefs: ForeignKey[]; held: unknown[][] | null } | null = null;
  let tables = 0;
  let rows = 0;
  for await (const ev of source.events()) {
    if (ev.kind === 'table') {
      const target = targetTables.get(ev.name);
      const missing = target ? ev.columns.filter((c) => !target.columns.includes(c)) : [];
      if (!target || missing.length > 0) {
        throw new BackupFileError(`Tabellen ${ev.name} i säkerhetskopian passar inte databasen${missing.length ? ` (kolumnerna ${missing.join(', ')} saknas)` : ''}.`);
      }
      const selfRefs = keys.filter((k) => k.table === ev.name && k.references === ev.name);
      current = { name: ev.name, columns: ev.columns, selfRefs, held: selfRefs.length > 0 ? [] : null };
    } else if (ev.kind === 'rows') {
      if (current!.held) current!.held.push(...ev.rows);
      else await insertRows(conn, current!.name, current!.columns, ev.rows);
    } else {
      if (current!.held) await insertParentsFirst(conn, current!.name, current!.columns, current!.selfRefs, current!.held);
      tables++;
      rows += ev.rows;
      current = null;
    }
  }
  return { tables, rows };
}

/**
 * Rows of a table that points at itself (a correction at the update it corrects, a report at the
 * previous report), inserted in waves: first those whose reference is empty or outside the
 * table, then those whose referenced rows are in, and so on. Append-only tables cannot be loaded
 * with the reference filled in afterwards, since their triggers refuse any UPDATE.
 */
async function insertParentsFirst(conn: AnyDb, table: string, columns: string[], selfRefs: ForeignKey[], rows: unknown[][]): Promise<void> {
  const refs = selfRefs.map((k) => ({ from: k.columns.map((c) => columns.indexOf(c)), to: k.referencedColumns.map((c) => columns.indexOf(c)) }));
  const keyOf = (row: unknown[], idx: number[]) => JSON.stringify(idx.map((i) => row[i]));
  const present = refs.map((r) => new Set(rows.map((row) => keyOf(row, r.to))));
  const inserted = refs.map(() => new Set<string>());
  let pending = rows;
  while (pending.length > 0) {
    const ready: unknown[][] = [];
    const later: unknown[][] = [];
    for (const row of pending) {
      const ok = refs.every((r, k) => r.from.some((i) => row[i] === null || row[i] === undefined) || !present[k]!.has(keyOf(row, r.from)) || inserted[k]!.has(keyOf(row, r.from)));
      (ok ? ready : later).push(row);
    }
    if (ready.length === 0) throw new BackupFileError(`Raderna i ${table} pekar på varandra i en ring och går inte att läsa in.`);
    await insertRows(conn, table, columns, ready);
    for (const row of ready) refs.forEach((r, k) => inserted[k]!.add(keyOf(row, r.to)));
    pending = later;
  }
}

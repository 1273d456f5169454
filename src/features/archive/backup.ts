import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import SQLite from 'better-sqlite3';
import type { Database } from '../../db/connect.js';
import { isPostgres } from '../../db/executor.js';
import { ArchiveRefusedError } from './archive-errors.js';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, encodeValue, parentsFirst, type BackupHeader } from './backup-format.js';
import { appliedMigrations, countRows, listForeignKeys, listTables, openSqliteFile, readRows, sqliteIntegrity, type AnyDb } from './backup-repo.js';

/**
 * `loften backup FILE`: a consistent copy of a live database (the server may be running).
 * SQLite: the online backup API, copied in one step so it is one read snapshot; PostgreSQL (or
 * SQLite with format 'logical'): our gzip'd JSON lines, read inside one REPEATABLE READ READ ONLY
 * transaction. Either way the file is written under a temporary name in the same directory,
 * checked, synced and only then renamed into place: FILE is never half-written.
 */

export type BackupKind = 'sqlite' | 'logical';

export interface BackupSummary {
  file: string;
  kind: BackupKind;
  tables: number;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface BackupOptions {
  /** Replace an existing FILE. */
  force?: boolean;
  /** Default: 'sqlite' on SQLite, 'logical' on PostgreSQL. */
  kind?: BackupKind;
  now?: Date;
}

export async function backupDatabase(database: Database, file: string, opts: BackupOptions = {}): Promise<BackupSummary> {
  const target = resolve(file);
  const kind = opts.kind ?? (database.dialect === 'sqlite' ? 'sqlite' : 'logical');
  if (kind === 'sqlite' && database.dialect !== 'sqlite') throw new ArchiveRefusedError('En SQLite-fil går bara att göra av en SQLite-databas; för PostgreSQL blir säkerhetskopian loften-backup.');
  if (existsSync(target) && !opts.force) throw new ArchiveRefusedError(`${file} finns redan. Välj ett annat namn, eller ange --force för att ersätta den.`);
  if (!existsSync(dirname(target))) throw new ArchiveRefusedError(`Katalogen ${dirname(target)} finns inte.`);

  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const counted = kind === 'sqlite' ? await sqliteCopy(database, temp) : await logicalExport(database.db, temp, opts.now ?? new Date());
    await syncFile(temp);
    const { bytes, sha256 } = await hashFile(temp);
    await rename(temp, target);
    await syncDirectory(dirname(target));
    return { file, kind, ...counted, bytes, sha256 };
  } catch (err) {
    await rm(temp, { force: true });
    await rm(`${temp}-journal`, { force: true });
    throw err;
  }
}

export function backupSummaryLine(s: BackupSummary): string {
  const what = s.kind === 'sqlite' ? 'SQLite-fil' : 'loften-backup, gzip-komprimerade JSON-rader';
  return `Säkerhetskopia [${what}] sparad i ${s.file}: ${s.tables} tabeller, ${s.rows} rader, ${s.bytes} byte, sha256 ${s.sha256}`;
}

async function sqliteCopy(database: Database, temp: string): Promise<{ tables: number; rows: number }> {
  const source = database.describe.slice('sqlite:'.length);
  if (source === ':memory:') throw new ArchiveRefusedError('En databas i minnet (sqlite::memory:) går inte att säkerhetskopiera.');
  // Its own handle: the app's connection may be busy, and backup() needs the raw better-sqlite3 object.
  const handle = new SQLite(source, { fileMustExist: true });
  try {
    handle.pragma('busy_timeout = 5000');
    // All pages in one step, so the copy is one read snapshot: in small steps, every write by
    // another connection would restart the copy, and a busy server could starve it.
    await handle.backup(temp, { progress: () => 0x7fffffff });
  } finally {
    handle.close();
  }
  const { db, handle: copy } = openSqliteFile(temp, { readonly: false });
  try {
    // One self-contained file: no -wal or -shm next to it when it is opened later.
    copy.pragma('journal_mode = DELETE');
    const integrity = sqliteIntegrity(copy);
    if (integrity !== 'ok') throw new Error(`Kopian klarar inte SQLites integritetskontroll: ${integrity.slice(0, 200)}`);
    return await countAll(db);
  } finally {
    await db.destroy();
  }
}

async function countAll(db: AnyDb): Promise<{ tables: number; rows: number }> {
  const tables = await listTables(db);
  let rows = 0;
  for (const t of tables) rows += await countRows(db, t.name);
  return { tables: tables.length, rows };
}

/** Lines are gathered into chunks of about this many characters before they go to gzip. */
const CHUNK = 64 * 1024;

async function logicalExport(db: AnyDb, temp: string, now: Date): Promise<{ tables: number; rows: number }> {
  const postgres = isPostgres(db);
  let builder = db.transaction();
  // PostgreSQL: one snapshot for every table while the app goes on writing. SQLite: a read
  // transaction in WAL mode is already one snapshot.
  if (postgres) builder = builder.setIsolationLevel('repeatable read').setAccessMode('read only');
  return builder.execute(async (trx) => {
    const tables = parentsFirst(await listTables(trx), await listForeignKeys(trx));
    const header: BackupHeader = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      dialect: postgres ? 'postgres' : 'sqlite',
      migrations: await appliedMigrations(trx),
      createdAt: now.toISOString(),
      tables: tables.map((t) => t.name),
    };
    let total = 0;
    async function* lines(): AsyncGenerator<string> {
      yield `${JSON.stringify(header)}\n`;
      for (const t of tables) {
        let n = 0;
        let chunk = `${JSON.stringify({ table: t.name, columns: t.columns })}\n`;
        for await (const rows of readRows(trx, t)) {
          for (const row of rows) {
            chunk += `${JSON.stringify(row.map(encodeValue))}\n`;
            if (chunk.length >= CHUNK) {
              yield chunk;
              chunk = '';
            }
          }
          n += rows.length;
        }
        total += n;
        yield `${chunk}${JSON.stringify({ end: t.name, rows: n })}\n`;
      }
      yield `${JSON.stringify({ complete: true, tables: tables.length, rows: total })}\n`;
    }
    await pipeline(Readable.from(lines()), createGzip(), createWriteStream(temp, { flags: 'wx' }));
    return { tables: tables.length, rows: total };
  });
}

export async function hashFile(file: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return { bytes: (await stat(file)).size, sha256: hash.digest('hex') };
}

async function syncFile(file: string): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** The rename itself must reach the disk too; some file systems refuse to sync a directory. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Best effort.
  }
}

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Dialect } from '../../db/connect.js';
import { BackupFileError } from './archive-errors.js';
import { appliedMigrations, listForeignKeys, listTables, openSqliteFile, readRows, sqliteIntegrity, type ForeignKey, type TableInfo } from './backup-repo.js';

/**
 * The two kinds of backup file and one reader for both. `loften backup` on SQLite writes a SQLite
 * file (the online backup API); on PostgreSQL it writes our logical format, gzip'd JSON lines:
 *
 *   {"format":"loften-backup","formatVersion":1,"dialect":"postgres","migrations":[…],"createdAt":…,"tables":[…]}
 *   {"table":"party","columns":["id","kind",…]}
 *   ["…","municipality",…]            one line per row, values in column order
 *   {"end":"party","rows":3}
 *   …                                 every table, parents before children
 *   {"complete":true,"tables":35,"rows":1234}
 *
 * Values are JSON as the drivers return them (see db/connect.ts: dates and timestamps as
 * strings, counts as numbers); the only exceptions are bytes ({"$bytes": base64}) and numbers
 * JSON cannot carry ({"$number": "NaN"}). The trailer is how a truncated file is recognised even
 * when the gzip stream happens to end cleanly. Restore reads either kind as the same events, so
 * a SQLite backup also restores into PostgreSQL.
 */

export const BACKUP_FORMAT = 'loften-backup';
export const BACKUP_FORMAT_VERSION = 1;

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  dialect: Dialect;
  migrations: string[];
  createdAt: string;
  tables: string[];
}

export type BackupEvent =
  | { kind: 'table'; name: string; columns: string[] }
  | { kind: 'rows'; rows: unknown[][] }
  | { kind: 'end'; name: string; rows: number };

export interface BackupSource {
  kind: 'sqlite' | 'logical';
  header: BackupHeader;
  /** Tables in an order where every row's parents come first (apart from rows of its own table). */
  events(): AsyncGenerator<BackupEvent>;
  close(): Promise<void>;
}


export function encodeValue(v: unknown): unknown {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString('base64') };
  if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) };
  if (typeof v === 'bigint') return Number(v);
  return v;
}

export function decodeValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  const o = v as { $bytes?: string; $number?: string };
  if (typeof o.$bytes === 'string') return Buffer.from(o.$bytes, 'base64');
  if (typeof o.$number === 'string') return Number(o.$number);
  throw new BackupFileError('Säkerhetskopian innehåller ett värde som inte går att läsa.');
}

/**
 * Tables in foreign-key order: parents first. Self-references (a report pointing at the previous
 * report) are ignored here; restore orders those rows itself.
 */
export function parentsFirst(tables: readonly TableInfo[], keys: readonly ForeignKey[]): TableInfo[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: TableInfo[] = [];
  const visit = (t: TableInfo) => {
    if (done.has(t.name)) return;
    if (visiting.has(t.name)) throw new Error(`Foreign keys form a cycle through ${t.name}`);
    visiting.add(t.name);
    for (const fk of keys) if (fk.table === t.name && fk.references !== t.name && byName.has(fk.references)) visit(byName.get(fk.references)!);
    visiting.delete(t.name);
    done.add(t.name);
    out.push(t);
  };
  for (const t of [...tables].sort((a, b) => a.name.localeCompare(b.name))) visit(t);
  return out;
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/** Opens a backup file of either kind, recognised by its first bytes rather than its name. */
export async function openBackup(file: string): Promise<BackupSource> {
  let head: Buffer;
  try {
    const fh = await open(file, 'r');
    try {
      head = Buffer.alloc(16);
      const { bytesRead } = await fh.read(head, 0, 16, 0);
      head = head.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw new BackupFileError(`Kan inte läsa ${file}: ${(err as Error).message}`);
  }
  if (head.length === 16 && head.equals(SQLITE_MAGIC)) return openSqliteBackup(file);
  if (head.length >= 2 && head.subarray(0, 2).equals(GZIP_MAGIC)) return openLogicalBackup(file);
  throw new BackupFileError(`${file} är ingen säkerhetskopia från loften (varken en SQLite-fil eller loften-backup).`);
}

async function openSqliteBackup(file: string): Promise<BackupSource> {
  let opened: ReturnType<typeof openSqliteFile>;
  try {
    opened = openSqliteFile(file, { readonly: true });
  } catch (err) {
    throw new BackupFileError(`Kan inte öppna SQLite-filen ${file}: ${(err as Error).message}`);
  }
  const { db, handle } = opened;
  try {
    const integrity = sqliteIntegrity(handle);
    if (integrity !== 'ok') throw new BackupFileError(`SQLite-filen ${file} är skadad: ${integrity.slice(0, 200)}`);
    const tables = parentsFirst(await listTables(db), await listForeignKeys(db));
    const header: BackupHeader = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      dialect: 'sqlite',
      migrations: await appliedMigrations(db),
      createdAt: '',
      tables: tables.map((t) => t.name),
    };
    return {
      kind: 'sqlite',
      header,
      async *events() {
        for (const t of tables) {
          yield { kind: 'table', name: t.name, columns: t.columns };
          let n = 0;
          for await (const rows of readRows(db, t)) {
            n += rows.length;
            yield { kind: 'rows', rows };
          }
          yield { kind: 'end', name: t.name, rows: n };
        }
      },
      close: () => db.destroy(),
    };
  } catch (err) {
    await db.destroy().catch(() => {});
    if (err instanceof BackupFileError) throw err;
    throw new BackupFileError(`SQLite-filen ${file} går inte att läsa: ${(err as Error).message}`);
  }
}

const ROWS_PER_EVENT = 1000;

async function openLogicalBackup(file: string): Promise<BackupSource> {
  const stream = createReadStream(file).pipe(createGunzip());
  const lines = createInterface({ input: stream, crlfDelay: Infinity })[Symbol.asyncIterator]();
  let lineNo = 0;
  const broken = (why: string) => new BackupFileError(`${file} är skadad eller avkortad (rad ${lineNo}): ${why}`);
  const next = async (): Promise<unknown> => {
    let r: IteratorResult<string>;
    try {
      r = await lines.next();
    } catch (err) {
      throw broken((err as Error).message);
    }
    if (r.done) throw broken('filen tar slut för tidigt');
    lineNo++;
    try {
      return JSON.parse(r.value);
    } catch {
      throw broken('raden är inte JSON');
    }
  };
  const close = async () => {
    stream.destroy();
  };
  let header: BackupHeader;
  try {
    header = (await next()) as BackupHeader;
  } catch (err) {
    await close();
    throw err;
  }
  if (header?.format !== BACKUP_FORMAT) {
    await close();
    throw new BackupFileError(`${file} är ingen säkerhetskopia från loften.`);
  }
  if (header.formatVersion !== BACKUP_FORMAT_VERSION) {
    await close();
    throw new BackupFileError(`${file} har formatversion ${header.formatVersion}; den här versionen av loften läser version ${BACKUP_FORMAT_VERSION}.`);
  }
  return {
    kind: 'logical',
    header,
    async *events() {
      let total = 0;
      for (const name of header.tables) {
        const start = (await next()) as { table?: string; columns?: string[] };
        if (start?.table !== name || !Array.isArray(start.columns)) throw broken(`väntade tabellen ${name}`);
        yield { kind: 'table', name, columns: start.columns };
        let n = 0;
        let batch: unknown[][] = [];
        for (;;) {
          const line = await next();
          if (!Array.isArray(line)) {
            const end = line as { end?: string; rows?: number };
            if (end?.end !== name) throw broken(`väntade slutet på tabellen ${name}`);
            if (batch.length > 0) yield { kind: 'rows', rows: batch };
            if (end.rows !== n) throw broken(`tabellen ${name} ska ha ${end.rows} rader men har ${n}`);
            yield { kind: 'end', name, rows: n };
            break;
          }
          if (line.length !== start.columns.length) throw broken(`fel antal värden i en rad i ${name}`);
          batch.push(line.map(decodeValue));
          n++;
          if (batch.length >= ROWS_PER_EVENT) {
            yield { kind: 'rows', rows: batch };
            batch = [];
          }
        }
        total += n;
      }
      const trailer = (await next()) as { complete?: boolean; rows?: number };
      if (trailer?.complete !== true || trailer.rows !== total) throw broken('slutmarkeringen saknas eller stämmer inte');
    },
    close,
  };
}

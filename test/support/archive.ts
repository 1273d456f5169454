import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { Executor } from '../../src/db/executor.js';
import { isPostgres } from '../../src/db/executor.js';
import { seedDemo } from '../../src/features/demo/seed.js';
import { signedInAs } from './auth.js';

/** Shared by the backup/restore and export --all suites: a full database, a dump of it, the real CLI. */

const BIN = join(import.meta.dirname, '../../bin/loften.js');

export function loften(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, LOG_LEVEL: 'silent', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end();
  });
}

export interface Secrets {
  password: string;
  passwordHash: string;
  sessionToken: string;
  sessionId: string;
  ssoSecret: string;
}

/**
 * The demo seed (signed versions, follow-ups, meetings, reports, wastewater, indicators) plus a
 * user with a password and a live session (so an audit row too), an SSO client secret, and a
 * chunk of raw bytes.
 */
export async function fillDatabase(db: Executor): Promise<Secrets> {
  await seedDemo(db);
  const party = await db.selectFrom('party').select('id').where('slug', '=', 'strangnas').executeTakeFirstOrThrow();
  const password = 'ett hemligt lösenord för testet';
  const session = await signedInAs(db, { role: 'admin', partyId: party.id, password });
  const user = await db.selectFrom('app_user').select('password_hash').where('id', '=', session.user.id).executeTakeFirstOrThrow();
  const stored = await db.selectFrom('user_session').select('id').where('user_id', '=', session.user.id).executeTakeFirstOrThrow();
  const ssoSecret = 'sso-klienthemlighet-4b1d0c';
  const now = new Date().toISOString();
  await db
    .insertInto('party_sso')
    .values({ party_id: party.id, issuer_url: 'https://idp.example.se', client_id: 'loften', client_secret: ssoSecret, email_domains: 'strangnas.se', role_claim: null, default_role: 'viewer', enabled: 1, created_at: now, updated_at: now })
    .execute();
  // Bytes that text would mangle (NUL, 0xff, invalid UTF-8), so the round trip covers the one blob column.
  const anImport = await db.selectFrom('wastewater_import').select('id').executeTakeFirstOrThrow();
  await db.insertInto('wastewater_upload_chunk').values({ import_id: anImport.id, seq: 999, data: Buffer.from([0, 1, 0xff, 0xfe, 0xc3, 0x28, 10, 13, 0]) }).execute();
  return { password, passwordHash: user.password_hash!, sessionToken: session.cookie.split('=')[1]!, sessionId: stored.id, ssoSecret };
}

/** Table names straight from the catalogue, without the code under test. */
export async function tableNames(db: Kysely<any>): Promise<string[]> {
  const r = isPostgres(db)
    ? await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db)
    : await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db);
  return r.rows.map((t) => t.name).filter((n) => !n.startsWith('kysely_migration')).sort();
}

/** Every row of every table, sorted in JavaScript so two dialects' collations cannot differ. */
export async function dumpAll(db: Kysely<any>): Promise<Record<string, Record<string, unknown>[]>> {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const name of await tableNames(db)) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(db)).rows;
    out[name] = rows.map((r) => Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k]]))).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  return out;
}

export async function migrationNames(db: Kysely<any>): Promise<string[]> {
  return (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)).rows.map((r) => r.name);
}

export async function totalRows(db: Kysely<any>): Promise<number> {
  let n = 0;
  for (const name of await tableNames(db)) n += Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(name)}`.execute(db)).rows[0]!.n);
  return n;
}

import { spawn, type ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import type { Executor } from '../../src/db/executor.js';
import { BIN } from './server-process.js';

/** Shared by the fault tests: waiting for a state, killing a real process, HTTP forms against a real server. */

/** Polls `check` until it returns something truthy; fails with `what` after `timeoutMs`. */
export async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 60_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`Väntade förgäves på: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface CliRun {
  child: ChildProcess;
  /** Exit code (null when killed by a signal) and everything printed. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** The real `loften` binary as a child process that the test may kill. */
export function runCli(args: string[], env: Record<string, string>): CliRun {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, LOG_LEVEL: 'silent', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/** Row counts of the tables a test says must be unchanged: the public record and its history. */
export async function countRows<T extends string>(db: Executor, tables: readonly T[]): Promise<Record<T, number>> {
  const out = {} as Record<T, number>;
  for (const t of tables) {
    const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(t)}`.execute(db);
    out[t] = Number(r.rows[0]!.n);
  }
  return out;
}

/** PostgreSQL: how many sessions of this database wait for a lock while running a statement that contains `fragment`. */
export async function lockWaiters(db: Executor, fragment: string): Promise<number> {
  const r = await sql<{ n: number | string }>`
    select count(*) as n from pg_stat_activity
    where datname = current_database() and wait_event_type = 'Lock' and position(${fragment} in query) > 0`.execute(db);
  return Number(r.rows[0]!.n);
}

/**
 * Runs `hold` in a transaction and keeps it open until `release()` is called: for holding a row
 * lock (select … for update) that another process's transaction then has to wait for.
 */
export function holdTransaction(db: Executor, hold: (trx: Executor) => Promise<void>): { held: Promise<void>; release(): Promise<void> } {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let held!: () => void;
  const isHeld = new Promise<void>((r) => (held = r));
  const finished = (db as { transaction(): { execute<T>(fn: (trx: Executor) => Promise<T>): Promise<T> } })
    .transaction()
    .execute(async (trx) => {
      await hold(trx);
      held();
      await released;
      // Roll back: nothing of ours is meant to be kept.
      throw new HeldRollback();
    })
    .catch((err: unknown) => {
      if (!(err instanceof HeldRollback)) throw err;
    });
  return {
    held: isHeld,
    release: async () => {
      release();
      await finished;
    },
  };
}

class HeldRollback extends Error {}

/** A form page fetched over real HTTP: its CSRF token and the cookie header to post with. */
export async function formToken(url: string, cookie: string): Promise<{ token: string; cookie: string }> {
  const res = await fetch(url, { headers: { cookie } });
  const body = await res.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
  if (!token) throw new Error(`Ingen CSRF-token på ${url} (status ${res.status})`);
  const secret = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('loften_csrf='));
  return { token, cookie: [cookie, secret].filter(Boolean).join('; ') };
}

/** Posts a urlencoded form over real HTTP with a fresh CSRF token from `formUrl`; redirects are not followed. */
export async function postFormHttp(base: string, formUrl: string, action: string, fields: Record<string, string>, cookie: string): Promise<Response> {
  const c = await formToken(base + formUrl, cookie);
  return fetch(base + action, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: c.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...fields, _csrf: c.token }).toString(),
  });
}

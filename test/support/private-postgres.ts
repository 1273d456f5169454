import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { unavailable } from './env.js';

/**
 * A throwaway PostgreSQL cluster of the test's own, on its own port and socket directory, for
 * tests that stop and start the server under a running app. The shared cluster on 5432 must never
 * be restarted: other test files run on it at the same time.
 *
 * PostgreSQL refuses to run as root, so when the tests run as root (CI does) initdb and pg_ctl run
 * as the `postgres` OS user, and the directory is handed to it.
 */

const run = promisify(execFile);

/** The newest installed server's bin directory (Debian: /usr/lib/postgresql/{major}/bin), or null. */
function findBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const majors = readdirSync(root)
    .filter((d) => /^\d+$/.test(d) && existsSync(join(root, d, 'bin', 'initdb')) && existsSync(join(root, d, 'bin', 'pg_ctl')))
    .sort((x, y) => Number(y) - Number(x));
  return majors[0] ? join(root, majors[0], 'bin') : null;
}

/** uid and gid of the `postgres` user, when we are root and must switch to it. */
function runAs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('Testerna körs som root men det finns ingen användare postgres att köra PostgreSQL som.');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

const BIN = findBinDir();

/** Why a private cluster cannot be made here (a failure in CI, a loud skip elsewhere), or false. */
export const privatePostgresSkip: string | false = BIN ? false : unavailable('initdb och pg_ctl (PostgreSQL-servern)', 'hittades inte under /usr/lib/postgresql/*/bin');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:{port}/{database} */
  url: string;
  port: number;
  /** pg_ctl stop -m fast: clients are disconnected at once. */
  stop(): Promise<void>;
  /** pg_ctl start, waiting until it accepts connections. */
  start(): Promise<void>;
  /** Stops the cluster if it runs and deletes its directory. */
  dispose(): Promise<void>;
}

/** initdb into a temp dir, start it, and create one empty database. */
export async function startPrivatePostgres(database = 'loften'): Promise<PrivatePostgres> {
  if (!BIN) throw new Error(String(privatePostgresSkip));
  const as = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'loften-pg-'));
  if (as) chownSync(dir, as.uid, as.gid);
  const data = join(dir, 'data');
  const log = join(dir, 'postgres.log');
  const port = await freePort();
  const exec = (cmd: string, args: string[]) => run(join(BIN, cmd), args, { ...(as ?? {}), cwd: dir, env: { ...process.env, LC_ALL: 'C.UTF-8', PGDATA: data } });
  let running = false;
  const pgCtl = async (action: 'start' | 'stop') => {
    try {
      if (action === 'start')
        await exec('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40`, 'start']);
      else await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
      running = action === 'start';
    } catch (err) {
      const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-20).join('\n') : '';
      throw new Error(`pg_ctl ${action} misslyckades: ${(err as Error).message}\n${tail}`);
    }
  };
  const dispose = async () => {
    if (running) await pgCtl('stop').catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await exec('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync', '--no-instructions']);
    await pgCtl('start');
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    await admin.connect();
    await admin.query(`create database ${database}`);
    await admin.end();
  } catch (err) {
    await dispose();
    throw err;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    stop: () => pgCtl('stop'),
    start: () => pgCtl('start'),
    dispose,
  };
}

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';

/**
 * A real `loften serve` in its own process, for the tests that need what inject() cannot give:
 * several instances on one database, a SIGKILL, a database restart under a live server.
 */
export const BIN = join(import.meta.dirname, '../../bin/loften.js');

export interface ServerProcess {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  child: ChildProcessWithoutNullStreams;
  /** Everything the process wrote so far, stdout and stderr interleaved. */
  output(): string;
  /** Sends the signal and resolves with the exit code (null after a kill) once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  databaseUrl: string;
  /** Extra environment; wins over the defaults below. */
  env?: Record<string, string>;
  /** How long to wait for the "körs på" line. */
  timeoutMs?: number;
  /** Run as another user (e.g. nobody, to make a file really read-only for the server when the tests run as root). */
  user?: { uid: number; gid: number };
  /** Working directory of the process (default: this one's, the project root). */
  cwd?: string;
}

/**
 * Starts the server on a free loopback port and resolves once it listens. Defaults: no demo data,
 * plain-http cookies (the tests talk http to 127.0.0.1), no periodic reminders, logs off, no
 * page cache staleness grace.
 */
export function startServerProcess(opts: StartOptions): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--host', '127.0.0.1', '--port', '0'], {
    env: {
      ...process.env,
      DATABASE_URL: opts.databaseUrl,
      LOFTEN_DEMO: 'false',
      COOKIE_SECURE: 'false',
      REMINDER_INTERVAL_MINUTES: '0',
      LOG_LEVEL: 'silent',
      PUBLIC_BASE_URL: '',
      // Read-after-write, as buildApp without the setting: a test that reads what it just wrote must see it.
      PAGE_CACHE_GRACE_MS: '0',
      ...opts.env,
    },
    ...(opts.user ?? {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`loften serve did not start within ${opts.timeoutMs ?? 30_000} ms:\n${out}`));
    }, opts.timeoutMs ?? 30_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /körs på (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1]!.replace('localhost', '127.0.0.1'),
          child,
          output: () => out,
          stop: async (signal = 'SIGTERM') => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`loften serve exited with ${code} before listening:\n${out}`));
    });
  });
}

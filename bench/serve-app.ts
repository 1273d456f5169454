import { buildApp } from '../src/app.js';
import { connect } from '../src/db/connect.js';

/**
 * Child process of bench/run.ts: the real app on an existing (already migrated and seeded)
 * database, logger off, on loopback, on a free port. Prints {"port": n} as its first stdout line.
 * Exits when its parent closes our stdin (parent died) or on SIGTERM/SIGINT (clean exit, so that
 * `--cpu-prof` can write its profile).
 */
const url = process.argv[2];
if (!url?.startsWith('sqlite:')) {
  console.error('usage: serve-app.ts sqlite:/path/to/db');
  process.exit(2);
}

const database = await connect(url);
const app = await buildApp({ db: database.db }, { logger: false });
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
if (!address || typeof address === 'string') throw new Error('no TCP address');

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    const force = setTimeout(() => process.exit(code), 3000);
    force.unref();
    await app.close().catch(() => {});
    await database.close().catch(() => {});
  }
  process.exit(code);
}
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));
process.stdin.on('end', () => void stop(0));
process.stdin.on('error', () => void stop(0));
process.stdin.resume();

process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);

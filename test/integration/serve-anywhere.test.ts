import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

/**
 * cron, a systemd unit without WorkingDirectory, or `npx loften` from a home directory start the
 * server somewhere else than the project. The sources are compiled on the fly, so the compiler
 * settings (JSX for the views) must come from the project, not from the working directory.
 */
describe('loften serve started from another directory', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'loften-elsewhere-'));
  let server: ServerProcess | null = null;
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders its pages there too', async () => {
    server = await startServerProcess({ databaseUrl: `sqlite:${join(dir, 'loften.db')}`, cwd: dir, env: { LOFTEN_DEMO: 'true' }, timeoutMs: 90_000 });
    const res = await fetch(`${server.url}/kommun/strangnas`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Strängnäs');
  });
});

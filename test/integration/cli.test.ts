import { execFile, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targets } from '../support/databases.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/loften.js');

/** Runs the real `loften` binary as an operator would, and never throws: exit code and output are the result. */
async function loften(args: string[], env: Record<string, string> = {}) {
  try {
    const r = await run(process.execPath, [BIN, ...args], { env: { ...process.env, LOG_LEVEL: 'silent', ...env }, timeout: 30_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('loften CLI: help and usage', () => {
  it.each(['serve', 'migrate', 'seed', 'export'])('%s --help explains itself', async (cmd) => {
    const r = await loften([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Användning: loften ${cmd}`));
  });

  it('lists the commands with --help, and refuses unknown ones with exit 2', async () => {
    expect((await loften(['--help'])).stdout).toMatch(/serve[\s\S]*migrate[\s\S]*seed --demo[\s\S]*export pledge/);
    const bad = await loften(['frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('loften: Okänt kommando: frobnicate. Skriv "loften --help".');
    const badFlag = await loften(['migrate', '--bogus']);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('loften CLI: bad configuration and unreachable databases', () => {
  it('refuses bad config with one line and no stack', async () => {
    const r = await loften(['migrate'], { DATABASE_URL: 'mysql://nope', PORT: 'x' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^loften: Ogiltig konfiguration: .*DATABASE_URL.*PORT/);
  });

  it('names a SQLite file that cannot be opened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loften-cli-'));
    const locked = join(dir, 'locked');
    writeFileSync(locked, '');
    chmodSync(locked, 0o400);
    // A regular file where a directory should be: the database can't be created, even as root.
    const r = await loften(['migrate'], { DATABASE_URL: `sqlite:${locked}/sub/loften.db` });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^loften: Kan inte öppna SQLite-databasen .*locked\/sub\/loften.db/);
  });

  it('names an unreachable PostgreSQL without its password', async () => {
    const r = await loften(['migrate'], { DATABASE_URL: 'postgres://u:hemligt@127.0.0.1:1/x' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^loften: Kan inte nå PostgreSQL på postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x/);
    expect(r.stderr).not.toContain('hemligt');
  });
});

/** Starts `loften serve` on a free port and resolves with the URL it prints. */
function serve(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { env: { ...process.env, LOG_LEVEL: 'silent', ...env } });
  let out = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /körs på (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve avslutades (${code}): ${out}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, url, exited, output: () => out };
}

for (const target of targets) {
  describe.skipIf(target.skip)(`loften CLI on ${target.name}`, () => {
    let url: string;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      const t = await target.open();
      url = t.url;
      // The CLI must find the database as it is; let it own the connection.
      await t.close();
      dispose = t.dispose;
    });
    afterAll(async () => dispose?.().catch(() => {}));

    it('migrates, seeds the demo once, and exports a pledge as JSON', async () => {
      const env = { DATABASE_URL: url };
      expect((await loften(['migrate'], env)).stdout).toContain('Databasen är redan uppdaterad.');
      const first = await loften(['seed', '--demo'], env);
      expect(first.stdout.trim()).toBe('Exempeldata: 3 nya medborgarlöften, 6 nya parter.');
      expect((await loften(['seed', '--demo'], env)).stdout.trim()).toBe('Exempeldata: 0 nya medborgarlöften, 0 nya parter.');
      expect((await loften(['seed'], env)).code).toBe(2);

      const { connect } = await import('../../src/db/connect.js');
      const d = await connect(url);
      const row = await d.db.selectFrom('pledge').select('id').where('period_slug', '=', '2022-2023').executeTakeFirstOrThrow();
      await d.close();

      const out = await loften(['export', 'pledge', row.id, '--format', 'json'], env);
      expect(out.code).toBe(0);
      const doc = JSON.parse(out.stdout);
      expect(doc.title).toBe('Medborgarlöfte för Strängnäs kommun 2022–2023');
      expect(doc.focusAreas).toHaveLength(2);

      const missing = await loften(['export', 'pledge', '00000000-0000-4000-8000-000000000000'], env);
      expect(missing.code).toBe(1);
      expect(missing.stderr.trim()).toBe('loften: Det finns inget löfte med id 00000000-0000-4000-8000-000000000000.');
      expect((await loften(['export', 'pledge', row.id, '--format', 'xml'], env)).code).toBe(2);
    }, 90_000); // seven runs of the real binary: on a busy two-core machine each start takes seconds

    it('serves the seeded register at the printed URL and shuts down cleanly on SIGTERM', async () => {
      const s = serve([], { DATABASE_URL: url });
      const base = await s.url;
      const page = await fetch(`${base}/kommun/strangnas`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Christer Sjökvist');
      s.child.kill('SIGTERM');
      expect(await s.exited).toBe(0);
    });
  });

  describe.skipIf(target.skip)(`loften serve --no-demo on ${target.name}`, () => {
    it('starts with an empty register', async () => {
      const t = await target.open();
      await t.close();
      const s = serve(['--no-demo'], { DATABASE_URL: t.url });
      try {
        const base = await s.url;
        expect(s.output()).not.toContain('exempeldata');
        const html = await (await fetch(`${base}/`)).text();
        expect(html).toContain('Det finns inga publicerade medborgarlöften ännu.');
      } finally {
        s.child.kill('SIGTERM');
        await s.exited;
        await t.dispose();
      }
    });
  });
}

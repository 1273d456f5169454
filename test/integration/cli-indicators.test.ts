import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { seedDemo } from '../../src/features/demo/seed.js';
import { listIndicatorsOfParty, listValues } from '../../src/features/indicators/indicator-repo.js';
import { defineIndicator } from '../../src/features/indicators/indicator-service.js';
import { fetchKolada } from '../../src/features/indicators/kolada-fetch.js';
import { findPartyBySlug } from '../../src/features/pledges/pledge-repo.js';
import { targets } from '../support/databases.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/loften.js');
const FIXTURES = join(import.meta.dirname, '../fixtures/kolada');

async function loften(args: string[], env: Record<string, string>) {
  try {
    const r = await run(process.execPath, [BIN, ...args], { env: { ...process.env, LOG_LEVEL: 'silent', KOLADA_API_URL: '', ...env }, timeout: 30_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A stand-in for api.kolada.se on loopback, serving the recorded pages and noting what was asked. */
async function koladaServer(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const page = new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? '1';
    if (!req.url?.startsWith('/v2/data/kpi/N07403,N07540/municipality/0486')) {
      res.writeHead(404).end();
      return;
    }
    const body = readFileSync(join(FIXTURES, `n07540-0486-page${page}.json`), 'utf8').replaceAll('http://kolada.invalid', base);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: `${base}/v2`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('the Kolada fetcher against a local server', () => {
  let kolada: Awaited<ReturnType<typeof koladaServer>>;
  beforeAll(async () => {
    kolada = await koladaServer();
  });
  afterAll(async () => kolada?.close());

  it('follows next_page on the same server and returns one answer', async () => {
    const r = await fetchKolada({ baseUrl: kolada.url, municipalityCode: '0486', kpis: ['N07403', 'N07540'] });
    expect(r.pages).toBe(2);
    expect(kolada.requests).toEqual(['/v2/data/kpi/N07403,N07540/municipality/0486', '/v2/data/kpi/N07403,N07540/municipality/0486?page=2&per_page=3']);
    expect(JSON.parse(r.text).values).toHaveLength(5);
  });

  it('refuses an answer that is not Kolada’s, and a server that cannot be reached', async () => {
    await expect(fetchKolada({ baseUrl: kolada.url, municipalityCode: '0428', kpis: ['N07540'] })).rejects.toThrow(/svarade 404/);
    await expect(fetchKolada({ baseUrl: 'http://127.0.0.1:1/v2', municipalityCode: '0486', kpis: ['N07540'] })).rejects.toThrow(/Kunde inte nå/);
  });
});

for (const target of targets) {
  // Each test starts the real binary several times; on a busy two-core machine that alone can take half a minute.
  describe.skipIf(target.skip)(`loften indicators on ${target.name}`, { timeout: 120_000 }, () => {
    let url: string;
    let dispose: () => Promise<void>;
    let dir: string;
    let kolada: Awaited<ReturnType<typeof koladaServer>>;

    beforeAll(async () => {
      const t = await target.open();
      url = t.url;
      await seedDemo(t.db);
      const strangnas = (await findPartyBySlug(t.db, 'strangnas'))!;
      const deps = { db: t.db, clock: () => new Date() };
      for (const [kpi, name] of [
        ['N07540', 'Anmälda brott totalt per 100 000 invånare'],
        ['N07403', 'Anmälda våldsbrott per 100 000 invånare'],
      ] as const)
        await defineIndicator(deps, { partyId: strangnas.id, name, unit: 'per_100k', direction: 'down', source: 'kolada', koladaKpi: kpi, level: 'municipality', reportingLagMonths: '4' }, { actor: null, label: 'test' });
      await t.close();
      dispose = t.dispose;
      dir = mkdtempSync(join(tmpdir(), 'loften-ind-'));
      kolada = await koladaServer();
    });
    afterAll(async () => {
      await kolada?.close();
      await dispose?.().catch(() => {});
    });

    async function valuesOf(code: string) {
      const d = await connect(url);
      try {
        const party = (await findPartyBySlug(d.db, 'strangnas'))!;
        const ind = (await listIndicatorsOfParty(d.db, party.id)).find((i) => i.code === code)!;
        return (await listValues(d.db, ind.id)).map((v) => `${v.period} ${v.gender} ${v.value ?? '–'} ${v.status}`);
      } finally {
        await d.close();
      }
    }

    it('explains itself', async () => {
      const r = await loften(['indicators', '--help'], { DATABASE_URL: url });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Användning: loften indicators import-kolada FIL --municipality KOMMUNKOD/);
      expect((await loften(['--help'], { DATABASE_URL: url })).stdout).toContain('indicators import-kolada FIL --municipality KOMMUNKOD');
      const bad = await loften(['indicators', 'import-kolada', 'x.json'], { DATABASE_URL: url });
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim()).toBe('loften: Ange kommunen med --municipality och fyra siffror, t.ex. --municipality 0486. Skriv "loften indicators --help".');
    });

    it('imports a Kolada file, reports nothing new the second time, and refuses another municipality’s file', async () => {
      const file = join(FIXTURES, 'n07540-0486-page1.json');
      const dry = await loften(['indicators', 'import-kolada', file, '--municipality', '0486', '--dry-run'], { DATABASE_URL: url });
      expect(dry.stdout).toContain('Strängnäs kommun, ');
      expect(dry.stdout).toContain(': 3 nya värden, 0 rättelser, 0 ändrade statusar, 0 oförändrade.\nProvkörning: inget sparades.');
      expect(await valuesOf('N07540')).toEqual([]);

      const first = await loften(['indicators', 'import-kolada', file, '--municipality', '0486'], { DATABASE_URL: url });
      expect(first.code).toBe(0);
      expect(first.stdout.trim().split('\n').at(-1)).toBe('Sparat.');
      expect(await valuesOf('N07540')).toEqual(['2021 T 8123.4 final', '2022 T 7950.1 final', '2023 T – not_yet_available']);
      const again = await loften(['indicators', 'import-kolada', file, '--municipality', '0486'], { DATABASE_URL: url });
      expect(again.stdout).toContain('0 nya värden, 0 rättelser, 0 ändrade statusar, 3 oförändrade.\nInget nytt att spara.');

      const other = await loften(['indicators', 'import-kolada', file, '--municipality', '0428'], { DATABASE_URL: url });
      expect(other.code).toBe(1);
      expect(other.stderr).toContain('loften: Importen avbröts och inget sparades.');
      expect(other.stderr).toContain('loften: Post 1, kolumn municipality: Filen har värden för kommun 0486 (Strängnäs kommun), men du importerar till Vingåkers kommun (0428).');
    });

    it('imports a CSV (Windows-1252 from Excel too), and lists each bad row', async () => {
      const bad = join(dir, 'fel.csv');
      writeFileSync(bad, 'indicator;period;value;status\nN07540;2021;-5;final\nN07540;tjugo;5;final\n');
      const refused = await loften(['indicators', 'import-csv', bad, '--party', 'strangnas'], { DATABASE_URL: url });
      expect(refused.code).toBe(1);
      expect(refused.stderr.trim().split('\n')).toEqual([
        'loften: Importen avbröts och inget sparades.',
        'loften: Rad 3, kolumn period: "tjugo" är ingen period. Skriv ett år (2023), en månad (2023-05) eller ett datum (2023-05-14).',
      ]);
      const negative = join(dir, 'negativ.csv');
      writeFileSync(negative, 'indicator;period;value;status\nN07540;2021;-5;final\n');
      expect((await loften(['indicators', 'import-csv', negative, '--party', 'strangnas'], { DATABASE_URL: url })).stderr).toContain('Rad 2, kolumn value: -5 är negativt');

      // "kön" and "värde" in Windows-1252, as Swedish Excel saves "CSV".
      const excel = join(dir, 'excel.csv');
      writeFileSync(excel, Buffer.from('indikator;period;v\xe4rde;k\xf6n\r\nN07540;2023;7801,2;T\r\n', 'latin1'));
      const ok = await loften(['indicators', 'import-csv', excel, '--party', 'strangnas'], { DATABASE_URL: url });
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain('1 ändrad status');
      expect(ok.stdout).toContain('N07540 2023: Inte tillgängligt ännu → 7 801,2 per 100 000 invånare');
      expect(await valuesOf('N07540')).toContain('2023 T 7801.2 final');
    });

    it('fetches from Kolada only when KOLADA_API_URL is set, through the same import', async () => {
      const off = await loften(['indicators', 'fetch-kolada', '--municipality', '0486'], { DATABASE_URL: url });
      expect(off.code).toBe(2);
      expect(off.stderr).toContain('Hämtning från Kolada är avstängd.');
      expect(kolada.requests).toEqual([]);

      const on = await loften(['indicators', 'fetch-kolada', '--municipality', '0486'], { DATABASE_URL: url, KOLADA_API_URL: kolada.url });
      expect(on.stderr).toBe('');
      expect(on.code).toBe(0);
      expect(kolada.requests).toHaveLength(2);
      // 2023 was imported from the CSV above; Kolada still says Missing, which is a correction from a number to none.
      expect(on.stdout).toContain('6 nya värden, 1 rättelse, 0 ändrade statusar, 2 oförändrade.');
      expect(await valuesOf('N07403')).toEqual(['2021 K 801.2 final', '2021 M 1220.9 final', '2021 T 1012.5 final', '2022 K – not_yet_available', '2022 M 1175.4 final', '2022 T 987 final']);
    });
  });
}

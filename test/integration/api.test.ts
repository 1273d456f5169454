import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openapiDocument } from '../../src/features/api/openapi.js';
import { createPledge } from '../../src/features/pledges/pledge-service.js';
import { targets } from '../support/databases.js';
import { openApp, type TestApp } from '../support/app.js';
import { buildMunicipality, buildPoliceArea, pledgeInput } from '../support/factories.js';

for (const target of targets) {
  describe.skipIf(target.skip)(`JSON API on ${target.name}`, () => {
    let s: TestApp;
    beforeAll(async () => {
      s = await openApp(target);
    });
    afterAll(async () => s?.close());

    const get = (url: string) => s.app.inject({ method: 'GET', url });

    it('lists the published pledges of a municipality by kommunkod', async () => {
      const res = await get('/api/v1/pledges?municipality=0486');
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      const { data } = res.json();
      expect(data).toHaveLength(1);
      expect(data[0]).toMatchObject({
        title: 'Medborgarlöfte för Strängnäs kommun 2022–2023',
        period: '2022-2023',
        state: 'signed',
        isExampleData: true,
        municipalities: [{ code: '0486', name: 'Strängnäs kommun', slug: 'strangnas' }],
        pages: ['/kommun/strangnas/2022-2023'],
      });
    });

    it('lists every published pledge newest first without a filter', async () => {
      const { data } = (await get('/api/v1/pledges')).json();
      expect(data.map((d: { period: string }) => d.period)).toEqual(['2022-2023', '2022', '2021-2022']);
    });

    it('returns the whole nested pledge', async () => {
      const { data } = (await get('/api/v1/pledges?municipality=0486')).json();
      const res = await get(data[0].href);
      expect(res.statusCode).toBe(200);
      const p = res.json();
      expect(p.parties.map((x: { kind: string }) => x.kind)).toEqual(['municipality', 'police_area']);
      expect(p.signatories).toHaveLength(2);
      expect(p.focusAreas).toHaveLength(2);
      const activities = p.focusAreas.flatMap((f: any) => f.commitments.flatMap((c: any) => c.activities));
      expect(activities).toHaveLength(7);
      const ids = new Set(p.parties.map((x: { id: string }) => x.id));
      expect(activities.every((a: { ownerPartyId: string }) => ids.has(a.ownerPartyId))).toBe(true);
    });

    it.each([
      ['/api/v1/pledges/123', 400, 'invalid_id'],
      ['/api/v1/pledges/not-a-uuid', 400, 'invalid_id'],
      ['/api/v1/pledges?municipality=486', 400, 'invalid_parameter'],
      ['/api/v1/pledges?municipality=abcd', 400, 'invalid_parameter'],
      ['/api/v1/pledges?municipality=9999', 404, 'not_found'],
      ['/api/v1/pledges/00000000-0000-4000-8000-000000000000', 404, 'not_found'],
      ['/api/v1/nothing', 404, 'not_found'],
    ])('answers %s with %i and the stable code %s', async (url, status, code) => {
      const res = await get(url);
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      const body = res.json();
      expect(body.error.code).toBe(code);
      expect(typeof body.error.message).toBe('string');
      expect(body.error.message.length).toBeGreaterThan(0);
    });

    it('never exposes a draft, by id or in a list', async () => {
      const m = await buildMunicipality(s.t.db, { municipalityCode: '0999', slug: 'apiutkast' });
      const p = await buildPoliceArea(s.t.db);
      const draft = await createPledge(s.t.db, pledgeInput(m, p, { state: 'draft' }));
      expect((await get(`/api/v1/pledges/${draft.id}`)).json()).toEqual({ error: { code: 'not_found', message: 'Löftet finns inte.' } });
      expect((await get('/api/v1/pledges?municipality=0999')).json()).toEqual({ data: [] });
      expect(JSON.stringify((await get('/api/v1/pledges')).json())).not.toContain(draft.id);
    });

    it('answers from its cache until the next write, with an ETag and its own compression', async () => {
      const m = await buildMunicipality(s.t.db, { municipalityCode: '0998', slug: 'apicache' });
      const p = await buildPoliceArea(s.t.db);
      const first = await get('/api/v1/pledges?municipality=0998');
      expect(first.json()).toEqual({ data: [] });
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^W\//);
      const again = await s.app.inject({ method: 'GET', url: '/api/v1/pledges?municipality=0998', headers: { 'if-none-match': etag } });
      expect(again.statusCode).toBe(304);
      // A signed pledge appears on the very next request: the write dropped the cached answer.
      const signed = await createPledge(s.t.db, pledgeInput(m, p, { state: 'signed', signedOn: '2024-01-01' }));
      const after = await s.app.inject({ method: 'GET', url: '/api/v1/pledges?municipality=0998', headers: { 'if-none-match': etag, 'accept-encoding': 'gzip' } });
      expect(after.statusCode).toBe(200);
      expect(after.headers['content-encoding']).toBe('gzip');
      expect(after.headers['access-control-allow-origin']).toBe('*');
      expect(after.headers['cache-control']).toBe('public, max-age=60');
      expect(JSON.parse(gunzipSync(after.rawPayload).toString('utf8')).data.map((d: { id: string }) => d.id)).toEqual([signed.id]);
    });

    it('publishes an OpenAPI document whose paths all answer', async () => {
      const res = await get('/api/v1/openapi.json');
      expect(res.statusCode).toBe(200);
      const doc = res.json();
      expect(doc).toEqual(JSON.parse(JSON.stringify(openapiDocument)));
      expect(doc.openapi).toBe('3.1.0');
      const { data } = (await get('/api/v1/pledges')).json();
      for (const [path, item] of Object.entries<{ servers?: { url: string }[] }>(doc.paths)) {
        // Open-data paths live outside /api/v1 and say so with a server of their own.
        const base = item.servers?.[0]?.url.replace(/\/$/, '') ?? '/api/v1';
        const url = `${base}${path.replace('{id}', data[0].id).replace('{slug}', 'strangnas').replace('{period}', '2022-2023').replace('{kommunkod}', '0486')}`;
        expect((await get(url)).statusCode, url).toBe(200);
      }
      const codes = doc.components.schemas.Error.properties.error.properties.code.enum;
      const { errorStatus } = await import('../../src/platform/errors.js');
      expect([...codes].sort()).toEqual(Object.keys(errorStatus).sort());
    });
  });
}

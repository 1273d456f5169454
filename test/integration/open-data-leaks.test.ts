import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openapiDocument } from '../../src/features/api/openapi.js';
import type { Actor } from '../../src/features/access/policy.js';
import { updateActivity } from '../../src/features/pledges/pledge-editing.js';
import { findActivityWithPledge } from '../../src/features/pledges/editing-repo.js';
import { createPledge } from '../../src/features/pledges/pledge-service.js';
import { addSection } from '../../src/features/pledges/structure-editing.js';
import { startAmendment, withdrawVersion } from '../../src/features/signing/signing.js';
import { openApp, type TestApp } from '../support/app.js';
import { signedInAs } from '../support/auth.js';
import { targets } from '../support/databases.js';
import { buildMunicipality, buildPoliceArea, pledgeInput } from '../support/factories.js';
import { freezeWithAccounts, operatorActor, signAs } from '../support/signing-flow.js';

/**
 * Drafts, versions awaiting signatures and withdrawn versions must not reach any public surface.
 * Each carries a unique marker; every open-data URL (and the API and pages around them) is
 * fetched and searched for it. The signed version of the amended pledge must still be there,
 * so the search cannot pass by finding nothing at all.
 */

const MARK = {
  draft: 'LÄCKTEST-UTKAST-7f3a',
  awaiting: 'LÄCKTEST-VÄNTAR-91c2',
  withdrawn: 'LÄCKTEST-ÅTERKALLAD-55d0',
  amendment: 'LÄCKTEST-ÄNDRING-c4e8',
  amendedActivity: 'LÄCKTEST-AKTIVITET-0b9e',
};

for (const target of targets) {
  describe.skipIf(target.skip)(`Draft leaks into open data on ${target.name}`, () => {
    let s: TestApp;
    let operator: Actor;
    const hidden: string[] = [];
    let amendedId = '';
    const deps = () => ({ db: s.t.db, clock: () => new Date('2026-11-27T12:00:00Z') });

    async function draftIn(slug: string, code: string, title: string) {
      const m = await buildMunicipality(s.t.db, { name: `${title} kommun`, slug, municipalityCode: code });
      const p = await buildPoliceArea(s.t.db);
      const doc = await createPledge(s.t.db, pledgeInput(m, p, { state: 'draft', title, background: `Bakgrund ${title}` }));
      hidden.push(doc.id);
      return doc;
    }

    beforeAll(async () => {
      s = await openApp(target, { publicBaseUrl: 'https://medborgarloften.example.se' });
      operator = operatorActor((await signedInAs(s.t.db, { superadmin: true })).user);

      // A draft never frozen.
      await draftIn('lackeby', '0998', MARK.draft);

      // A draft frozen for signing, with one of two signatures.
      const awaiting = await draftIn('vantinge', '0997', MARK.awaiting);
      const frozen = await freezeWithAccounts(deps(), operator, awaiting.id);
      await signAs(deps(), frozen.signers[0]!, frozen.version);

      // A version withdrawn from signing.
      const withdrawn = await draftIn('atertorp', '0996', MARK.withdrawn);
      const w = await freezeWithAccounts(deps(), operator, withdrawn.id);
      await withdrawVersion(deps(), operator, w.version.id);

      // A signed pledge being amended: new text in the working copy, frozen as version 2, half signed.
      const m = await buildMunicipality(s.t.db, { name: 'Ändringsby kommun', slug: 'andringsby', municipalityCode: '0995' });
      const p = await buildPoliceArea(s.t.db);
      const signed = await createPledge(s.t.db, pledgeInput(m, p, { title: 'Medborgarlöfte för Ändringsby kommun 2024–2025', signedOn: '2024-03-01' }));
      amendedId = signed.id;
      await startAmendment(deps(), operator, signed.id);
      await addSection(deps(), operator, 'focus_area', signed.id, { title: MARK.amendment, description: MARK.amendment });
      const activityId = signed.focusAreas[0]!.commitments[0]!.activities[0]!.id;
      const row = await findActivityWithPledge(s.t.db, activityId);
      await updateActivity(deps(), operator, activityId, { version: String(row!.version), description: MARK.amendedActivity, targetKind: 'none' });
      const v2 = await freezeWithAccounts(deps(), operator, signed.id);
      await signAs(deps(), v2.signers[0]!, v2.version);
      hidden.push(v2.version.id, v2.version.contentHash);
    });
    afterAll(async () => s?.close());

    const get = (url: string) => s.app.inject({ method: 'GET', url });
    const slugs = ['lackeby', 'vantinge', 'atertorp', 'andringsby'];

    /** Every open-data URL from the OpenAPI document, filled in for each municipality, plus the API and pages. */
    function publicUrls(): string[] {
      const urls = new Set<string>(['/', '/api/v1/pledges', '/api/v1/openapi.json']);
      for (const [path, item] of Object.entries<{ servers?: { url: string }[] }>(openapiDocument.paths as never)) {
        const base = item.servers?.[0]?.url.replace(/\/$/, '') ?? '/api/v1';
        if (path.includes('{id}')) continue;
        for (const slug of slugs) urls.add(`${base}${path.replace('{slug}', slug).replace('{period}', '2024-2025')}`);
      }
      for (const slug of slugs) {
        urls.add(`/kommun/${slug}`);
        urls.add(`/kommun/${slug}/2024-2025`);
      }
      return [...urls];
    }

    it('finds no marker of an unsigned text in any download, feed, the catalogue, the API or a page', async () => {
      const urls = publicUrls();
      expect(urls.length).toBeGreaterThan(30);
      const { data } = (await get('/api/v1/pledges')).json();
      for (const p of data) urls.push(p.href);
      const markers = [...Object.values(MARK), ...hidden];
      for (const url of urls) {
        const res = await get(url);
        const body = res.body;
        for (const marker of markers) expect(body.includes(marker), `${marker} in ${url} (${res.statusCode})`).toBe(false);
      }
    });

    it('treats municipalities with nothing signed as unknown everywhere', async () => {
      for (const slug of ['lackeby', 'vantinge', 'atertorp']) {
        for (const url of [`/kommun/${slug}/flode.atom`, `/kommun/${slug}/medborgarloften.csv`, `/kommun/${slug}/aktiviteter.json`, `/kommun/${slug}/2024-2025/aktiviteter.csv`])
          expect((await get(url)).statusCode, url).toBe(404);
      }
      const dcat = (await get('/dcat')).body;
      expect(dcat).not.toMatch(/lackeby|vantinge|atertorp/);
      expect(dcat).toContain('/kommun/andringsby/flode.atom');
    });

    it('still publishes the signed version of the pledge being amended, and only that', async () => {
      const csv = (await get('/kommun/andringsby/aktiviteter.csv')).body;
      expect(csv).toContain('Mopedkontroller');
      expect(csv).toContain('Trygg trafikmiljö');
      const pledges = (await get('/data/medborgarloften.json')).json().data.filter((r: { pledge_id: string }) => r.pledge_id === amendedId);
      expect(pledges).toHaveLength(1);
      expect(pledges[0]).toMatchObject({ version_number: 1, focus_areas: ['Trygg trafikmiljö'] });
      const feed = (await get('/kommun/andringsby/flode.atom')).body;
      expect(feed.match(/<entry>/g)).toHaveLength(1);
      expect(feed).toContain('Version 1 av medborgarlöftet 2024–2025 undertecknad');
      expect(feed).not.toContain('Version 2');
    });
  });
}

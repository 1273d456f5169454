import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyOfPledge } from '../../src/features/audit/audit.js';
import { loadPledgeDocument } from '../../src/features/pledges/pledge-repo.js';
import * as edit from '../../src/features/pledges/structure-editing.js';
import { AppError, EditConflictError } from '../../src/platform/errors.js';
import { openApp, type TestApp } from '../support/app.js';
import { postForm, signedInAs } from '../support/auth.js';
import { targets } from '../support/databases.js';
import { buildPledge } from '../support/factories.js';
import { actorOf } from '../../src/features/accounts/account-service.js';
import type { Actor } from '../../src/features/access/policy.js';

for (const target of targets) {
  describe.skipIf(target.skip)(`building a draft on ${target.name}`, () => {
    let s: TestApp;
    let built: Awaited<ReturnType<typeof buildPledge>>;
    let muni: Actor;
    let police: Actor;
    let muniCookie: string;
    const deps = () => ({ db: s.t.db, clock: () => new Date() });

    beforeAll(async () => {
      s = await openApp(target, { demo: false });
      built = await buildPledge(s.t.db, { state: 'draft' });
      const m = await signedInAs(s.t.db, { role: 'editor', partyId: built.municipality.id });
      const p = await signedInAs(s.t.db, { role: 'editor', partyId: built.police.id });
      muniCookie = m.cookie;
      const toActor = (u: typeof m.user): Actor => actorOf({ id: u.id, name: u.name, email: u.email, party_id: u.partyId, role: u.role, is_superadmin: 0 });
      muni = toActor(m.user);
      police = toActor(p.user);
    });
    afterAll(async () => s?.close());

    it('adds focus areas and commitments in order, moves them, and audits each change', async () => {
      const fa2 = await edit.addSection(deps(), police, 'focus_area', built.pledge.id, { title: 'Våld i nära relation' });
      const c1 = await edit.addSection(deps(), muni, 'commitment', fa2, { title: 'Informationsmöten', description: 'Med polisen' });
      await edit.addSection(deps(), muni, 'commitment', fa2, { title: 'En vecka fri från våld' });
      await edit.moveSection(deps(), muni, 'focus_area', fa2, 'up');
      await edit.moveSection(deps(), muni, 'commitment', c1, 'down');
      const doc = await loadPledgeDocument(s.t.db, built.pledge.id);
      expect(doc!.focusAreas.map((f) => f.title)).toEqual(['Våld i nära relation', 'Trygg trafikmiljö']);
      expect(doc!.focusAreas[0]!.commitments.map((c) => c.title)).toEqual(['En vecka fri från våld', 'Informationsmöten']);
      const actions = (await historyOfPledge(s.t.db, built.pledge.id)).map((e) => e.action);
      for (const a of ['focus_area.create', 'commitment.create', 'focus_area.move', 'commitment.move']) expect(actions).toContain(a);
    });

    it('refuses to remove a section that still has content, and removes an empty one', async () => {
      const fa = built.pledge.focusAreas[0]!;
      await expect(edit.removeSection(deps(), muni, 'focus_area', fa.id)).rejects.toMatchObject({ code: 'validation_failed' });
      const empty = await edit.addSection(deps(), muni, 'focus_area', built.pledge.id, { title: 'Tomt' });
      await edit.removeSection(deps(), muni, 'focus_area', empty);
      const doc = await loadPledgeDocument(s.t.db, built.pledge.id);
      expect(doc!.focusAreas.some((f) => f.title === 'Tomt')).toBe(false);
      const removed = (await historyOfPledge(s.t.db, built.pledge.id)).find((e) => e.action === 'focus_area.delete');
      expect(removed?.before).toEqual({ title: 'Tomt', description: '' });
    });

    it('lets each party add only activities it owns', async () => {
      const commitment = built.pledge.focusAreas[0]!.commitments[0]!;
      await expect(edit.addActivity(deps(), police, commitment.id, { ownerPartyId: built.municipality.id, description: 'x' })).rejects.toMatchObject({ code: 'forbidden' });
      const id = await edit.addActivity(deps(), police, commitment.id, { ownerPartyId: built.police.id, description: 'Hastighetskontroller' });
      await expect(edit.removeActivity(deps(), muni, id)).rejects.toMatchObject({ code: 'forbidden' });
      await edit.removeActivity(deps(), police, id);
    });

    it('edits signatories with optimistic locking', async () => {
      const sig = built.pledge.signatories[1]!;
      const form = { version: '1', partyId: built.municipality.id, name: 'Kim Ny', roleTitle: 'Kommundirektör' };
      await edit.updateSignatory(deps(), muni, sig.id, form);
      const err = await edit.updateSignatory(deps(), police, sig.id, { ...form, name: 'Någon annan' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EditConflictError);
      expect((err as EditConflictError).current).toMatchObject({ name: 'Kim Ny' });
      await expect(edit.addSignatory(deps(), muni, built.pledge.id, { partyId: built.municipality.id, name: '', roleTitle: '' })).rejects.toSatisfy(
        (e: unknown) => e instanceof AppError && e.fields.map((f) => f.field).sort().join() === 'name,roleTitle',
      );
    });

    it('keeps the form input and explains errors in Swedish over HTTP', async () => {
      const url = `/admin/loften/${built.pledge.id}/fokusomraden/ny`;
      const res = await postForm(s.app, url, url, { title: '', description: 'Min beskrivning' }, muniCookie);
      expect(res.statusCode).toBe(422);
      expect(res.body).toContain('href="#f-title">Ange en rubrik.</a>');
      expect(res.body).toContain('>Min beskrivning</textarea>');
    });
  });
}

import { describe, expect, it } from 'vitest';
import { authorize, can, type Actor } from '../../src/features/access/policy.js';

const actor = (over: Partial<Actor>): Actor => ({ userId: 'u', name: 'N', email: 'n@x.se', partyId: 'kommun', role: 'editor', isSuperadmin: false, ...over });
const draft = { state: 'draft' as const, partyIds: ['kommun', 'polis'] };
const signed = { ...draft, state: 'signed' as const };

describe('policy', () => {
  it('never lets the police edit a municipality-owned activity, nor the reverse', () => {
    expect(can(actor({ partyId: 'polis' }), { action: 'activity.edit', pledge: draft, ownerPartyId: 'kommun' })).toBe(false);
    expect(can(actor({ partyId: 'kommun' }), { action: 'activity.edit', pledge: draft, ownerPartyId: 'polis' })).toBe(false);
    expect(can(actor({ partyId: 'polis', role: 'admin' }), { action: 'activity.report', pledge: signed, ownerPartyId: 'kommun' })).toBe(false);
    expect(can(actor({ partyId: 'kommun' }), { action: 'activity.edit', pledge: draft, ownerPartyId: 'kommun' })).toBe(true);
  });

  it('locks signed text for everyone, the operator included', () => {
    expect(can(actor({ isSuperadmin: true, partyId: null, role: null }), { action: 'pledge.edit', pledge: signed })).toBe(false);
    expect(can(actor({ isSuperadmin: true, partyId: null, role: null }), { action: 'pledge.edit', pledge: draft })).toBe(true);
  });

  it('locks a pledge awaiting signatures like a signed one, but lets its parties manage the signing', () => {
    const frozen = { ...draft, state: 'awaiting_signatures' as const };
    const operator = actor({ isSuperadmin: true, partyId: null, role: null });
    expect(can(operator, { action: 'pledge.edit', pledge: frozen })).toBe(false);
    expect(can(actor({}), { action: 'activity.edit', pledge: frozen, ownerPartyId: 'kommun' })).toBe(false);
    expect(can(actor({}), { action: 'activity.report', pledge: frozen, ownerPartyId: 'kommun' })).toBe(true);
    expect(can(actor({ partyId: 'polis', role: 'editor' }), { action: 'signing.manage', pledge: frozen })).toBe(true);
    expect(can(actor({ role: 'reporter' }), { action: 'signing.manage', pledge: frozen })).toBe(false);
    expect(can(actor({ partyId: 'annan', role: 'admin' }), { action: 'signing.manage', pledge: frozen })).toBe(false);
    expect(can(actor({}), { action: 'signing.manage', pledge: { ...draft, state: 'archived' } })).toBe(false);
  });

  it('lets only the designated person sign, never the operator on their behalf', () => {
    expect(can(actor({ userId: 'kim', role: 'viewer' }), { action: 'version.sign', signatoryUserIds: ['kim', 'pia'] })).toBe(true);
    expect(can(actor({ userId: 'ola', role: 'admin' }), { action: 'version.sign', signatoryUserIds: ['kim', 'pia'] })).toBe(false);
    expect(can(actor({ userId: 'op', isSuperadmin: true, partyId: null, role: null }), { action: 'version.sign', signatoryUserIds: ['kim'] })).toBe(false);
    expect(can(null, { action: 'version.sign', signatoryUserIds: [null] })).toBe(false);
  });

  it('lets the other parties respond to an update, never the owner, a viewer, an outsider or the operator', () => {
    const respond = (a: Actor, pledge: { state: 'draft' | 'signed' | 'archived'; partyIds: string[] } = signed) => can(a, { action: 'activity.respond', pledge, ownerPartyId: 'kommun' });
    expect(respond(actor({ partyId: 'polis', role: 'reporter' }))).toBe(true);
    expect(respond(actor({ partyId: 'polis', role: 'admin' }), draft)).toBe(true);
    expect(respond(actor({ partyId: 'polis', role: 'viewer' }))).toBe(false);
    expect(respond(actor({ partyId: 'kommun', role: 'admin' }))).toBe(false);
    expect(respond(actor({ partyId: 'annan', role: 'admin' }))).toBe(false);
    expect(respond(actor({ isSuperadmin: true, partyId: null, role: null }))).toBe(false);
    expect(respond(actor({ partyId: 'polis', role: 'admin' }), { ...signed, state: 'archived' })).toBe(false);
    // The owner reports; the other party does not.
    expect(can(actor({ partyId: 'kommun', role: 'reporter' }), { action: 'activity.report', pledge: signed, ownerPartyId: 'kommun' })).toBe(true);
    expect(can(actor({ partyId: 'polis', role: 'reporter' }), { action: 'activity.report', pledge: signed, ownerPartyId: 'kommun' })).toBe(false);
  });

  it('distinguishes not signed in (401) from not allowed (403)', () => {
    expect(() => authorize(null, { action: 'outbox.read' })).toThrow(expect.objectContaining({ code: 'unauthenticated' }));
    expect(() => authorize(actor({ role: 'viewer' }), { action: 'outbox.read' })).toThrow(expect.objectContaining({ code: 'forbidden' }));
  });

  it('lets a party manage its own indicators only, and reporters import but not define them', () => {
    expect(can(actor({ role: 'editor' }), { action: 'indicator.manage', partyId: 'kommun' })).toBe(true);
    expect(can(actor({ role: 'editor', partyId: 'polis' }), { action: 'indicator.manage', partyId: 'kommun' })).toBe(false);
    expect(can(actor({ role: 'reporter' }), { action: 'indicator.manage', partyId: 'kommun' })).toBe(false);
    expect(can(actor({ role: 'reporter' }), { action: 'indicator.import', partyId: 'kommun' })).toBe(true);
    expect(can(actor({ role: 'viewer' }), { action: 'indicator.import', partyId: 'kommun' })).toBe(false);
    expect(can(actor({ role: 'viewer' }), { action: 'indicator.read', partyId: 'kommun' })).toBe(true);
    expect(can(actor({ role: 'admin', partyId: 'polis' }), { action: 'indicator.read', partyId: 'kommun' })).toBe(false);
    expect(can(actor({ isSuperadmin: true, partyId: null, role: null }), { action: 'indicator.import', partyId: 'kommun' })).toBe(true);
  });

  it('links indicators to signed pledges (outcomes are follow-up), never to archived ones or to pledges of other parties', () => {
    const archived = { ...draft, state: 'archived' as const };
    expect(can(actor({ role: 'editor' }), { action: 'indicator.link', partyId: 'kommun', pledge: signed })).toBe(true);
    expect(can(actor({ role: 'editor' }), { action: 'indicator.link', partyId: 'kommun', pledge: archived })).toBe(false);
    expect(can(actor({ isSuperadmin: true, partyId: null, role: null }), { action: 'indicator.link', partyId: 'kommun', pledge: archived })).toBe(false);
    // The police's editor may not link the municipality's indicator, even to their shared pledge.
    expect(can(actor({ role: 'editor', partyId: 'polis' }), { action: 'indicator.link', partyId: 'kommun', pledge: draft })).toBe(false);
    expect(can(actor({ role: 'editor' }), { action: 'indicator.link', partyId: 'kommun', pledge: { state: 'draft', partyIds: ['annan', 'polis'] } })).toBe(false);
    expect(can(actor({ role: 'reporter' }), { action: 'indicator.link', partyId: 'kommun', pledge: draft })).toBe(false);
  });
  it('lets admins and editors of either party manage Brå meetings, also during an amendment; on an archived pledge only the operator', () => {
    const manage = (a: Actor, pledge: { state: 'draft' | 'signed' | 'archived' | 'awaiting_signatures'; partyIds: string[] } = signed) => can(a, { action: 'meeting.manage', pledge });
    expect(manage(actor({ role: 'admin' }))).toBe(true);
    expect(manage(actor({ role: 'editor', partyId: 'polis' }))).toBe(true);
    expect(manage(actor({ role: 'editor' }), draft)).toBe(true);
    expect(manage(actor({ role: 'editor' }), { ...draft, state: 'awaiting_signatures' })).toBe(true);
    expect(manage(actor({ role: 'reporter' }))).toBe(false);
    expect(manage(actor({ role: 'viewer' }))).toBe(false);
    expect(manage(actor({ role: 'admin', partyId: 'annan' }))).toBe(false);
    expect(manage(actor({ isSuperadmin: true, partyId: null, role: null }))).toBe(true);
    expect(manage(actor({ role: 'admin' }), { ...draft, state: 'archived' })).toBe(false);
    expect(manage(actor({ isSuperadmin: true, partyId: null, role: null }), { ...draft, state: 'archived' })).toBe(true);
    expect(manage(null as unknown as Actor)).toBe(false);
  });
});

describe('wastewater policy', () => {
  const own = 'kommun';
  it('lets every role of the owning municipality read, editors and admins import, and only admins configure', () => {
    for (const role of ['admin', 'editor', 'reporter', 'viewer'] as const) {
      const a = actor({ partyId: own, role });
      expect(can(a, { action: 'wastewater.read', partyId: own })).toBe(true);
      expect(can(a, { action: 'wastewater.import', partyId: own })).toBe(role === 'admin' || role === 'editor');
      expect(can(a, { action: 'wastewater.configure', partyId: own })).toBe(role === 'admin');
    }
  });

  it('shows another party nothing, not even the police of the same pledge', () => {
    for (const action of ['wastewater.read', 'wastewater.import', 'wastewater.configure'] as const) {
      expect(can(actor({ partyId: 'polis', role: 'admin' }), { action, partyId: own })).toBe(false);
      expect(can(null, { action, partyId: own })).toBe(false);
      expect(can(actor({ isSuperadmin: true, partyId: null, role: null }), { action, partyId: own })).toBe(true);
    }
  });
});

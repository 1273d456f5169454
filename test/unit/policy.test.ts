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

  it('distinguishes not signed in (401) from not allowed (403)', () => {
    expect(() => authorize(null, { action: 'outbox.read' })).toThrow(expect.objectContaining({ code: 'unauthenticated' }));
    expect(() => authorize(actor({ role: 'viewer' }), { action: 'outbox.read' })).toThrow(expect.objectContaining({ code: 'forbidden' }));
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

import type { Party, PledgeDocument, PledgeSummary } from './pledge.js';

/**
 * The public JSON shape of a pledge, used by the API and `loften export`. Written out field by
 * field so that a new internal column never leaks into open data by accident.
 */
export function presentParty(p: Party) {
  return { id: p.id, kind: p.kind, name: p.name, slug: p.slug, municipalityCode: p.municipalityCode, county: p.county, websiteUrl: p.websiteUrl };
}

export function presentSummary(p: PledgeSummary, municipalities: Party[]) {
  return {
    id: p.id,
    title: p.title,
    startsOn: p.startsOn,
    endsOn: p.endsOn,
    period: p.periodSlug,
    state: p.state,
    isExampleData: p.isDemo,
    municipalities: municipalities.map((m) => ({ code: m.municipalityCode, name: m.name, slug: m.slug })),
    href: `/api/v1/pledges/${p.id}`,
    pages: municipalities.map((m) => `/kommun/${m.slug}/${p.periodSlug}`),
  };
}

export function presentPledge(p: PledgeDocument) {
  return {
    ...presentSummary(p, p.parties.filter((x) => x.kind === 'municipality')),
    background: p.background,
    updatedAt: p.updatedAt,
    version: p.version,
    signedVersion: p.signing
      ? {
          number: p.signing.versionNumber,
          contentHash: p.signing.contentHash,
          signedAt: p.signing.signedAt,
          verifyUrl: `/v/${p.signing.contentHash.slice(0, 12)}`,
          meeting: p.signing.meeting ? { on: p.signing.meeting.on, kind: p.signing.meeting.kind } : null,
          signatures: p.signing.signatures.map((s) => ({ name: s.name, roleTitle: s.roleTitle, partyId: s.partyId, signedAt: s.signedAt, method: s.method })),
        }
      : null,
    parties: p.parties.map(presentParty),
    signatories: p.signatories.map((s) => ({ id: s.id, partyId: s.partyId, name: s.name, roleTitle: s.roleTitle })),
    focusAreas: p.focusAreas.map((fa) => ({
      id: fa.id,
      title: fa.title,
      description: fa.description,
      commitments: fa.commitments.map((c) => ({
        id: c.id,
        title: c.title,
        description: c.description,
        activities: c.activities.map((a) => ({
          id: a.id,
          ownerPartyId: a.ownerPartyId,
          description: a.description,
          target: a.target,
          schedule: a.schedule,
          status: a.status,
        })),
      })),
    })),
  };
}

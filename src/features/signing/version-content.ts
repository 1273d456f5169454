import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Activity, Party, PledgeDocument, Schedule, Target } from '../pledges/pledge.js';

/**
 * What a frozen version holds, and the hash that signatories sign.
 *
 * The stored document keeps ids, so that follow-ups, indicators and the public pages can refer to
 * the activities of a signed version. The hash does not cover them: it covers what the signatories
 * read (text, structure, owners, targets, period), serialised by RFC 8785 (JSON Canonicalization
 * Scheme). The same content therefore gives the same hash in SQLite and PostgreSQL, in a restored
 * backup, or recomputed by anyone from the open-data JSON.
 */

export const VERSION_FORMAT = 'loften.pledge-version/1';

export interface VersionActivity {
  id: string;
  ownerPartyId: string;
  description: string;
  target: Target | null;
  schedule: Schedule | null;
}

export interface VersionDocument {
  format: typeof VERSION_FORMAT;
  pledgeId: string;
  title: string;
  startsOn: string;
  endsOn: string;
  background: string;
  isDemo: boolean;
  parties: Pick<Party, 'id' | 'kind' | 'name' | 'slug' | 'municipalityCode' | 'county' | 'websiteUrl'>[];
  signatories: { id: string; partyId: string; userId: string | null; name: string; roleTitle: string }[];
  focusAreas: {
    id: string;
    title: string;
    description: string;
    commitments: { id: string; title: string; description: string; activities: VersionActivity[] }[];
  }[];
}

/** Freezes a working copy. Activity status is left out: it moves with follow-up, not with signing. */
export function snapshotOf(doc: PledgeDocument, signatoryUsers: ReadonlyMap<string, string | null>): VersionDocument {
  return {
    format: VERSION_FORMAT,
    pledgeId: doc.id,
    title: doc.title,
    startsOn: doc.startsOn,
    endsOn: doc.endsOn,
    background: doc.background,
    isDemo: doc.isDemo,
    parties: doc.parties.map((p) => ({
      id: p.id,
      kind: p.kind,
      name: p.name,
      slug: p.slug,
      municipalityCode: p.municipalityCode,
      county: p.county,
      websiteUrl: p.websiteUrl,
    })),
    signatories: doc.signatories.map((s) => ({ id: s.id, partyId: s.partyId, userId: signatoryUsers.get(s.id) ?? null, name: s.name, roleTitle: s.roleTitle })),
    focusAreas: doc.focusAreas.map((fa) => ({
      id: fa.id,
      title: fa.title,
      description: fa.description,
      commitments: fa.commitments.map((c) => ({
        id: c.id,
        title: c.title,
        description: c.description,
        activities: c.activities.map((a: Activity) => ({ id: a.id, ownerPartyId: a.ownerPartyId, description: a.description, target: a.target, schedule: a.schedule })),
      })),
    })),
  };
}

/** The signed content: what a reader of the pledge sees, with parties named rather than referenced by id. */
export function signedContentOf(v: VersionDocument) {
  const partyName = (id: string) => v.parties.find((p) => p.id === id)?.name ?? id;
  return {
    format: v.format,
    title: v.title,
    period: { startsOn: v.startsOn, endsOn: v.endsOn },
    background: v.background,
    parties: v.parties.map((p) => ({ kind: p.kind, name: p.name, municipalityCode: p.municipalityCode })),
    signatories: v.signatories.map((s) => ({ party: partyName(s.partyId), name: s.name, roleTitle: s.roleTitle })),
    focusAreas: v.focusAreas.map((fa) => ({
      title: fa.title,
      description: fa.description,
      commitments: fa.commitments.map((c) => ({
        title: c.title,
        description: c.description,
        activities: c.activities.map((a) => ({ owner: partyName(a.ownerPartyId), description: a.description, target: a.target, schedule: a.schedule })),
      })),
    })),
  };
}

export function canonicalContent(v: VersionDocument): string {
  const text = canonicalize(signedContentOf(v));
  if (text === undefined) throw new Error('the version content cannot be canonicalised');
  return text;
}

/** SHA-256 of the canonical content, as 64 lower-case hex digits. */
export function contentHash(v: VersionDocument): string {
  return createHash('sha256').update(canonicalContent(v), 'utf8').digest('hex');
}

/** Short enough to type from paper, long enough (48 bits) that two versions never share one. */
export const SHORT_HASH_LENGTH = 12;
export const shortHash = (hash: string) => hash.slice(0, SHORT_HASH_LENGTH);
export const HASH_PREFIX = /^[0-9a-f]{8,64}$/;

/**
 * A version in the shape the pledge views take. Status is not part of a version, so it comes from
 * `statuses` (the live rows, on public pages) or shows as planned (on the signing page, where the
 * status column is hidden anyway).
 */
export function documentForDisplay(v: VersionDocument, statuses: ReadonlyMap<string, Activity['status']> = new Map()): Pick<PledgeDocument, 'parties' | 'signatories' | 'focusAreas'> {
  return {
    parties: v.parties.map((p): Party => ({ ...p, isDemo: v.isDemo })),
    signatories: v.signatories.map((s) => ({ id: s.id, partyId: s.partyId, name: s.name, roleTitle: s.roleTitle })),
    focusAreas: v.focusAreas.map((fa) => ({
      ...fa,
      commitments: fa.commitments.map((c) => ({
        ...c,
        activities: c.activities.map((a) => ({ ...a, status: statuses.get(a.id) ?? 'planned' })),
      })),
    })),
  };
}

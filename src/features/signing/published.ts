import type { Executor } from '../../db/executor.js';
import type { Party, PledgeDocument } from '../pledges/pledge.js';
import { activityStatuses, findPledgeSummary, publishedSummary } from '../pledges/pledge-repo.js';
import * as repo from './version-repo.js';

/**
 * What the public sees of a pledge: its signed version, never the working copy. Only activity
 * status comes from the live rows, because follow-up moves it after signing. Every public surface
 * (pages, API, PDF, embeds, feeds, open data) reads through here, so a draft cannot reach any of them.
 */
export async function loadPublishedPledge(db: Executor, pledgeId: string): Promise<PledgeDocument | null> {
  const version = await repo.findSignedVersion(db, pledgeId);
  if (!version) return null;
  const pledge = await findPledgeSummary(db, pledgeId);
  if (!pledge) return null;
  return publishedDocument(db, version, pledge.state === 'archived');
}

/** A signed version (current or superseded) as a public document, with its signatures. */
export async function publishedDocument(db: Executor, version: repo.PledgeVersion, archived: boolean): Promise<PledgeDocument> {
  const v = version.document;
  const activityIds = v.focusAreas.flatMap((fa) => fa.commitments.flatMap((c) => c.activities.map((a) => a.id)));
  const [statuses, signatures, history] = await Promise.all([
    activityStatuses(db, activityIds),
    repo.listSignatures(db, [version.id]),
    repo.listSignedVersionsOfPledge(db, version.pledgeId),
  ]);
  return {
    ...publishedSummary({
      id: version.pledgeId,
      title: version.title,
      starts_on: version.startsOn,
      ends_on: version.endsOn,
      period_slug: version.periodSlug,
      state: archived ? 'archived' : 'signed',
      is_demo: v.isDemo ? 1 : 0,
    }),
    background: v.background,
    updatedAt: version.signedAt ?? version.frozenAt,
    version: version.number,
    parties: v.parties.map((p): Party => ({ ...p, isDemo: v.isDemo })),
    signatories: v.signatories.map((s) => ({ id: s.id, partyId: s.partyId, name: s.name, roleTitle: s.roleTitle })),
    focusAreas: v.focusAreas.map((fa) => ({
      ...fa,
      commitments: fa.commitments.map((c) => ({
        ...c,
        activities: c.activities.map((a) => ({ ...a, status: statuses.get(a.id) ?? 'planned' })),
      })),
    })),
    signing: {
      versionId: version.id,
      versionNumber: version.number,
      contentHash: version.contentHash,
      signedAt: version.signedAt ?? version.frozenAt,
      meeting: version.meeting,
      signatures: signatures.map((s) => ({ name: s.signerName, roleTitle: s.roleTitle, partyId: s.partyId, signedAt: s.signedAt, method: s.method })),
      earlierVersions: history.filter((h) => h.number < version.number).length,
    },
  };
}

export interface PublicVersionEntry {
  number: number;
  contentHash: string;
  signedAt: string;
  current: boolean;
}

/** The signed versions of a pledge, newest first: the public history. */
export async function publicVersionHistory(db: Executor, pledgeId: string): Promise<PublicVersionEntry[]> {
  const versions = await repo.listSignedVersionsOfPledge(db, pledgeId);
  return versions.map((v) => ({ number: v.number, contentHash: v.contentHash, signedAt: v.signedAt ?? v.frozenAt, current: v.state === 'signed' }));
}

/** One signed version by number, or null: unsigned and withdrawn versions do not exist publicly. */
export async function loadPublishedVersion(db: Executor, pledgeId: string, number: number): Promise<{ version: repo.PledgeVersion; document: PledgeDocument } | null> {
  const version = (await repo.listSignedVersionsOfPledge(db, pledgeId)).find((v) => v.number === number);
  if (!version) return null;
  const pledge = await findPledgeSummary(db, pledgeId);
  return { version, document: await publishedDocument(db, version, pledge?.state === 'archived') };
}


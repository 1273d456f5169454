import type { Executor } from '../../db/executor.js';
import type { PledgeDocument } from '../pledges/pledge.js';
import { HASH_PREFIX, documentForDisplay } from './version-content.js';
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
    ...documentForDisplay(v, statuses),
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


export interface PublicVersionPage {
  version: repo.PledgeVersion;
  document: PledgeDocument;
  /** The signed version before this one, for "what changed". */
  previous: repo.PledgeVersion | null;
  currentNumber: number;
}

export async function publicVersionPage(db: Executor, pledgeId: string, number: number): Promise<PublicVersionPage | null> {
  const versions = await repo.listSignedVersionsOfPledge(db, pledgeId);
  const version = versions.find((v) => v.number === number);
  if (!version) return null;
  const pledge = await findPledgeSummary(db, pledgeId);
  return {
    version,
    document: await publishedDocument(db, version, pledge?.state === 'archived'),
    previous: versions.find((v) => v.number < number) ?? null,
    currentNumber: versions.find((v) => v.state === 'signed')?.number ?? number,
  };
}

export type Verification =
  | { status: 'invalid' }
  | { status: 'not_found' }
  | { status: 'found'; matches: { version: repo.PledgeVersion; signatures: repo.Signature[] }[] };

/**
 * Checks a hash (or its first 8+ hex digits, as printed in a PDF's short URL) against signed
 * versions. Unsigned and withdrawn versions are "not found": only what was signed can be verified.
 */
export async function verifyHash(db: Executor, input: string): Promise<Verification> {
  const prefix = input.trim().toLowerCase();
  if (!HASH_PREFIX.test(prefix)) return { status: 'invalid' };
  const versions = await repo.findSignedVersionsByHashPrefix(db, prefix);
  if (versions.length === 0) return { status: 'not_found' };
  const signatures = await repo.listSignatures(db, versions.map((v) => v.id));
  return { status: 'found', matches: versions.map((version) => ({ version, signatures: signatures.filter((s) => s.versionId === version.id) })) };
}

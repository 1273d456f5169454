import type { Selectable } from 'kysely';
import { isPostgres, type Executor } from '../../db/executor.js';
import type { PledgeVersionTable, SignatureTable, VersionState } from '../../db/schema.js';
import type { VersionDocument } from './version-content.js';

/** SQL for frozen versions and their signatures. Versions change state; their content never does. */

export interface PledgeVersion {
  id: string;
  pledgeId: string;
  number: number;
  state: VersionState;
  title: string;
  startsOn: string;
  endsOn: string;
  periodSlug: string;
  document: VersionDocument;
  contentHash: string;
  frozenAt: string;
  frozenBy: string;
  signedAt: string | null;
  closedAt: string | null;
  meeting: { on: string; kind: 'digital' | 'physical'; note: string | null } | null;
  rowVersion: number;
}

export interface Signature {
  id: string;
  versionId: string;
  signatoryId: string;
  partyId: string;
  userId: string | null;
  signerName: string;
  roleTitle: string;
  method: string;
  contentHash: string;
  signedAt: string;
}

export function toVersion(r: Selectable<PledgeVersionTable>): PledgeVersion {
  return {
    id: r.id,
    pledgeId: r.pledge_id,
    number: r.number,
    state: r.state,
    title: r.title,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    periodSlug: r.period_slug,
    document: JSON.parse(r.document) as VersionDocument,
    contentHash: r.content_hash,
    frozenAt: r.frozen_at,
    frozenBy: r.frozen_by,
    signedAt: r.signed_at,
    closedAt: r.closed_at,
    meeting: r.meeting_on && r.meeting_kind ? { on: r.meeting_on, kind: r.meeting_kind, note: r.meeting_note } : null,
    rowVersion: r.version,
  };
}

function toSignature(r: Selectable<SignatureTable>): Signature {
  return {
    id: r.id,
    versionId: r.version_id,
    signatoryId: r.signatory_id,
    partyId: r.party_id,
    userId: r.user_id,
    signerName: r.signer_name,
    roleTitle: r.role_title,
    method: r.method,
    contentHash: r.content_hash,
    signedAt: r.signed_at,
  };
}

export async function insertVersion(
  db: Executor,
  v: { id: string; pledgeId: string; number: number; document: VersionDocument; contentHash: string; periodSlug: string; frozenBy: string },
  now: string,
): Promise<void> {
  await db
    .insertInto('pledge_version')
    .values({
      id: v.id,
      pledge_id: v.pledgeId,
      number: v.number,
      state: 'awaiting_signatures',
      title: v.document.title,
      starts_on: v.document.startsOn,
      ends_on: v.document.endsOn,
      period_slug: v.periodSlug,
      document: JSON.stringify(v.document),
      content_hash: v.contentHash,
      frozen_at: now,
      frozen_by: v.frozenBy,
    })
    .execute();
}

export async function nextVersionNumber(db: Executor, pledgeId: string): Promise<number> {
  const r = await db
    .selectFrom('pledge_version')
    .select((eb) => eb.fn.max('number').as('n'))
    .where('pledge_id', '=', pledgeId)
    .executeTakeFirst();
  return Number(r?.n ?? 0) + 1;
}

export async function findVersion(db: Executor, id: string): Promise<PledgeVersion | null> {
  const r = await db.selectFrom('pledge_version').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toVersion(r) : null;
}

export async function listVersionsOfPledge(db: Executor, pledgeId: string): Promise<PledgeVersion[]> {
  const rows = await db.selectFrom('pledge_version').selectAll().where('pledge_id', '=', pledgeId).orderBy('number', 'desc').execute();
  return rows.map(toVersion);
}

/** The version awaiting signatures, if the pledge is frozen. At most one exists (see freeze). */
export async function findOpenVersion(db: Executor, pledgeId: string): Promise<PledgeVersion | null> {
  const r = await db
    .selectFrom('pledge_version')
    .selectAll()
    .where('pledge_id', '=', pledgeId)
    .where('state', '=', 'awaiting_signatures')
    .executeTakeFirst();
  return r ? toVersion(r) : null;
}

/** The signed version the public sees: the latest one signed by everyone. */
export async function findSignedVersion(db: Executor, pledgeId: string): Promise<PledgeVersion | null> {
  const r = await db.selectFrom('pledge_version').selectAll().where('pledge_id', '=', pledgeId).where('state', '=', 'signed').executeTakeFirst();
  return r ? toVersion(r) : null;
}

/** Versions that were signed, current and superseded: the public history of a pledge. */
export async function listSignedVersionsOfPledge(db: Executor, pledgeId: string): Promise<PledgeVersion[]> {
  const rows = await db
    .selectFrom('pledge_version')
    .selectAll()
    .where('pledge_id', '=', pledgeId)
    .where('state', 'in', ['signed', 'superseded'])
    .orderBy('number', 'desc')
    .execute();
  return rows.map(toVersion);
}

/**
 * The periods of a party's pledges that have a signed version, as the in-force rule needs them.
 * A pledge being amended still counts: its signed version is in force until replaced.
 */
export async function listSignedPeriodsOfParty(db: Executor, partyId: string) {
  const rows = await db
    .selectFrom('pledge_version')
    .innerJoin('pledge', 'pledge.id', 'pledge_version.pledge_id')
    .innerJoin('pledge_party', 'pledge_party.pledge_id', 'pledge.id')
    .select(['pledge.id', 'pledge.state', 'pledge_version.starts_on', 'pledge_version.ends_on'])
    .where('pledge_party.party_id', '=', partyId)
    .where('pledge_version.state', '=', 'signed')
    .execute();
  return rows.map((r) => ({ id: r.id, state: r.state === 'archived' ? ('archived' as const) : ('signed' as const), startsOn: r.starts_on, endsOn: r.ends_on }));
}

/** Signed or superseded versions whose hash starts with `prefix`. */
export async function findSignedVersionsByHashPrefix(db: Executor, prefix: string): Promise<PledgeVersion[]> {
  const rows = await db
    .selectFrom('pledge_version')
    .selectAll()
    .where('content_hash', '>=', prefix)
    .where('content_hash', '<', `${prefix}g`)
    .where('state', 'in', ['signed', 'superseded'])
    .orderBy('frozen_at')
    .limit(10)
    .execute();
  return rows.map(toVersion);
}

export async function setVersionState(
  db: Executor,
  id: string,
  from: VersionState,
  to: VersionState,
  stamp: { signed_at?: string; closed_at?: string },
): Promise<boolean> {
  const r = await db
    .updateTable('pledge_version')
    .set((eb) => ({ state: to, ...stamp, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('state', '=', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function updateMeeting(
  db: Executor,
  id: string,
  rowVersion: number,
  meeting: { on: string; kind: 'digital' | 'physical'; note: string | null },
): Promise<boolean> {
  const r = await db
    .updateTable('pledge_version')
    .set((eb) => ({ meeting_on: meeting.on, meeting_kind: meeting.kind, meeting_note: meeting.note, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('version', '=', rowVersion)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function insertSignature(db: Executor, s: Signature & { evidence: Record<string, unknown> | null }): Promise<void> {
  await db
    .insertInto('signature')
    .values({
      id: s.id,
      version_id: s.versionId,
      signatory_id: s.signatoryId,
      party_id: s.partyId,
      user_id: s.userId,
      signer_name: s.signerName,
      role_title: s.roleTitle,
      method: s.method,
      content_hash: s.contentHash,
      signed_at: s.signedAt,
      evidence_json: s.evidence ? JSON.stringify(s.evidence) : null,
    })
    .execute();
}

export async function listSignatures(db: Executor, versionIds: readonly string[]): Promise<Signature[]> {
  if (versionIds.length === 0) return [];
  const rows = await db.selectFrom('signature').selectAll().where('version_id', 'in', versionIds).orderBy('signed_at').execute();
  return rows.map(toSignature);
}

/** On PostgreSQL, serialises signers of one version so that "the last signature" is seen exactly once. */
export async function lockVersion(db: Executor, id: string): Promise<void> {
  if (!isPostgres(db)) return; // SQLite runs one write transaction at a time already.
  await db.selectFrom('pledge_version').select('id').where('id', '=', id).forUpdate().execute();
}

export async function signatoryUsers(db: Executor, pledgeId: string): Promise<Map<string, string | null>> {
  const rows = await db.selectFrom('signatory').select(['id', 'user_id']).where('pledge_id', '=', pledgeId).execute();
  return new Map(rows.map((r) => [r.id, r.user_id]));
}

export async function setPledgeState(db: Executor, pledgeId: string, state: 'draft' | 'signed', now: string): Promise<void> {
  await db
    .updateTable('pledge')
    .set((eb) => ({ state, updated_at: now, version: eb('version', '+', 1) }))
    .where('id', '=', pledgeId)
    .execute();
}

/** Is this part of the pledge (a focus area, commitment, activity or signatory id) in any frozen version? */
export async function isInAnyVersion(db: Executor, pledgeId: string, partId: string): Promise<boolean> {
  const r = await db
    .selectFrom('pledge_version')
    .select('id')
    .where('pledge_id', '=', pledgeId)
    .where('state', 'in', ['awaiting_signatures', 'signed', 'superseded'])
    .where('document', 'like', `%"${partId}"%`)
    .executeTakeFirst();
  return r !== undefined;
}

/** Every version awaiting signatures: few at any time, so the signer filter runs in code. */
export async function listOpenVersions(db: Executor): Promise<PledgeVersion[]> {
  const rows = await db.selectFrom('pledge_version').selectAll().where('state', '=', 'awaiting_signatures').orderBy('frozen_at').execute();
  return rows.map(toVersion);
}

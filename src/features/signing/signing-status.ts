import type { Executor } from '../../db/executor.js';
import { AppError, type FieldError } from '../../platform/errors.js';
import { authorize, type Actor } from '../access/policy.js';
import { findUsersByIds } from '../accounts/user-repo.js';
import { loadPledgeRef, type PledgeRefRow } from '../pledges/editing-repo.js';
import type { PledgeDocument } from '../pledges/pledge.js';
import { loadPledgeDocument } from '../pledges/pledge-repo.js';
import { readinessProblems } from './signing.js';
import * as repo from './version-repo.js';

/** Read side of signing, for the staff pages: where a pledge stands and who still has to sign. */

export interface VersionWithSignatures extends repo.PledgeVersion {
  signatures: repo.Signature[];
}

export interface SigningStatus {
  ref: PledgeRefRow;
  working: PledgeDocument;
  /** Why the draft cannot be frozen yet; empty when it can (or when it is not a draft). */
  readiness: FieldError[];
  open: VersionWithSignatures | null;
  versions: VersionWithSignatures[];
}

async function withSignatures(db: Executor, versions: repo.PledgeVersion[]): Promise<VersionWithSignatures[]> {
  const signatures = await repo.listSignatures(db, versions.map((v) => v.id));
  return versions.map((v) => ({ ...v, signatures: signatures.filter((s) => s.versionId === v.id) }));
}

export async function signingStatus(db: Executor, actor: Actor, pledgeId: string): Promise<SigningStatus> {
  const ref = await loadPledgeRef(db, pledgeId);
  if (!ref) throw new AppError('not_found', 'Löftet finns inte.');
  authorize(actor, { action: 'pledge.read', pledge: ref });
  const working = (await loadPledgeDocument(db, pledgeId))!;
  const versions = await withSignatures(db, await repo.listVersionsOfPledge(db, pledgeId));
  let readiness: FieldError[] = [];
  if (ref.state === 'draft') {
    const signatoryUsers = await repo.signatoryUsers(db, pledgeId);
    const users = await findUsersByIds(db, [...signatoryUsers.values()].filter((u): u is string => u !== null));
    readiness = readinessProblems(working, new Map(users.map((u) => [u.id, { partyId: u.party_id, active: u.disabled_at === null }])), signatoryUsers);
  }
  return { ref, working, readiness, open: versions.find((v) => v.state === 'awaiting_signatures') ?? null, versions };
}

export interface VersionView {
  version: VersionWithSignatures;
  ref: PledgeRefRow;
  /** The signatory this actor signs for, if they still have to. */
  mySignatory: repo.PledgeVersion['document']['signatories'][number] | null;
}

export async function versionForStaff(db: Executor, actor: Actor, versionId: string): Promise<VersionView> {
  const v = await repo.findVersion(db, versionId);
  if (!v) throw new AppError('not_found', 'Versionen finns inte.');
  const ref = (await loadPledgeRef(db, v.pledgeId))!;
  authorize(actor, { action: 'pledge.read', pledge: ref });
  const [version] = await withSignatures(db, [v]);
  const mySignatory =
    v.state === 'awaiting_signatures'
      ? (v.document.signatories.find((s) => s.userId === actor.userId && !version!.signatures.some((x) => x.signatoryId === s.id)) ?? null)
      : null;
  return { version: version!, ref, mySignatory };
}

/** Versions waiting for this person's signature: the first thing on their dashboard. */
export async function awaitingMySignature(db: Executor, actor: Actor): Promise<repo.PledgeVersion[]> {
  const open = await repo.listOpenVersions(db);
  const mine = open.filter((v) => v.document.signatories.some((s) => s.userId === actor.userId));
  if (mine.length === 0) return [];
  const signed = await repo.listSignatures(db, mine.map((v) => v.id));
  return mine.filter((v) => v.document.signatories.some((s) => s.userId === actor.userId && !signed.some((x) => x.versionId === v.id && x.signatoryId === s.id)));
}

import { randomUUID } from 'node:crypto';
import { isUniqueViolation, type Executor } from '../../db/executor.js';
import { AppError, type FieldError } from '../../platform/errors.js';
import { authorize, type Actor } from '../access/policy.js';
import { recordAudit } from '../audit/audit.js';
import { inForceConflict, periodLabel, periodSlug, type PledgeDocument } from '../pledges/pledge.js';
import * as pledgeRepo from '../pledges/pledge-repo.js';
import { loadPledgeRef } from '../pledges/editing-repo.js';
import { findUsersByIds } from '../accounts/user-repo.js';
import { contentHash, snapshotOf } from './version-content.js';
import { REGISTERED_METHOD, type SignatureProvider } from './signature-provider.js';
import * as repo from './version-repo.js';

/**
 * The signing workflow: freeze a draft into a version, have every signatory sign that exact
 * version, and make it the public one when the last signature lands. Amending a signed pledge
 * opens a new draft while the signed version stays public; the next freeze and signing replace it.
 */

export interface SigningDeps {
  db: Executor;
  clock: () => Date;
}

export const SIGNING_PARTY_KINDS = ['municipality', 'police_area'] as const;

const byActor = (actor: Actor) => `${actor.name} <${actor.email}>`;

function invalidState(message: string): AppError {
  return new AppError('invalid_state', message);
}

/**
 * What stops a draft from being frozen: every municipality and police area signs, so each needs a
 * signatory, and each signatory needs an active account in their own party to sign with.
 */
export function readinessProblems(
  doc: Pick<PledgeDocument, 'parties' | 'signatories' | 'focusAreas'>,
  users: ReadonlyMap<string, { partyId: string | null; active: boolean } | undefined>,
  signatoryUsers: ReadonlyMap<string, string | null>,
): FieldError[] {
  const problems: FieldError[] = [];
  if (doc.focusAreas.length === 0) problems.push({ field: 'focusAreas', message: 'Löftet har inget fokusområde.' });
  for (const party of doc.parties.filter((p) => (SIGNING_PARTY_KINDS as readonly string[]).includes(p.kind))) {
    if (!doc.signatories.some((s) => s.partyId === party.id))
      problems.push({ field: 'signatories', message: `${party.name} har ingen undertecknare.` });
  }
  for (const s of doc.signatories) {
    const userId = signatoryUsers.get(s.id) ?? null;
    const user = userId ? users.get(userId) : undefined;
    if (!userId) problems.push({ field: `signatory.${s.id}`, message: `${s.name} har inget konto att skriva under med.` });
    else if (!user || !user.active) problems.push({ field: `signatory.${s.id}`, message: `${s.name}s konto är avstängt eller finns inte.` });
    else if (user.partyId !== s.partyId) problems.push({ field: `signatory.${s.id}`, message: `${s.name}s konto hör till en annan part.` });
  }
  return problems;
}

/** Freezes the draft into a new version awaiting signatures. The working copy is locked from now on. */
export async function freezeForSigning(deps: SigningDeps, actor: Actor, pledgeId: string): Promise<repo.PledgeVersion> {
  const now = deps.clock();
  const id = randomUUID();
  await deps.db.transaction().execute(async (trx) => {
    const ref = await loadPledgeRef(trx, pledgeId);
    if (!ref) throw new AppError('not_found', 'Löftet finns inte.');
    authorize(actor, { action: 'signing.manage', pledge: ref });
    if (ref.state !== 'draft') throw invalidState('Bara ett utkast kan låsas för undertecknande.');
    const doc = await pledgeRepo.loadPledgeDocument(trx, pledgeId);
    if (!doc) throw new AppError('not_found', 'Löftet finns inte.');
    const signatoryUsers = await repo.signatoryUsers(trx, pledgeId);
    const users = await findUsersByIds(trx, [...signatoryUsers.values()].filter((u): u is string => u !== null));
    const problems = readinessProblems(doc, new Map(users.map((u) => [u.id, { partyId: u.party_id, active: u.disabled_at === null }])), signatoryUsers);
    if (problems.length > 0) throw new AppError('not_ready_for_signing', 'Löftet är inte klart att skriva under.', problems);
    await assertNoOverlap(trx, doc.parties, { id: pledgeId, startsOn: doc.startsOn, endsOn: doc.endsOn });
    const document = snapshotOf(doc, signatoryUsers);
    const hash = contentHash(document);
    const number = await repo.nextVersionNumber(trx, pledgeId);
    await repo.insertVersion(trx, { id, pledgeId, number, document, contentHash: hash, periodSlug: doc.periodSlug, frozenBy: byActor(actor) }, now.toISOString());
    await recordAudit(trx, { actor, action: 'pledge_version.freeze', entityType: 'pledge_version', entityId: id, pledgeId, after: { number, contentHash: hash } }, now);
  });
  return (await repo.findVersion(deps.db, id))!;
}

/** Takes a version out of signing, e.g. to fix a mistake found at the last minute. Its signatures stay on record. */
export async function withdrawVersion(deps: SigningDeps, actor: Actor, versionId: string): Promise<repo.PledgeVersion> {
  const now = deps.clock();
  return deps.db.transaction().execute(async (trx) => {
    const version = await requireVersion(trx, versionId);
    const ref = await loadPledgeRef(trx, version.pledgeId);
    authorize(actor, { action: 'signing.manage', pledge: ref! });
    if (!(await repo.setVersionState(trx, versionId, 'awaiting_signatures', 'withdrawn', { closed_at: now.toISOString() })))
      throw invalidState('Versionen väntar inte längre på underskrifter.');
    await recordAudit(trx, { actor, action: 'pledge_version.withdraw', entityType: 'pledge_version', entityId: versionId, pledgeId: version.pledgeId, before: { state: version.state }, after: { state: 'withdrawn' } }, now);
    return { ...version, state: 'withdrawn', closedAt: now.toISOString() };
  });
}

/** Reopens a signed pledge as a draft. The signed version stays public until a new one is signed. */
export async function startAmendment(deps: SigningDeps, actor: Actor, pledgeId: string): Promise<void> {
  const now = deps.clock();
  await deps.db.transaction().execute(async (trx) => {
    const ref = await loadPledgeRef(trx, pledgeId);
    if (!ref) throw new AppError('not_found', 'Löftet finns inte.');
    authorize(actor, { action: 'signing.manage', pledge: ref });
    if (ref.state !== 'signed') throw invalidState('Bara ett undertecknat löfte kan ändras genom ett tillägg.');
    await repo.setPledgeState(trx, pledgeId, 'draft', now.toISOString());
    await recordAudit(trx, { actor, action: 'pledge.amend', entityType: 'pledge', entityId: pledgeId, pledgeId, before: { state: 'signed' }, after: { state: 'draft' } }, now);
  });
}

export interface SignInput {
  versionId: string;
  /** The hash the signer was shown. Signing anything else is refused. */
  contentHash: string;
  input: Readonly<Record<string, string | undefined>>;
}

export interface SignResult {
  signature: repo.Signature;
  /** True when this was the last signature and the version is now the public, signed one. */
  completed: boolean;
}

/** One signatory signs one exact version, proven by the provider; the last signature publishes it. */
export async function signVersion(deps: SigningDeps, provider: SignatureProvider, actor: Actor, input: SignInput): Promise<SignResult> {
  const version = await requireVersion(deps.db, input.versionId);
  const designated = version.document.signatories.filter((s) => s.userId !== null).map((s) => s.userId);
  authorize(actor, { action: 'version.sign', signatoryUserIds: designated });
  checkHash(version, input.contentHash);
  if (version.state !== 'awaiting_signatures') throw invalidState('Versionen väntar inte längre på underskrifter.');
  const signed = await repo.listSignatures(deps.db, [version.id]);
  const signatory = version.document.signatories.find((s) => s.userId === actor.userId && !signed.some((x) => x.signatoryId === s.id));
  if (!signatory) throw new AppError('already_signed', 'Du har redan skrivit under den här versionen.');

  // Outside the transaction: a failed password must be counted even though nothing is signed.
  const { evidence } = await provider.verify({ db: deps.db, clock: deps.clock, actor, version, input: input.input });

  const now = deps.clock();
  const signature: repo.Signature = {
    id: randomUUID(),
    versionId: version.id,
    signatoryId: signatory.id,
    partyId: signatory.partyId,
    userId: actor.userId,
    signerName: signatory.name,
    roleTitle: signatory.roleTitle,
    method: provider.method,
    contentHash: version.contentHash,
    signedAt: now.toISOString(),
  };
  try {
    const completed = await deps.db.transaction().execute(async (trx) => {
      await repo.lockVersion(trx, version.id);
      const current = await requireVersion(trx, version.id);
      if (current.state !== 'awaiting_signatures') throw invalidState('Versionen väntar inte längre på underskrifter.');
      await repo.insertSignature(trx, { ...signature, evidence });
      await recordAudit(trx, { actor, action: 'signature.create', entityType: 'signature', entityId: signature.id, pledgeId: version.pledgeId, after: { versionNumber: version.number, contentHash: version.contentHash, signatory: signatory.name, roleTitle: signatory.roleTitle, method: provider.method } }, now);
      return completeIfAllSigned(trx, current, actor, now);
    });
    return { signature, completed };
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('already_signed', 'Du har redan skrivit under den här versionen.');
    throw err;
  }
}

/** The last signature makes the version the signed one; the previous signed version becomes history. */
async function completeIfAllSigned(trx: Executor, version: repo.PledgeVersion, actor: Actor | null, now: Date, label?: string): Promise<boolean> {
  const signatures = await repo.listSignatures(trx, [version.id]);
  if (!version.document.signatories.every((s) => signatures.some((x) => x.signatoryId === s.id))) return false;
  const municipalities = version.document.parties.filter((p) => p.kind === 'municipality');
  await pledgeRepo.lockParties(trx, municipalities.map((m) => m.id));
  await assertNoOverlap(trx, version.document.parties, { id: version.pledgeId, startsOn: version.startsOn, endsOn: version.endsOn });
  const previous = await repo.findSignedVersion(trx, version.pledgeId);
  if (previous) await repo.setVersionState(trx, previous.id, 'signed', 'superseded', { closed_at: now.toISOString() });
  await repo.setVersionState(trx, version.id, 'awaiting_signatures', 'signed', { signed_at: now.toISOString() });
  await repo.setPledgeState(trx, version.pledgeId, 'signed', now.toISOString());
  await recordAudit(trx, { actor, actorLabel: label, action: 'pledge_version.signed', entityType: 'pledge_version', entityId: version.id, pledgeId: version.pledgeId, before: previous ? { signedVersion: previous.number } : null, after: { signedVersion: version.number, contentHash: version.contentHash } }, now);
  return true;
}

/** A municipality has one signed pledge in force per date; checked against the others' signed versions. */
export async function assertNoOverlap(trx: Executor, parties: readonly { id: string; kind: string; name: string }[], candidate: { id: string; startsOn: string; endsOn: string }) {
  for (const m of parties.filter((p) => p.kind === 'municipality')) {
    const others = await repo.listSignedPeriodsOfParty(trx, m.id);
    const clash = inForceConflict({ ...candidate, state: 'signed' }, others);
    if (clash)
      throw new AppError('pledge_in_force_overlap', `${m.name} har redan ett undertecknat löfte för ${periodLabel(clash)} som överlappar perioden.`, [
        { field: 'startsOn', message: `Överlappar ${m.name}s löfte för ${periodLabel(clash)}.` },
      ]);
  }
}

export async function recordMeeting(
  deps: SigningDeps,
  actor: Actor,
  versionId: string,
  meeting: { on: string; kind: 'digital' | 'physical'; note: string | null; rowVersion: number },
): Promise<void> {
  const now = deps.clock();
  await deps.db.transaction().execute(async (trx) => {
    const version = await requireVersion(trx, versionId);
    const ref = await loadPledgeRef(trx, version.pledgeId);
    authorize(actor, { action: 'signing.manage', pledge: ref! });
    if (version.state === 'withdrawn' || version.state === 'superseded') throw invalidState('Mötet kan bara registreras för en aktuell version.');
    if (!(await repo.updateMeeting(trx, versionId, meeting.rowVersion, meeting)))
      throw new AppError('edit_conflict', 'Någon annan har ändrat mötesuppgifterna medan du redigerade.');
    await recordAudit(trx, { actor, action: 'pledge_version.meeting', entityType: 'pledge_version', entityId: versionId, pledgeId: version.pledgeId, before: version.meeting, after: { on: meeting.on, kind: meeting.kind, note: meeting.note } }, now);
  });
}

/**
 * A pledge entered as already signed (the demo, an import of earlier years): its version is frozen
 * and recorded as signed outside the app by its signatories on `signedOn`. Call in the creating transaction.
 */
export async function registerSignedOutsideApp(
  trx: Executor,
  pledgeId: string,
  opts: { signedOn: string; meetingKind: 'digital' | 'physical' | null; label: string },
  now: Date,
): Promise<void> {
  const doc = await pledgeRepo.loadPledgeDocument(trx, pledgeId);
  if (!doc) throw new AppError('not_found', 'Löftet finns inte.');
  const document = snapshotOf(doc, new Map());
  const hash = contentHash(document);
  const id = randomUUID();
  const signedAt = `${opts.signedOn}T12:00:00.000Z`;
  await repo.insertVersion(trx, { id, pledgeId, number: 1, document, contentHash: hash, periodSlug: periodSlug(doc.startsOn, doc.endsOn), frozenBy: opts.label }, now.toISOString());
  if (opts.meetingKind) await repo.updateMeeting(trx, id, 1, { on: opts.signedOn, kind: opts.meetingKind, note: null });
  for (const s of document.signatories) {
    await repo.insertSignature(trx, {
      id: randomUUID(),
      versionId: id,
      signatoryId: s.id,
      partyId: s.partyId,
      userId: null,
      signerName: s.name,
      roleTitle: s.roleTitle,
      method: REGISTERED_METHOD,
      contentHash: hash,
      signedAt,
      evidence: { registeredBy: opts.label, registeredAt: now.toISOString() },
    });
  }
  await repo.setVersionState(trx, id, 'awaiting_signatures', 'signed', { signed_at: signedAt });
  await recordAudit(trx, { actor: null, actorLabel: opts.label, action: 'pledge_version.registered', entityType: 'pledge_version', entityId: id, pledgeId, after: { number: 1, contentHash: hash, signedOn: opts.signedOn } }, now);
}

function checkHash(version: repo.PledgeVersion, shown: string) {
  // Both halves matter: the signer saw this hash, and the stored content still produces it.
  if (shown.trim().toLowerCase() !== version.contentHash || contentHash(version.document) !== version.contentHash)
    throw new AppError('version_hash_mismatch', 'Versionen stämmer inte med den du fick visad. Ladda om sidan och läs igenom den igen.');
}

async function requireVersion(db: Executor, id: string): Promise<repo.PledgeVersion> {
  const v = await repo.findVersion(db, id);
  if (!v) throw new AppError('not_found', 'Versionen finns inte.');
  return v;
}


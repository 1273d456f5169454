import type { Executor } from '../../src/db/executor.js';
import type { Actor } from '../../src/features/access/policy.js';
import { createUser } from '../../src/features/accounts/account-service.js';
import { loadPledgeDocument } from '../../src/features/pledges/pledge-repo.js';
import { updateSignatory } from '../../src/features/pledges/structure-editing.js';
import { findSignatory } from '../../src/features/pledges/structure-repo.js';
import { inAppReauthentication } from '../../src/features/signing/signature-provider.js';
import { freezeForSigning, signVersion } from '../../src/features/signing/signing.js';
import type { PledgeVersion } from '../../src/features/signing/version-repo.js';

/** Driving the real signing use-cases from tests: accounts for signatories, freeze, sign. */

export const SIGNING_PASSWORD = 'korrekt häst batteri häftklammer';

let n = 0;

export function operatorActor(user: { id: string; name: string; email: string }): Actor {
  return { userId: user.id, name: user.name, email: user.email, partyId: null, role: null, isSuperadmin: true };
}

/** Gives every signatory of a draft an account of their own party to sign with; returns them as actors. */
export async function linkSigningAccounts(deps: { db: Executor; clock: () => Date }, operator: Actor, pledgeId: string): Promise<Actor[]> {
  const doc = await loadPledgeDocument(deps.db, pledgeId);
  if (!doc) throw new Error(`no pledge ${pledgeId}`);
  const signers: Actor[] = [];
  for (const s of doc.signatories) {
    n++;
    const user = await createUser(
      deps.db,
      { email: `undertecknare${n}.${Date.now()}@example.se`, name: s.name, partyId: s.partyId, role: 'editor', password: SIGNING_PASSWORD },
      null,
      { actorLabel: 'test' },
    );
    const row = await findSignatory(deps.db, s.id);
    await updateSignatory(deps, operator, s.id, { partyId: s.partyId, name: s.name, roleTitle: s.roleTitle, userId: user.id, version: String(row!.version) });
    signers.push({ userId: user.id, name: user.name, email: user.email, partyId: user.partyId, role: user.role, isSuperadmin: false });
  }
  return signers;
}

export async function freezeWithAccounts(deps: { db: Executor; clock: () => Date }, operator: Actor, pledgeId: string): Promise<{ version: PledgeVersion; signers: Actor[] }> {
  const signers = await linkSigningAccounts(deps, operator, pledgeId);
  return { version: await freezeForSigning(deps, operator, pledgeId), signers };
}

export async function signAs(deps: { db: Executor; clock: () => Date }, signer: Actor, version: PledgeVersion) {
  return signVersion(deps, inAppReauthentication, signer, { versionId: version.id, contentHash: version.contentHash, input: { password: SIGNING_PASSWORD } });
}

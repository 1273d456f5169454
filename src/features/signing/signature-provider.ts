import type { Executor } from '../../db/executor.js';
import type { Actor } from '../access/policy.js';
import { reauthenticate } from '../accounts/account-service.js';
import type { PledgeVersion } from './version-repo.js';

/**
 * How a signatory proves, at the moment of signing, that they are themself and that they agree to
 * one exact version (its content hash). The signing use-case does everything else (who may sign,
 * the hash check, storing the signature, completing the version); a provider only answers "is this
 * really them, now, for this hash?" and hands back evidence to keep with the signature.
 *
 * Plugging in an e-identification provider (BankID, Freja eID, or a signing service under DIGG's
 * framework for e-underskrifter) means writing one more implementation and adding it to
 * `signatureProviders` in app.ts:
 * - `method` is stored on each signature and printed in the PDF, e.g. 'bankid'.
 * - `fields` are what the signing form asks for; an e-ID provider asks for nothing and uses
 *   `start` instead, to open an order whose visible text names the pledge and its hash
 *   (`userVisibleData` in BankID's RP API). The signing page then shows the QR code or the
 *   autostart link, and reloads until the order is done.
 * - `verify` collects the result (BankID: `/collect` until `complete`), checks that the
 *   personal identity number belongs to the signatory's account, and returns the signed
 *   statement and OCSP response as `evidence`, which is stored verbatim with the signature.
 * See docs/decisions/signing.md.
 */
export interface SignatureProvider {
  readonly method: string;
  /** Swedish, for the signing page, the public signature list and the PDF. */
  readonly label: string;
  readonly fields: readonly { name: string; label: string; type: 'password' | 'text'; autocomplete?: string }[];
  /** Optional first step for providers that work by order and collect (e-ID apps). */
  start?(request: SigningRequest): Promise<{ orderRef: string; instruction: string }>;
  verify(request: SigningRequest): Promise<{ evidence: Record<string, unknown> }>;
}

export interface SigningRequest {
  db: Executor;
  clock: () => Date;
  actor: Actor;
  version: PledgeVersion;
  input: Readonly<Record<string, string | undefined>>;
}

/**
 * The built-in provider: the signatory is signed in, and types their password again on the signing
 * page. Wrong passwords count towards the account lock like failed logins.
 */
export const inAppReauthentication: SignatureProvider = {
  method: 'in_app_reauth',
  label: 'I appen, med lösenordet angivet på nytt',
  fields: [{ name: 'password', label: 'Ditt lösenord', type: 'password', autocomplete: 'current-password' }],
  async verify({ db, clock, actor, version, input }) {
    await reauthenticate({ db, clock }, actor.userId, input.password ?? '');
    return { evidence: { reauthenticatedAt: clock().toISOString(), contentHash: version.contentHash } };
  },
};

/** Signatures made outside the app (on paper, at a meeting) and entered afterwards. Never chosen by a signer. */
export const REGISTERED_METHOD = 'registered';

export const METHOD_LABELS: Record<string, string> = {
  [inAppReauthentication.method]: inAppReauthentication.label,
  [REGISTERED_METHOD]: 'Undertecknat utanför appen och registrerat i efterhand',
};

export const methodLabel = (method: string) => METHOD_LABELS[method] ?? method;

import type { Executor } from '../../db/executor.js';
import { AppError, EditConflictError } from '../../platform/errors.js';
import { parseOrThrow } from '../../platform/validation.js';
import { createUser, startSession } from '../accounts/account-service.js';
import { findUserByEmail } from '../accounts/user-repo.js';
import { email as EmailSchema } from '../accounts/user.js';
import type { SsoOption } from '../accounts/views/auth-pages.js';
import { authorize, type Actor } from '../access/policy.js';
import { recordAudit } from '../audit/audit.js';
import { findPartiesByIds } from '../pledges/pledge-repo.js';
import type { Party } from '../pledges/pledge.js';
import { authorizationUrl, discover, exchangeCode, isAuthorizationError, isUnreachable, newPendingLogin } from './oidc.js';
import * as repo from './sso-repo.js';
import { emailDomain, emailIsUnverified, normaliseDomain, publicView, roleFor, SsoConfigForm, type SsoConfig } from './sso.js';

/** Parties that offer single sign-on, for the buttons on the login page. */
export async function listSsoOptions(db: Executor): Promise<SsoOption[]> {
  const rows = await db
    .selectFrom('party_sso')
    .innerJoin('party', 'party.id', 'party_sso.party_id')
    .select(['party.slug', 'party.name'])
    .where('party_sso.enabled', '=', 1)
    .orderBy('party.name')
    .execute();
  return rows.map((r) => ({ slug: r.slug, name: r.name }));
}

export interface SsoDeps {
  db: Executor;
  clock: () => Date;
  /** When set, the redirect URI is built on it instead of on the request's own origin. */
  publicBaseUrl?: string;
}

export const CALLBACK_PATH = '/logga-in/sso/callback';
export const LOGIN_TTL_MS = 10 * 60 * 1000;

/** A sign-in we refuse or cannot finish: a status and a Swedish sentence for the person in front of the screen. */
export class SsoLoginError extends Error {
  constructor(
    readonly status: 400 | 403 | 502,
    message: string,
    /** For the log only, never shown. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SsoLoginError';
  }
}

export const messages = {
  expired: 'Inloggningen har gått ut eller har redan använts. Börja om från inloggningssidan.',
  otherBrowser: 'Inloggningen startades inte i den här webbläsaren. Börja om från inloggningssidan.',
  notOffered: 'Organisationen erbjuder inte längre inloggning med eget konto. Logga in med e-post och lösenord.',
  unreachable: 'Organisationens inloggningstjänst svarar inte just nu. Försök igen om en stund.',
  denied: 'Inloggningen avbröts eller nekades hos organisationens inloggningstjänst.',
  failed: 'Svaret från organisationens inloggningstjänst kunde inte godkännas. Börja om från inloggningssidan.',
  noEmail: 'Inloggningstjänsten skickade ingen e-postadress, så vi vet inte vem du är. Kontakta din organisations it-stöd.',
  unverified: 'E-postadressen är inte bekräftad hos inloggningstjänsten. Kontakta din organisations it-stöd.',
  otherParty: 'E-postadressen hör till ett konto hos en annan part. Logga in med e-post och lösenord eller via rätt organisation.',
  superadmin: 'Konton med behörighet för hela tjänsten loggar in med e-post och lösenord, inte via en organisations inloggningstjänst.',
  disabled: 'Kontot är avstängt. Kontakta en administratör.',
  domain: (domain: string, party: string) =>
    `Adresser på @${domain} får inte logga in via ${party}. Be en administratör hos ${party} att lägga upp ett konto åt dig.`,
};

export function redirectUri(deps: Pick<SsoDeps, 'publicBaseUrl'>, requestOrigin: string): string {
  return `${(deps.publicBaseUrl ?? requestOrigin).replace(/\/+$/, '')}${CALLBACK_PATH}`;
}

/**
 * Step 1: the party's enabled configuration, discovery, PKCE (S256), state and nonce. The pending
 * login is stored in the database, not in memory, because the callback may reach another instance.
 */
export async function beginSsoLogin(deps: SsoDeps, input: { slug: string; next: string; origin: string }): Promise<{ url: string; state: string }> {
  const config = await repo.findEnabledSsoBySlug(deps.db, input.slug);
  if (!config) throw new AppError('not_found', 'Organisationen erbjuder inte inloggning med eget konto.');
  let oidc;
  try {
    oidc = await discover(config);
  } catch (err) {
    throw new SsoLoginError(502, messages.unreachable, `discovery failed for ${config.issuerUrl}`, { cause: err });
  }
  const p = await newPendingLogin();
  const now = deps.clock();
  await repo.deleteExpiredOidcLogins(deps.db, now.toISOString());
  await repo.insertOidcLogin(deps.db, {
    state: p.state,
    party_id: config.partyId,
    code_verifier: p.codeVerifier,
    nonce: p.nonce,
    return_to: input.next,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + LOGIN_TTL_MS).toISOString(),
  });
  const url = authorizationUrl(oidc, { redirectUri: redirectUri(deps, input.origin), state: p.state, nonce: p.nonce, codeChallenge: p.codeChallenge });
  return { url: url.href, state: p.state };
}

/**
 * Step 2: the IdP sent the browser back. The pending login is taken and deleted in one statement
 * (a state works once), must not have expired, and must have been started in this browser
 * (`boundState`, from a cookie set in step 1: otherwise anyone could send a victim a callback link
 * that signs them in as the attacker). Then the code exchange and the mapping to a user.
 */
export async function completeSsoLogin(
  deps: SsoDeps,
  input: { search: string; boundState: string | undefined; origin: string },
): Promise<{ token: string; next: string | null; userId: string }> {
  const params = new URLSearchParams(input.search);
  const state = params.get('state') ?? '';
  const now = deps.clock();
  if (!state || state.length > 200) throw new SsoLoginError(400, messages.expired, 'callback without state');
  const pending = await repo.takeOidcLogin(deps.db, state);
  if (!pending || Date.parse(pending.expires_at) <= now.getTime()) throw new SsoLoginError(400, messages.expired, 'unknown, used or expired state');
  if (input.boundState !== state) throw new SsoLoginError(400, messages.otherBrowser, 'state not bound to this browser');

  const config = await repo.findSsoConfig(deps.db, pending.party_id);
  if (!config || !config.enabled) throw new SsoLoginError(400, messages.notOffered, 'sso disabled during login');
  let claims: Record<string, unknown>;
  try {
    const oidc = await discover(config);
    const currentUrl = new URL(redirectUri(deps, input.origin));
    currentUrl.search = params.toString();
    const wanted = config.roleClaim ? ['email', config.roleClaim] : ['email'];
    claims = await exchangeCode(oidc, currentUrl, { state, nonce: pending.nonce, codeVerifier: pending.code_verifier }, wanted);
  } catch (err) {
    if (isAuthorizationError(err)) throw new SsoLoginError(400, messages.denied, 'IdP returned an error', { cause: err });
    if (isUnreachable(err)) throw new SsoLoginError(502, messages.unreachable, `IdP unreachable: ${config.issuerUrl}`, { cause: err });
    throw new SsoLoginError(400, messages.failed, 'code exchange or ID token validation failed', { cause: err });
  }
  const userId = await resolveSsoUser(deps, config, claims);
  const token = await startSession(deps.db, userId, 'oidc', now);
  return { token, next: pending.return_to, userId };
}

/**
 * Claims → a user of this party. An existing account must belong to the party; a new one is
 * created only for an allowed e-mail domain, with the role from the role claim or the default.
 */
export async function resolveSsoUser(deps: Pick<SsoDeps, 'db' | 'clock'>, config: SsoConfig, claims: Record<string, unknown>): Promise<string> {
  const parsed = EmailSchema.safeParse(claims.email);
  if (!parsed.success) throw new SsoLoginError(403, messages.noEmail, 'no usable email claim');
  if (emailIsUnverified(claims)) throw new SsoLoginError(403, messages.unverified, 'email_verified is false');
  const email = parsed.data;

  const existing = await findUserByEmail(deps.db, email);
  if (existing) {
    if (existing.disabled_at) throw new SsoLoginError(403, messages.disabled, 'user disabled');
    // A party's admin chooses its IdP, and so decides what e-mail it asserts. Trusting a party's
    // IdP for a superadmin would let any party admin become one; see docs/decisions/sso.md.
    if (existing.is_superadmin === 1) throw new SsoLoginError(403, messages.superadmin, 'superadmin via party SSO');
    if (existing.party_id !== config.partyId) throw new SsoLoginError(403, messages.otherParty, 'user of another party');
    return existing.id;
  }

  const domain = emailDomain(email);
  if (!config.emailDomains.map(normaliseDomain).includes(domain)) {
    const party = (await findPartiesByIds(deps.db, [config.partyId]))[0];
    throw new SsoLoginError(403, messages.domain(domain, party?.name ?? 'organisationen'), 'domain not allowed');
  }
  const rawName = typeof claims.name === 'string' ? claims.name.trim() : '';
  const name = rawName && rawName.length <= 200 ? rawName : email.slice(0, email.indexOf('@'));
  const user = await createUser(deps.db, { email, name, partyId: config.partyId, role: roleFor(config, claims), password: null }, null, {
    actorLabel: 'SSO',
    now: deps.clock(),
  });
  return user.id;
}

// ---------------------------------------------------------------------------------------------
// Configuration, for the admin page

async function partyOrThrow(db: Executor, partyId: string): Promise<Party> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(partyId)) throw new AppError('invalid_id', 'Id:t har fel format.');
  const party = (await findPartiesByIds(db, [partyId]))[0];
  if (!party) throw new AppError('not_found', 'Parten finns inte.');
  return party;
}

export async function getSsoSettings(db: Executor, actor: Actor | null, partyId: string): Promise<{ party: Party; config: SsoConfig | null }> {
  authorize(actor, { action: 'party.update', partyId });
  const party = await partyOrThrow(db, partyId);
  return { party, config: await repo.findSsoConfig(db, partyId) };
}

/**
 * Creates or updates a party's configuration from the posted form. An empty secret keeps the
 * stored one. Optimistic locking on `version`: a save based on a stale version (or a create when
 * someone else created first) throws EditConflictError carrying what is stored now.
 */
export async function saveSsoSettings(
  db: Executor,
  actor: Actor | null,
  partyId: string,
  raw: Record<string, string | undefined>,
  now = new Date(),
): Promise<SsoConfig> {
  authorize(actor, { action: 'party.update', partyId });
  await partyOrThrow(db, partyId);
  const input = parseOrThrow(SsoConfigForm, raw);
  const at = now.toISOString();
  await db.transaction().execute(async (trx) => {
    const before = await repo.findSsoConfig(trx, partyId);
    const conflict = () => (before ? new EditConflictError(publicView(before), before.version) : new AppError('edit_conflict'));
    if (input.version === null) {
      if (before) throw conflict();
      const values = { ...input, clientSecret: input.clientSecret };
      if (!(await repo.insertSsoConfig(trx, partyId, values, at))) {
        const winner = await repo.findSsoConfig(trx, partyId);
        throw winner ? new EditConflictError(publicView(winner), winner.version) : new AppError('edit_conflict');
      }
      await recordAudit(
        trx,
        { actor, action: 'party_sso.create', entityType: 'party_sso', entityId: partyId, after: publicView({ partyId, ...values, version: 1 }) },
        now,
      );
      return;
    }
    if (!before || before.version !== input.version) throw conflict();
    const values = { ...input, clientSecret: input.clientSecret ?? before.clientSecret };
    if (!(await repo.updateSsoConfig(trx, partyId, input.version, values, at))) throw conflict();
    await recordAudit(
      trx,
      {
        actor,
        action: 'party_sso.update',
        entityType: 'party_sso',
        entityId: partyId,
        before: publicView(before),
        // The secret itself never reaches the trail; that it was replaced does.
        after: { ...publicView({ partyId, ...values, version: before.version + 1 }), ...(input.clientSecret !== null ? { clientSecretReplaced: true } : {}) },
      },
      now,
    );
  });
  return (await repo.findSsoConfig(db, partyId))!;
}

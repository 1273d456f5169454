import type { Selectable } from 'kysely';
import type { Executor } from '../../db/executor.js';
import type { OidcLoginTable, PartySsoTable } from '../../db/schema.js';
import { parseDomainList, type SsoConfig, type SsoConfigForm } from './sso.js';

/** The SQL of single sign-on: per-party configuration and the pending logins (state, PKCE verifier, nonce). */

function toConfig(r: Selectable<PartySsoTable>): SsoConfig {
  return {
    partyId: r.party_id,
    issuerUrl: r.issuer_url,
    clientId: r.client_id,
    clientSecret: r.client_secret,
    emailDomains: parseDomainList(r.email_domains),
    roleClaim: r.role_claim,
    defaultRole: r.default_role,
    enabled: r.enabled === 1,
    version: r.version,
  };
}

export async function findSsoConfig(db: Executor, partyId: string): Promise<SsoConfig | null> {
  const r = await db.selectFrom('party_sso').selectAll().where('party_id', '=', partyId).executeTakeFirst();
  return r ? toConfig(r) : null;
}

/** The enabled configuration of the party with this slug, and the party's name. */
export async function findEnabledSsoBySlug(db: Executor, slug: string): Promise<(SsoConfig & { partyName: string }) | null> {
  const r = await db
    .selectFrom('party_sso')
    .innerJoin('party', 'party.id', 'party_sso.party_id')
    .selectAll('party_sso')
    .select('party.name as party_name')
    .where('party.slug', '=', slug)
    .where('party_sso.enabled', '=', 1)
    .executeTakeFirst();
  return r ? { ...toConfig(r), partyName: r.party_name } : null;
}

type Values = Omit<SsoConfigForm, 'version' | 'clientSecret'> & { clientSecret: string | null };

function columns(v: Values) {
  return {
    issuer_url: v.issuerUrl,
    client_id: v.clientId,
    client_secret: v.clientSecret,
    email_domains: v.emailDomains.join(','),
    role_claim: v.roleClaim,
    default_role: v.defaultRole,
    enabled: v.enabled ? 1 : 0,
  };
}

/** False when a row already exists (someone else created it first). */
export async function insertSsoConfig(db: Executor, partyId: string, v: Values, now: string): Promise<boolean> {
  const r = await db
    .insertInto('party_sso')
    .values({ party_id: partyId, ...columns(v), created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('party_id').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Optimistic locking: writes only if the stored version is still `expectedVersion`. */
export async function updateSsoConfig(db: Executor, partyId: string, expectedVersion: number, v: Values, now: string): Promise<boolean> {
  const r = await db
    .updateTable('party_sso')
    .set((eb) => ({ ...columns(v), updated_at: now, version: eb('version', '+', 1) }))
    .where('party_id', '=', partyId)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

// ---------------------------------------------------------------------------------------------
// Pending logins: in the database, because the callback may reach another instance.

export async function insertOidcLogin(db: Executor, row: Omit<Selectable<OidcLoginTable>, never>): Promise<void> {
  await db.insertInto('oidc_login').values(row).execute();
}

export async function deleteExpiredOidcLogins(db: Executor, now: string): Promise<void> {
  await db.deleteFrom('oidc_login').where('expires_at', '<', now).execute();
}

/** Removes the row and hands it back in one statement, so a state can be used exactly once, even by racing requests. */
export async function takeOidcLogin(db: Executor, state: string): Promise<Selectable<OidcLoginTable> | undefined> {
  return db.deleteFrom('oidc_login').where('state', '=', state).returningAll().executeTakeFirst();
}

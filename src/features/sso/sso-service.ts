import type { Executor } from '../../db/executor.js';
import type { SsoOption } from '../accounts/views/auth-pages.js';

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

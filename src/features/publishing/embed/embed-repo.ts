import type { Selectable } from 'kysely';
import type { Executor } from '../../../db/executor.js';
import type { PartyTable } from '../../../db/schema.js';
import { HEADING_LEVELS, type EmbedSettings, type HeadingLevel } from './embed-settings.js';

/** SQL for embed settings. They live on the party row, so a change bumps the party's version like any other edit. */

type EmbedColumns = Pick<Selectable<PartyTable>, 'embed_origins' | 'embed_accent_color' | 'embed_logo_url' | 'embed_heading_level'>;

export function toEmbedSettings(r: EmbedColumns): EmbedSettings {
  const level = Number(r.embed_heading_level);
  return {
    origins: r.embed_origins.split('\n').map((s) => s.trim()).filter(Boolean),
    accentColor: r.embed_accent_color,
    logoUrl: r.embed_logo_url,
    headingLevel: (HEADING_LEVELS as readonly number[]).includes(level) ? (level as HeadingLevel) : 2,
  };
}

export interface PartyEmbedRow {
  id: string;
  slug: string;
  name: string;
  kind: PartyTable['kind'];
  version: number;
  settings: EmbedSettings;
}

const columns = ['id', 'slug', 'name', 'kind', 'version', 'embed_origins', 'embed_accent_color', 'embed_logo_url', 'embed_heading_level'] as const;

function toRow(r: Pick<Selectable<PartyTable>, (typeof columns)[number]>): PartyEmbedRow {
  return { id: r.id, slug: r.slug, name: r.name, kind: r.kind, version: Number(r.version), settings: toEmbedSettings(r) };
}

export async function findPartyEmbed(db: Executor, partyId: string): Promise<PartyEmbedRow | null> {
  const r = await db.selectFrom('party').select(columns).where('id', '=', partyId).executeTakeFirst();
  return r ? toRow(r) : null;
}

/** The live settings of the parties of a pledge (ids from its signed version). */
export async function listPartyEmbeds(db: Executor, partyIds: readonly string[]): Promise<PartyEmbedRow[]> {
  if (partyIds.length === 0) return [];
  const rows = await db.selectFrom('party').select(columns).where('id', 'in', partyIds).execute();
  return rows.map(toRow);
}

export async function updatePartyEmbed(db: Executor, partyId: string, version: number, s: EmbedSettings, now: string): Promise<boolean> {
  const r = await db
    .updateTable('party')
    .set((eb) => ({
      embed_origins: s.origins.join('\n'),
      embed_accent_color: s.accentColor,
      embed_logo_url: s.logoUrl,
      embed_heading_level: s.headingLevel,
      updated_at: now,
      version: eb('version', '+', 1),
    }))
    .where('id', '=', partyId)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export interface EmbeddableMunicipality {
  slug: string;
  name: string;
  /** The pledges this party shares with the municipality, newest first, drafts included (staff only see this). */
  pledges: { title: string; startsOn: string; endsOn: string }[];
}

/**
 * The municipalities whose embed this party may put on its website: those of every pledge the
 * party is in (a police area usually shares pledges with several). The embed URL is per
 * municipality and always shows what is in force there, so one snippet serves every period.
 */
export async function listEmbeddableMunicipalities(db: Executor, partyId: string): Promise<EmbeddableMunicipality[]> {
  const rows = await db
    .selectFrom('pledge_party as mine')
    .innerJoin('pledge', 'pledge.id', 'mine.pledge_id')
    .innerJoin('pledge_party as theirs', 'theirs.pledge_id', 'pledge.id')
    .innerJoin('party', 'party.id', 'theirs.party_id')
    .select(['party.slug', 'party.name', 'pledge.title', 'pledge.starts_on', 'pledge.ends_on'])
    .where('mine.party_id', '=', partyId)
    .where('party.kind', '=', 'municipality')
    .orderBy('pledge.starts_on', 'desc')
    .execute();
  const bySlug = new Map<string, EmbeddableMunicipality>();
  for (const r of rows) {
    const m = bySlug.get(r.slug) ?? { slug: r.slug, name: r.name, pledges: [] };
    m.pledges.push({ title: r.title, startsOn: r.starts_on, endsOn: r.ends_on });
    bySlug.set(r.slug, m);
  }
  return [...bySlug.values()];
}

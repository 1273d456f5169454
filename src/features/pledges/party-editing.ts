import { z } from 'zod';
import type { Executor } from '../../db/executor.js';
import { AppError, EditConflictError } from '../../platform/errors.js';
import { parseOrThrow } from '../../platform/validation.js';
import { authorize, type Actor } from '../access/policy.js';
import { recordAudit } from '../audit/audit.js';
import { PARTY_KINDS, type Party } from './pledge.js';
import { createParty } from './pledge-service.js';
import * as repo from './party-repo.js';

/**
 * Administering parties from the admin forms. Inputs are what a form posts (strings). Creating
 * goes through `createParty`, which validates again, checks that slug and kommunkod are free and
 * writes the audit row. Slug and kommunkod cannot be changed afterwards: they are in public URLs
 * (/kommun/{slug}) and in the open data (?municipality=0486), and links to them must keep working.
 */

export interface PartyDeps {
  db: Executor;
  clock: () => Date;
}

// No check here aborts: the kind/kommunkod rule below then runs too, and every error shows at once.
const optionalText = (max: number) => z.string().trim().max(max, `Högst ${max} tecken.`).default('');

function isWebAddress(s: string): boolean {
  if (!URL.canParse(s)) return false;
  const u = new URL(s);
  return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname.includes('.');
}

const websiteUrl = optionalText(500).refine((s) => s === '' || s.length > 500 || isWebAddress(s), 'Ange en fullständig webbadress som börjar med https://, t.ex. https://www.strangnas.se/.');
const name = z.string().trim().min(1, 'Ange ett namn.').max(200, 'Högst 200 tecken.');

export const PartyCreateForm = z
  .object({
    kind: z.enum(PARTY_KINDS, 'Välj vilken sorts part det är.'),
    name,
    slug: z
      .string()
      .trim()
      .min(1, 'Ange ett adressnamn, t.ex. strangnas.')
      .max(100, 'Högst 100 tecken.')
      .regex(/^([a-z0-9]+(-[a-z0-9]+)*)?$/, 'Adressnamnet får bara innehålla a–z, 0–9 och enkla bindestreck, t.ex. lpo-strangnas.'),
    municipalityCode: z.string().trim().regex(/^(\d{4})?$/, 'En kommunkod är fyra siffror, t.ex. 0486.').default(''),
    county: optionalText(100),
    websiteUrl,
  })
  .superRefine((p, ctx) => {
    if (p.kind === 'municipality' && !p.municipalityCode)
      ctx.addIssue({ code: 'custom', path: ['municipalityCode'], message: 'En kommun måste ha en kommunkod.' });
    if (p.kind !== 'municipality' && /^\d{4}$/.test(p.municipalityCode))
      ctx.addIssue({ code: 'custom', path: ['municipalityCode'], message: 'Bara kommuner har kommunkod. Lämna fältet tomt.' });
  });

export async function createPartyFromForm(deps: PartyDeps, actor: Actor | null, form: unknown): Promise<Party> {
  authorize(actor, { action: 'party.create' });
  const f = parseOrThrow(PartyCreateForm, form);
  return createParty(
    deps.db,
    {
      kind: f.kind,
      name: f.name,
      slug: f.slug,
      municipalityCode: f.municipalityCode || null,
      county: f.county || null,
      websiteUrl: f.websiteUrl || null,
    },
    { actor },
    deps.clock(),
  );
}

export const PartyEditForm = z.object({
  version: z.coerce.number().int().positive(),
  name,
  county: optionalText(100),
  websiteUrl,
});

/** The editable fields, as the conflict notice and the audit trail show them. */
function editableFields(r: repo.PartyRow) {
  return { name: r.name, county: r.county, websiteUrl: r.website_url };
}

export async function updateParty(deps: PartyDeps, actor: Actor | null, partyId: string, form: unknown): Promise<void> {
  if (!(await repo.findPartyRow(deps.db, partyId))) throw new AppError('not_found', 'Parten finns inte.');
  authorize(actor, { action: 'party.update', partyId });
  const f = parseOrThrow(PartyEditForm, form);
  const values = { name: f.name, county: f.county || null, website_url: f.websiteUrl || null };
  await deps.db.transaction().execute(async (trx) => {
    const row = await repo.findPartyRow(trx, partyId);
    if (!row) throw new AppError('not_found', 'Parten finns inte.');
    const ok = row.version === f.version && (await repo.updatePartyRow(trx, partyId, f.version, values, deps.clock().toISOString()));
    if (!ok) throw new EditConflictError(editableFields(row), row.version);
    await recordAudit(
      trx,
      { actor, action: 'party.update', entityType: 'party', entityId: partyId, before: editableFields(row), after: editableFields({ ...row, ...values }) },
      deps.clock(),
    );
  });
}

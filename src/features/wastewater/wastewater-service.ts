import { z } from 'zod';
import { isUniqueViolation, type Executor } from '../../db/executor.js';
import { AppError, EditConflictError } from '../../platform/errors.js';
import { parseOrThrow as parseInput } from '../../platform/validation.js';
import { authorize, type Actor } from '../access/policy.js';
import { recordAudit } from '../audit/audit.js';
import { findPartyByMunicipalityCode, findPartyBySlug } from '../pledges/pledge-repo.js';
import type { Party } from '../pledges/pledge.js';
import { CORRECTION_SET_CODES, DEFAULT_CORRECTION_SET, isCorrectionSet, type CorrectionSetCode } from './correction-factors.js';
import type { BelowLoqRule } from './computation.js';
import { nationalReference, type SubstanceReference } from './reference.js';
import { buildSeries, type Audience, type Measure, type Series } from './series.js';
import { substanceFromSlug, SUBSTANCES, type SubstanceCode } from './substances.js';
import { dataSpan, findSettings, findSite, insertSettings, listSites, loadMeasurements, updateSettings, updateSite, type Site } from './wastewater-repo.js';

/** Reading a municipality's wastewater figures for any surface, and the staff's settings. */

export const DEFAULT_THRESHOLD = 2000;

export interface Settings {
  publicationThreshold: number;
  correctionSet: CorrectionSetCode;
  version: number;
}

export async function getSettings(db: Executor, partyId: string): Promise<Settings> {
  const s = await findSettings(db, partyId);
  return {
    publicationThreshold: s?.publicationThreshold ?? DEFAULT_THRESHOLD,
    correctionSet: s && isCorrectionSet(s.correctionSet) ? s.correctionSet : DEFAULT_CORRECTION_SET,
    version: s?.version ?? 0,
  };
}

/** What a reader asked to see; every field has a default, so an empty query is the usual page. */
export interface ViewQuery {
  substances: SubstanceCode[] | null;
  from: string | null;
  to: string | null;
  measure: Measure;
  belowLoq: BelowLoqRule;
  amphetamineCorrection: boolean;
}

export const DEFAULT_QUERY: ViewQuery = { substances: null, from: null, to: null, measure: 'pnl', belowLoq: 'zero', amphetamineCorrection: false };

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Ange datum som ÅÅÅÅ-MM-DD.');
const substanceList = z.string().transform((s, ctx) => {
  const out: SubstanceCode[] = [];
  for (const part of s.split(',').map((x) => x.trim()).filter(Boolean)) {
    const code = substanceFromSlug(part);
    if (!code) {
      ctx.addIssue({ code: 'custom', message: `Okänd substans: ${part}.` });
      return z.NEVER;
    }
    out.push(code);
  }
  return out.length > 0 ? out : null;
});
const flag = z.enum(['1', '0', 'true', 'false', 'ja', 'nej']).transform((v) => v === '1' || v === 'true' || v === 'ja');

/** The API's English parameter names. */
const ApiQuery = z.object({
  substance: substanceList.optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  measure: z.enum(['pnl', 'consumption']).optional(),
  belowLoq: z.enum(['zero', 'half-loq']).optional(),
  amphetamineCorrection: flag.optional(),
});

/** The public page's Swedish parameter names, as its filter form sends them. */
const PageQuery = z.object({
  substans: z.union([substanceList, z.literal('')]).optional(),
  fran: z.union([isoDate, z.literal('')]).optional(),
  till: z.union([isoDate, z.literal('')]).optional(),
  matt: z.enum(['pnl', 'konsumtion']).optional(),
  loq: z.enum(['noll', 'halva']).optional(),
  amfetamin: z.enum(['korrigerad', 'okorrigerad']).optional(),
  lang: z.string().optional(),
});

function checkRange(q: ViewQuery): ViewQuery {
  if (q.from && q.to && q.from > q.to) throw new AppError('invalid_parameter', 'Startdatumet ligger efter slutdatumet.', [{ field: 'from', message: 'Startdatumet ligger efter slutdatumet.' }]);
  return q;
}

export function viewQueryFromApi(query: unknown): ViewQuery {
  const r = ApiQuery.safeParse(query ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new AppError('invalid_parameter', `${String(issue.path[0] ?? '')}: ${issue.message}`, [{ field: String(issue.path[0] ?? ''), message: issue.message }]);
  }
  const v = r.data;
  return checkRange({
    substances: v.substance ?? null,
    from: v.from ?? null,
    to: v.to ?? null,
    measure: v.measure ?? 'pnl',
    belowLoq: v.belowLoq ?? 'zero',
    amphetamineCorrection: v.amphetamineCorrection ?? false,
  });
}

export function viewQueryFromPage(query: unknown): ViewQuery {
  const r = PageQuery.safeParse(query ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new AppError('invalid_parameter', issue.message, [{ field: String(issue.path[0] ?? ''), message: issue.message }]);
  }
  const v = r.data;
  return checkRange({
    substances: v.substans ? v.substans : null,
    from: v.fran || null,
    to: v.till || null,
    measure: v.matt === 'konsumtion' ? 'consumption' : 'pnl',
    belowLoq: v.loq === 'halva' ? 'half-loq' : 'zero',
    amphetamineCorrection: v.amfetamin === 'korrigerad',
  });
}

export interface WastewaterView {
  party: Party;
  audience: Audience;
  settings: Settings;
  query: ViewQuery;
  series: Series;
  references: Partial<Record<SubstanceCode, SubstanceReference>>;
  /** Substances with any data at all, whatever the filter, in display order. */
  availableSubstances: SubstanceCode[];
  firstDate: string | null;
  lastDate: string | null;
  samples: number;
  isDemo: boolean;
  /** Staff only. */
  sites: Site[];
}

export async function findMunicipality(db: Executor, by: { slug?: string; code?: string }): Promise<Party> {
  const party = by.slug ? await findPartyBySlug(db, by.slug, 'municipality') : by.code ? await findPartyByMunicipalityCode(db, by.code) : null;
  if (!party || party.kind !== 'municipality') throw new AppError('not_found');
  return party;
}

/**
 * The figures for one municipality as `audience` may see them. Public: districts under the
 * threshold and unpublished sites never leave this function (see series.ts).
 */
export async function wastewaterView(db: Executor, party: Party, audience: Audience, query: ViewQuery): Promise<WastewaterView> {
  const [settings, span, sites] = await Promise.all([getSettings(db, party.id), dataSpan(db, party.id), listSites(db, party.id)]);
  const rows = await loadMeasurements(db, party.id, { from: query.from ?? undefined, to: query.to ?? undefined, substances: query.substances ?? undefined });
  // Methamphetamine is needed to correct amphetamine even when only amphetamine was asked for.
  const extra =
    query.amphetamineCorrection && query.substances && query.substances.includes('amphetamine') && !query.substances.includes('methamphetamine')
      ? await loadMeasurements(db, party.id, { from: query.from ?? undefined, to: query.to ?? undefined, substances: ['methamphetamine'] })
      : [];
  const series = buildSeries([...rows, ...extra], {
    measure: query.measure,
    belowLoq: query.belowLoq,
    amphetamineCorrection: query.amphetamineCorrection,
    correctionSet: settings.correctionSet,
    audience,
    threshold: settings.publicationThreshold,
    substances: query.substances ?? undefined,
    from: query.from ?? undefined,
    to: query.to ?? undefined,
  });
  const references: Partial<Record<SubstanceCode, SubstanceReference>> = {};
  for (const s of series.substances) references[s.substance] = nationalReference(s.substance);
  const available = SUBSTANCES.filter((s) => span.substances.includes(s));
  return {
    party,
    audience,
    settings,
    query,
    series,
    references,
    availableSubstances: available,
    firstDate: span.first,
    lastDate: span.last,
    samples: span.samples,
    isDemo: party.isDemo || sites.some((s) => s.isDemo),
    sites: audience === 'staff' ? sites : [],
  };
}

// --- staff settings ---------------------------------------------------------------------------

const SettingsInput = z.object({
  version: z.coerce.number().int().min(0),
  publicationThreshold: z
    .string({ message: 'Ange gränsen som ett heltal, t.ex. 2000.' })
    .trim()
    .regex(/^\d[\d\s\u00a0]*$/, 'Ange gränsen som ett heltal, t.ex. 2000.')
    .transform((s) => Number(s.replace(/[\s\u00a0]/g, '')))
    .pipe(
      z
        .number()
        .min(DEFAULT_THRESHOLD, `Gränsen kan inte vara lägre än ${DEFAULT_THRESHOLD} anslutna invånare.`)
        .max(10_000_000, 'Gränsen är orimligt hög.'),
    ),
  correctionSet: z.enum(CORRECTION_SET_CODES as [CorrectionSetCode, ...CorrectionSetCode[]], { message: 'Välj en uppsättning korrektionsfaktorer.' }),
});

export async function saveSettings(deps: { db: Executor; clock: () => Date }, actor: Actor | null, partyId: string, body: unknown): Promise<Settings> {
  authorize(actor, { action: 'wastewater.configure', partyId });
  const v = parseInput(SettingsInput, body);
  return deps.db.transaction().execute(async (trx) => {
    const before = await getSettings(trx, partyId);
    const now = deps.clock().toISOString();
    const values = { publicationThreshold: v.publicationThreshold, correctionSet: v.correctionSet };
    if (before.version === 0 && v.version === 0) {
      try {
        await insertSettings(trx, partyId, values, now);
      } catch (err) {
        // Someone saved the first settings a moment earlier: the same conflict as a stale version.
        if (isUniqueViolation(err)) throw new EditConflictError({ publicationThreshold: String(before.publicationThreshold), correctionSet: before.correctionSet }, 1);
        throw err;
      }
    } else if (!(await updateSettings(trx, partyId, v.version, values, now))) {
      throw new EditConflictError({ publicationThreshold: String(before.publicationThreshold), correctionSet: before.correctionSet }, before.version);
    }
    await recordAudit(
      trx,
      { actor, action: 'wastewater.settings.update', entityType: 'wastewater_settings', entityId: partyId, before: { publicationThreshold: before.publicationThreshold, correctionSet: before.correctionSet }, after: values },
      deps.clock(),
    );
    return getSettings(trx, partyId);
  });
}

const SiteInput = z.object({
  version: z.coerce.number().int().min(1),
  name: z.string().trim().min(1, 'Ange ett namn på mätpunkten.').max(80, 'Namnet får vara högst 80 tecken.'),
  district: z.string().trim().min(1, 'Ange kommundelen.').max(80, 'Kommundelen får vara högst 80 tecken.'),
  published: z.string().optional(),
});

export async function saveSite(deps: { db: Executor; clock: () => Date }, actor: Actor | null, siteId: string, body: unknown): Promise<Site> {
  const site = await findSite(deps.db, siteId);
  if (!site) throw new AppError('not_found');
  authorize(actor, { action: 'wastewater.configure', partyId: site.partyId });
  const v = parseInput(SiteInput, body);
  return deps.db.transaction().execute(async (trx) => {
    const now = deps.clock().toISOString();
    const after = { name: v.name, district: v.district, isPublished: v.published === '1' };
    if (!(await updateSite(trx, siteId, v.version, after, now))) {
      const current = (await findSite(trx, siteId))!;
      throw new EditConflictError({ name: current.name, district: current.district, published: current.isPublished ? '1' : '' }, current.version);
    }
    await recordAudit(
      trx,
      { actor, action: 'wastewater.site.update', entityType: 'wastewater_site', entityId: siteId, before: { name: site.name, district: site.district, isPublished: site.isPublished }, after },
      deps.clock(),
    );
    return (await findSite(trx, siteId))!;
  });
}

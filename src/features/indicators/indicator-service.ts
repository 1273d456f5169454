import { randomUUID } from 'node:crypto';
import { isUniqueViolation, type Executor } from '../../db/executor.js';
import { AppError, EditConflictError } from '../../platform/errors.js';
import { sortSv } from '../../platform/text.js';
import { parseOrThrow } from '../../platform/validation.js';
import { authorize, type Actor } from '../access/policy.js';
import { recordAudit } from '../audit/audit.js';
import { findPartiesByIds, findPartyByMunicipalityCode } from '../pledges/pledge-repo.js';
import type { ChangedBy } from '../pledges/pledge-service.js';
import type { Party } from '../pledges/pledge.js';
import { IndicatorForm, linkForm, type Indicator, type IndicatorValue } from './indicator.js';
import { readIndicatorCsv } from './indicator-csv.js';
import {
  ImportRefusedError,
  checkKoladaMunicipality,
  parseKoladaJson,
  planChangesAnything,
  planImport,
  planTotals,
  type ImportFormat,
  type ImportPlan,
  type ImportRow,
} from './indicator-import.js';
import * as repo from './indicator-repo.js';

/** Use-cases for indicators, shared by the admin routes, the CLI, the demo seed and the tests. */

export interface IndicatorDeps {
  db: Executor;
  clock: () => Date;
}

// ---------------------------------------------------------------------------------------------
// Defining indicators

function fieldsOf(f: ReturnType<typeof IndicatorForm.parse>): repo.IndicatorValues {
  return {
    code: f.code,
    name: f.name,
    definition: f.definition,
    unit: f.unit,
    direction: f.direction,
    source: f.source,
    kolada_kpi: f.koladaKpi,
    source_detail: f.sourceDetail,
    level: f.level,
    area_name: f.areaName,
    reporting_lag_months: f.reportingLagMonths,
  };
}

/** What the audit trail and the conflict notice show of an indicator. */
function auditFields(r: repo.IndicatorValues) {
  return {
    code: r.code,
    name: r.name,
    definition: r.definition,
    unit: r.unit,
    direction: r.direction,
    source: r.source,
    koladaKpi: r.kolada_kpi,
    sourceDetail: r.source_detail,
    level: r.level,
    areaName: r.area_name,
    reportingLagMonths: r.reporting_lag_months,
  };
}

async function checkPartyAndCode(db: Executor, party: Party | undefined, values: repo.IndicatorValues, exceptId: string | null): Promise<void> {
  if (!party) throw new AppError('validation_failed', 'Parten finns inte.', [{ field: 'partyId', message: 'Välj en part i listan.' }]);
  if (values.source === 'kolada' && party.kind !== 'municipality')
    throw new AppError('validation_failed', 'Kolada redovisar kommuner.', [{ field: 'source', message: `Kolada redovisar kommuner, och ${party.name} är ingen kommun. Välj en annan källa.` }]);
  if (values.level === 'police_area' && party.kind === 'partner')
    throw new AppError('validation_failed', 'Fel nivå.', [{ field: 'level', message: 'En samverkanspart har inget lokalpolisområde. Välj kommun eller kommundel.' }]);
  const same = (await repo.listIndicatorsOfParty(db, party.id)).find((i) => i.id !== exceptId && i.code.toLocaleLowerCase('sv') === values.code.toLocaleLowerCase('sv'));
  if (same)
    throw new AppError('validation_failed', `Koden ${values.code} används redan.`, [
      { field: values.source === 'kolada' && values.code === values.kolada_kpi ? 'koladaKpi' : 'code', message: `${party.name} har redan en indikator med koden ${same.code} (${same.name}).` },
    ]);
}

/** Creates an indicator from form-shaped input. No authorisation here: the form route and the seed decide who. */
export async function defineIndicator(deps: IndicatorDeps, form: unknown, by: ChangedBy, opts: { isDemo?: boolean } = {}): Promise<Indicator> {
  const f = parseOrThrow(IndicatorForm, form);
  const values = fieldsOf(f);
  const [party] = await findPartiesByIds(deps.db, [f.partyId].filter((id) => /^[0-9a-f-]{36}$/.test(id)));
  await checkPartyAndCode(deps.db, party, values, null);
  const id = randomUUID();
  const now = deps.clock();
  try {
    await deps.db.transaction().execute(async (trx) => {
      await repo.insertIndicator(trx, { ...values, id, party_id: party!.id, is_demo: opts.isDemo ? 1 : 0 }, now.toISOString());
      await recordAudit(trx, { actor: by.actor, actorLabel: by.label, action: 'indicator.create', entityType: 'indicator', entityId: id, after: { partyId: party!.id, ...auditFields(values) } }, now);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('validation_failed', 'Koden används redan.', [{ field: 'code', message: 'Koden används redan av en annan indikator för samma part.' }]);
    throw err;
  }
  return (await repo.findIndicator(deps.db, id))!;
}

export async function createIndicatorFromForm(deps: IndicatorDeps, actor: Actor | null, form: Record<string, string | undefined>): Promise<Indicator> {
  authorize(actor, { action: 'indicator.manage', partyId: form.partyId ?? '' });
  return defineIndicator(deps, form, { actor });
}

export async function updateIndicator(deps: IndicatorDeps, actor: Actor | null, id: string, form: Record<string, string | undefined>): Promise<void> {
  const existing = await repo.findIndicator(deps.db, id);
  if (!existing) throw new AppError('not_found', 'Indikatorn finns inte.');
  authorize(actor, { action: 'indicator.manage', partyId: existing.partyId });
  // Which party an indicator measures is fixed: its values and links belong to that area.
  const f = parseOrThrow(IndicatorForm, { ...form, partyId: existing.partyId });
  const version = Number(form.version);
  const values = fieldsOf(f);
  const [party] = await findPartiesByIds(deps.db, [existing.partyId]);
  await checkPartyAndCode(deps.db, party, values, id);
  const now = deps.clock();
  await deps.db.transaction().execute(async (trx) => {
    const row = await repo.findIndicatorRow(trx, id);
    if (!row) throw new AppError('not_found', 'Indikatorn finns inte.');
    const ok = row.version === version && (await repo.updateIndicatorRow(trx, id, version, values, now.toISOString()));
    if (!ok) throw new EditConflictError(auditFields(row), row.version);
    await recordAudit(trx, { actor, action: 'indicator.update', entityType: 'indicator', entityId: id, before: auditFields(row), after: auditFields(values) }, now);
  });
}

// ---------------------------------------------------------------------------------------------
// Linking to focus areas and commitments

/** "fa:<uuid>" or "c:<uuid>", as the link form's select posts it. */
function parsePlace(raw: string | undefined): { focusAreaId: string | null; commitmentId: string | null } | null {
  const m = /^(fa|c):([0-9a-f-]{36})$/.exec(raw ?? '');
  if (!m) return null;
  return m[1] === 'fa' ? { focusAreaId: m[2]!, commitmentId: null } : { focusAreaId: null, commitmentId: m[2]! };
}

function linkValues(f: ReturnType<ReturnType<typeof linkForm>['parse']>): repo.LinkRowValues {
  return { baseline_value: f.baselineValue, baseline_year: f.baselineYear, target_value: f.targetValue, target_year: f.targetYear };
}

function linkAudit(v: repo.LinkRowValues) {
  return { baselineValue: v.baseline_value, baselineYear: v.baseline_year, targetValue: v.target_value, targetYear: v.target_year };
}

export async function linkIndicator(deps: IndicatorDeps, actor: Actor | null, indicatorId: string, form: Record<string, string | undefined>, by?: ChangedBy): Promise<string> {
  const indicator = await repo.findIndicator(deps.db, indicatorId);
  if (!indicator) throw new AppError('not_found', 'Indikatorn finns inte.');
  const target = parsePlace(form.place);
  const place = target ? await repo.findPlaceOf(deps.db, target.focusAreaId ? { focusAreaId: target.focusAreaId } : { commitmentId: target.commitmentId! }) : null;
  if (!by) {
    // Without a place the policy has no pledge to ask about: the indicator's own right decides, then the form error.
    if (place) authorize(actor, { action: 'indicator.link', partyId: indicator.partyId, pledge: { state: place.state, partyIds: place.partyIds } });
    else authorize(actor, { action: 'indicator.manage', partyId: indicator.partyId });
  }
  if (!target || !place) throw new AppError('validation_failed', 'Välj ett fokusområde eller ett löfte.', [{ field: 'place', message: 'Välj vilket fokusområde eller löfte indikatorn följer upp.' }]);
  if (!place.partyIds.includes(indicator.partyId))
    throw new AppError('validation_failed', 'Fel löfte.', [{ field: 'place', message: 'Indikatorn kan bara kopplas till löften där dess part är med.' }]);
  if (place.state === 'archived') throw new AppError('validation_failed', 'Arkiverat löfte.', [{ field: 'place', message: 'Löftet är arkiverat och kan inte få nya indikatorer.' }]);
  const values = linkValues(parseOrThrow(linkForm(indicator.unit), form));
  const id = randomUUID();
  const now = deps.clock();
  try {
    await deps.db.transaction().execute(async (trx) => {
      if (await repo.findActiveLinkTo(trx, indicatorId, target))
        throw new AppError('validation_failed', 'Redan kopplad.', [{ field: 'place', message: 'Indikatorn är redan kopplad dit. Ändra den kopplingen i stället.' }]);
      await repo.insertLink(trx, { ...values, id, indicator_id: indicatorId, focus_area_id: target.focusAreaId, commitment_id: target.commitmentId }, now.toISOString());
      await recordAudit(
        trx,
        { actor: by?.actor ?? actor, actorLabel: by?.label, action: 'indicator.link', entityType: 'indicator_link', entityId: id, pledgeId: place.pledgeId, after: { indicatorId, ...target, ...linkAudit(values) } },
        now,
      );
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('validation_failed', 'Redan kopplad.', [{ field: 'place', message: 'Indikatorn är redan kopplad dit.' }]);
    throw err;
  }
  return id;
}

async function linkForEdit(deps: IndicatorDeps, actor: Actor | null, linkId: string) {
  const link = await repo.findLinkWithPlace(deps.db, linkId);
  if (!link) throw new AppError('not_found', 'Kopplingen finns inte.');
  const indicator = (await repo.findIndicator(deps.db, link.indicatorId))!;
  authorize(actor, { action: 'indicator.link', partyId: indicator.partyId, pledge: { state: link.place.pledgeState, partyIds: link.place.pledgePartyIds } });
  return { link, indicator };
}

export async function updateLink(deps: IndicatorDeps, actor: Actor | null, linkId: string, form: Record<string, string | undefined>): Promise<void> {
  const { link, indicator } = await linkForEdit(deps, actor, linkId);
  const values = linkValues(parseOrThrow(linkForm(indicator.unit), form));
  const version = Number(form.version);
  const now = deps.clock();
  await deps.db.transaction().execute(async (trx) => {
    const row = await repo.findLinkRow(trx, linkId);
    if (!row) throw new AppError('not_found', 'Kopplingen finns inte.');
    const ok = row.version === version && (await repo.updateLinkRow(trx, linkId, version, values, now.toISOString()));
    if (!ok) throw new EditConflictError(linkAudit(row), row.version);
    await recordAudit(trx, { actor, action: 'indicator.link.update', entityType: 'indicator_link', entityId: linkId, pledgeId: link.place.pledgeId, before: linkAudit(row), after: linkAudit(values) }, now);
  });
}

/** Unlinks without deleting: the row stays (removed_at) and the audit trail says who and when. */
export async function removeLink(deps: IndicatorDeps, actor: Actor | null, linkId: string): Promise<string> {
  const { link } = await linkForEdit(deps, actor, linkId);
  const now = deps.clock();
  await deps.db.transaction().execute(async (trx) => {
    const row = await repo.findLinkRow(trx, linkId);
    if (!row || !(await repo.updateLinkRow(trx, linkId, row.version, { removed_at: now.toISOString() }, now.toISOString()))) throw new AppError('not_found', 'Kopplingen finns inte.');
    await recordAudit(trx, { actor, action: 'indicator.unlink', entityType: 'indicator_link', entityId: linkId, pledgeId: link.place.pledgeId, before: { indicatorId: row.indicator_id, focusAreaId: row.focus_area_id, commitmentId: row.commitment_id, ...linkAudit(row) } }, now);
  });
  return link.indicatorId;
}

// ---------------------------------------------------------------------------------------------
// Imports

export interface ImportRequest {
  partyId: string;
  format: ImportFormat;
  text: string;
  fileName?: string;
  /** Plan only: what would change, with nothing stored. */
  dryRun: boolean;
}

export interface ImportResult {
  party: Party;
  plan: ImportPlan;
  dryRun: boolean;
  /** False when the file said nothing new: a re-run of the same file. */
  changed: boolean;
}

async function rowsOf(deps: IndicatorDeps, party: Party, req: ImportRequest): Promise<ImportRow[]> {
  if (req.format === 'csv') {
    if (/^\uFEFF?\s*[{[]/.test(req.text))
      throw new ImportRefusedError([{ ref: 'filen', column: null, message: 'Filen ser ut att vara JSON, som Koladas API svarar med. Välj formatet Kolada, eller spara värdena som CSV.' }]);
    return readIndicatorCsv(req.text);
  }
  const file = parseKoladaJson(req.text);
  if (party.kind !== 'municipality' || !party.municipalityCode)
    throw new ImportRefusedError([{ ref: 'filen', column: null, message: `Kolada redovisar kommuner, och ${party.name} är ingen kommun. Välj den kommun filen gäller.` }]);
  const names = new Map<string, string>();
  for (const code of file.municipalities.keys()) {
    const p = code === party.municipalityCode ? party : await findPartyByMunicipalityCode(deps.db, code);
    if (p) names.set(code, p.name);
  }
  checkKoladaMunicipality(file, { code: party.municipalityCode, name: party.name }, names);
  return file.rows;
}

/**
 * Imports a Kolada JSON answer or the generic CSV into a party's indicators. All or nothing: any bad
 * row refuses the whole file, naming each row at fault. Idempotent: the same file again changes
 * nothing. A figure that already had another number is a correction: applied, reported, kept in
 * the row's history and the audit trail. Authorisation is the caller's (the admin route asks the
 * policy; the CLI is the operator).
 */
export async function importIndicatorValues(deps: IndicatorDeps, by: ChangedBy, req: ImportRequest): Promise<ImportResult> {
  const [party] = await findPartiesByIds(deps.db, [req.partyId]);
  if (!party) throw new AppError('not_found', 'Parten finns inte.');
  const rows = await rowsOf(deps, party, req);
  const plan = await deps.db.transaction().execute(async (trx) => {
    const indicators = await repo.listIndicatorsOfParty(trx, party.id);
    const byKey = (key: string): Indicator | null => {
      if (req.format === 'kolada') return indicators.find((i) => i.koladaKpi === key) ?? null;
      const k = key.toLocaleLowerCase('sv');
      return indicators.find((i) => i.code.toLocaleLowerCase('sv') === k) ?? indicators.find((i) => i.koladaKpi?.toLowerCase() === k) ?? null;
    };
    const involved = [...new Set(rows.map((r) => byKey(r.key)?.id).filter((id): id is string => Boolean(id)))];
    await repo.lockIndicators(trx, involved);
    const stored = await repo.storedValues(trx, involved);
    const codes = sortSv(indicators, (i) => i.code).map((i) => i.code).join(', ') || 'inga ännu';
    const plan = planImport(rows, byKey, stored, (key) =>
      req.format === 'kolada'
        ? `${party.name} har ingen indikator för Kolada-nyckeltalet ${key}. Lägg till den under Indikatorer först, eller ta bort nyckeltalet ur filen.`
        : `${party.name} har ingen indikator med koden "${key}". Koderna som finns är: ${codes}.`,
    );
    if (req.dryRun || !planChangesAnything(plan)) return plan;
    await applyPlan(trx, plan, by, req, deps.clock());
    return plan;
  });
  return { party, plan, dryRun: req.dryRun, changed: planChangesAnything(plan) };
}

async function applyPlan(trx: Executor, plan: ImportPlan, by: ChangedBy, req: ImportRequest, now: Date): Promise<void> {
  const iso = now.toISOString();
  for (const p of plan.indicators) {
    if (p.added.length + p.statusChanged.length + p.corrections.length === 0) continue;
    await repo.insertValues(
      trx,
      p.added.map((c) => ({ id: randomUUID(), indicator_id: p.indicator.id, period: c.period, gender: c.gender, value: c.after.value, status: c.after.status })),
      iso,
    );
    for (const c of p.statusChanged) await repo.updateValueStatus(trx, p.indicator.id, c.period, c.gender, c.after, iso);
    for (const c of p.corrections) await repo.correctValue(trx, p.indicator.id, c.period, c.gender, c.before!, c.after, iso);
    const brief = (c: { period: string; gender: string; before: unknown; after: unknown }) => ({ period: c.period, gender: c.gender, before: c.before, after: c.after });
    await recordAudit(
      trx,
      {
        actor: by.actor,
        actorLabel: by.label,
        action: 'indicator.import',
        entityType: 'indicator',
        entityId: p.indicator.id,
        after: {
          format: req.format,
          file: req.fileName ?? null,
          added: p.added.map(brief),
          statusChanged: p.statusChanged.map(brief),
          corrections: p.corrections.map(brief),
          unchanged: p.unchanged,
        },
      },
      now,
    );
  }
}

/** One line for the CLI and the admin confirmation: "3 nya värden, 1 rättelse, 5 oförändrade." */
export function importSummary(plan: ImportPlan): string {
  const t = planTotals(plan);
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  return [
    n(t.added, 'nytt värde', 'nya värden'),
    n(t.corrections, 'rättelse', 'rättelser'),
    n(t.statusChanged, 'ändrad status', 'ändrade statusar'),
    n(t.unchanged, 'oförändrat', 'oförändrade'),
  ].join(', ');
}

/** For the admin form: the CSRF-protected import route authorises before anything is read. */
export async function importFromForm(deps: IndicatorDeps, actor: Actor | null, req: ImportRequest): Promise<ImportResult> {
  authorize(actor, { action: 'indicator.import', partyId: req.partyId });
  return importIndicatorValues(deps, { actor }, req);
}

// ---------------------------------------------------------------------------------------------
// Public reads

export interface PledgeIndicator {
  linkId: string;
  focusAreaTitle: string;
  commitmentTitle: string | null;
  indicator: Indicator;
  baseline: repo.LinkWithPlace['baseline'];
  target: repo.LinkWithPlace['target'];
  values: IndicatorValue[];
}

/**
 * The indicators a public pledge page shows: those linked to its focus areas or their commitments.
 * Loaded apart from the pledge itself, so the page's own loading can change without this.
 */
export async function pledgeIndicators(db: Executor, pledgeId: string, focusAreaIds: readonly string[]): Promise<PledgeIndicator[]> {
  const links = await repo.listPublicLinksOfPledge(db, pledgeId, focusAreaIds);
  if (links.length === 0) return [];
  const values = await repo.listValuesOf(db, [...new Set(links.map((l) => l.indicatorId))]);
  return links.map((l) => ({
    linkId: l.id,
    focusAreaTitle: l.place.focusAreaTitle,
    commitmentTitle: l.place.commitmentTitle,
    indicator: l.indicator,
    baseline: l.baseline,
    target: l.target,
    values: values.get(l.indicatorId) ?? [],
  }));
}

export interface PublicIndicator {
  indicator: Indicator;
  party: Party;
  values: IndicatorValue[];
  links: repo.LinkWithPlace[];
  /** Municipality slug and period slug of each linked pledge, for links back to it. */
  pledgeHrefs: Map<string, string>;
}

/** An indicator's public page: only if it follows up a pledge the public may see. */
export async function publicIndicator(db: Executor, id: string): Promise<PublicIndicator> {
  const indicator = await repo.findIndicator(db, id);
  const links = indicator ? await repo.listPublicLinksOfIndicator(db, id) : [];
  if (!indicator || links.length === 0) throw new AppError('not_found', 'Indikatorn finns inte.');
  const [party] = await findPartiesByIds(db, [indicator.partyId]);
  const pledgeHrefs = await repo.pledgePublicPaths(db, [...new Set(links.map((l) => l.place.pledgeId))]);
  return { indicator, party: party!, values: await repo.listValues(db, id), links, pledgeHrefs };
}

import { messages } from '../../../platform/i18n/index.js';
import { Csrf, ErrorSummary, FieldErrorText, Select, TextArea, TextField, fieldId, type FormState } from '../../../platform/views/forms.js';
import { AdminLayout, type AdminContext } from '../../admin/views/admin-layout.js';
import { ConflictNotice } from '../../admin/views/conflict.js';
import { ActionButton } from '../../admin/views/structure-pages.js';
import { DIRECTIONS, LEVELS, SOURCES, UNITS, type Indicator, type IndicatorValue } from '../indicator.js';
import { describeIssue, planTotals, type ImportIssue, type ImportPlan, type ValueChange } from '../indicator-import.js';
import type { LinkTarget, LinkWithPlace } from '../indicator-repo.js';
import { formatPeriod, formatReading, formatValue } from '../indicator-text.js';

/** The staff side of indicators: list, define and edit, link to focus areas and commitments, import values. */

const sv = messages('sv');
const t = sv.indicators;

export const indicatorLabels = {
  partyId: 'Mäter området för',
  name: 'Namn',
  code: 'Kod',
  definition: 'Definition',
  unit: 'Enhet',
  direction: 'Önskad riktning',
  source: 'Källa',
  koladaKpi: 'Kolada-id',
  sourceDetail: 'Mer om källan',
  level: 'Nivå',
  areaName: 'Kommundel eller område',
  reportingLagMonths: 'Eftersläpning i månader',
};

const option = <K extends string>(values: readonly K[], label: Record<K, string>) => values.map((v) => ({ value: v, label: label[v] }));
const levelLabel = { municipality: 'Kommun', police_area: 'Lokalpolisområde', district: 'Kommundel' };

function Crumbs({ current, indicator }: { current?: string; indicator?: Pick<Indicator, 'id' | 'name'> }) {
  return (
    <p class="crumbs">
      <a href="/admin/indikatorer">Indikatorer</a>
      {indicator ? (
        <>
          {' › '}
          <a href={`/admin/indikatorer/${indicator.id}`}>{indicator.name}</a>
        </>
      ) : null}
      {current ? ` › ${current}` : null}
    </p>
  );
}

export function IndicatorListPage(props: { ctx: AdminContext; indicators: (Indicator & { partyName: string; values: number })[]; canCreate: boolean; canImport: boolean }) {
  return (
    <AdminLayout ctx={props.ctx} title="Indikatorer">
      <h1>Indikatorer</h1>
      <p>
        Indikatorer följer upp om löftena gör skillnad: nyckeltal från Kolada, polisens trygghetsmätning, NTU, skolundersökningar som CAN, avloppsvattenmätningar eller egna mätningar. Koppla dem till
        fokusområden och löften med utgångsvärde och mål; de visas då på löftets publika sida.
      </p>
      <div class="actions">
        {props.canCreate ? <a href="/admin/indikatorer/ny">Ny indikator</a> : null}
        {props.canImport ? <a href="/admin/indikatorer/import">Importera värden (Kolada eller CSV)</a> : null}
      </div>
      {props.indicators.length === 0 ? (
        <p>Det finns inga indikatorer ännu.</p>
      ) : (
        <table>
          <caption class="visually-hidden">Indikatorer</caption>
          <thead>
            <tr>
              <th scope="col">Namn</th>
              <th scope="col">Kod</th>
              <th scope="col">Part</th>
              <th scope="col">Källa</th>
              <th scope="col" class="num">
                Värden
              </th>
            </tr>
          </thead>
          <tbody>
            {props.indicators.map((i) => (
              <tr key={i.id}>
                <td>
                  <a href={`/admin/indikatorer/${i.id}`}>{i.name}</a>
                </td>
                <td>{i.code}</td>
                <td>{i.partyName}</td>
                <td>{t.source[i.source]}</td>
                <td class="num">{i.values}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AdminLayout>
  );
}

function IndicatorFields({ state, parties }: { state: FormState; parties: { value: string; label: string }[] | null }) {
  return (
    <>
      {parties ? (
        <Select state={state} name="partyId" label={indicatorLabels.partyId} hint="Kommunen, lokalpolisområdet eller samverkansparten vars område indikatorn mäter. Kan inte ändras sedan." required options={parties} />
      ) : null}
      <TextField state={state} name="name" label={indicatorLabels.name} hint="Som en mening börjar, den visas så på löftets sida: t.ex. Andelen som känner sig otrygga ute sent på kvällen." required />
      <TextArea state={state} name="definition" label={indicatorLabels.definition} hint="Vad mäts, hur och av vem. Visas på indikatorns publika sida." rows={3} />
      <Select state={state} name="unit" label={indicatorLabels.unit} hint="En andel i procent måste ligga mellan 0 och 100." required options={option(UNITS, t.unitName)} />
      <Select state={state} name="direction" label={indicatorLabels.direction} required options={option(DIRECTIONS, t.direction)} />
      <Select state={state} name="source" label={indicatorLabels.source} required options={option(SOURCES, t.source)} />
      <TextField state={state} name="koladaKpi" label={indicatorLabels.koladaKpi} hint="Bara för källan Kolada: nyckeltalets id, t.ex. N07540 (anmälda brott totalt per 100 000 invånare)." />
      <TextField state={state} name="code" label={indicatorLabels.code} hint="Kort och unik för parten, t.ex. can-vill-prova. Står i kolumnen indicator när du importerar CSV. För Kolada blir koden Kolada-id:t om du lämnar fältet tomt." />
      <TextField state={state} name="sourceDetail" label={indicatorLabels.sourceDetail} hint="T.ex. Liv & Hälsa ung, eller polisens trygghetsmätning för region Mitt." />
      <Select state={state} name="level" label={indicatorLabels.level} required options={option(LEVELS, levelLabel)} />
      <TextField state={state} name="areaName" label={indicatorLabels.areaName} hint="Krävs för nivån kommundel, t.ex. Mariefred." />
      <TextField state={state} name="reportingLagMonths" label={indicatorLabels.reportingLagMonths} hint="Hur länge efter periodens slut värdet brukar publiceras, t.ex. 4 för Koladas anmälda brott. 0 om det är direkt." inputMode="numeric" />
    </>
  );
}

export function NewIndicatorPage(props: { ctx: AdminContext; state: FormState; parties: { value: string; label: string }[] }) {
  return (
    <AdminLayout ctx={props.ctx} title="Ny indikator">
      <Crumbs current="Ny indikator" />
      <h1>Ny indikator</h1>
      <ErrorSummary state={props.state} />
      <form method="post" action="/admin/indikatorer/ny" novalidate>
        <Csrf token={props.ctx.csrf} />
        <IndicatorFields state={props.state} parties={props.parties} />
        <div class="actions">
          <button type="submit">Skapa indikatorn</button>
          <a href="/admin/indikatorer">Avbryt</a>
        </div>
      </form>
    </AdminLayout>
  );
}

function placeText(l: LinkWithPlace): string {
  return [l.place.focusAreaTitle, l.place.commitmentTitle].filter(Boolean).join(' › ');
}

export function IndicatorAdminPage(props: {
  ctx: AdminContext;
  indicator: Indicator;
  partyName: string;
  values: IndicatorValue[];
  links: LinkWithPlace[];
  canManage: boolean;
  canImport: boolean;
  canLink: (l: LinkWithPlace) => boolean;
  isPublic: boolean;
  state: FormState;
  conflict: Record<string, unknown> | null;
}) {
  const { indicator: ind, state } = props;
  const genders = (['T', 'K', 'M'] as const).filter((g) => props.values.some((v) => v.gender === g));
  const periods = [...new Set(props.values.map((v) => v.period))].sort();
  const cell = new Map(props.values.map((v) => [`${v.period}|${v.gender}`, v]));
  return (
    <AdminLayout ctx={props.ctx} title={ind.name}>
      <Crumbs current={ind.name} />
      <h1>{ind.name}</h1>
      <p class="meta">
        {props.partyName} · kod {ind.code} · {t.source[ind.source]}
        {ind.koladaKpi ? ` ${ind.koladaKpi}` : ''}
      </p>
      <p class="actions">
        {props.isPublic ? <a href={`/indikatorer/${ind.id}`}>Publik sida</a> : <span class="muted">Inte publik: kopplad till inget publicerat löfte.</span>}
        <a href={`/admin/indikatorer/${ind.id}/historik`}>Historik</a>
        {props.canImport ? <a href={`/admin/indikatorer/import?part=${ind.partyId}`}>Importera värden</a> : null}
      </p>

      <h2>Kopplingar</h2>
      {props.links.length === 0 ? <p>Indikatorn är inte kopplad till något fokusområde eller löfte.</p> : null}
      {props.links.length > 0 ? (
        <table>
          <caption class="visually-hidden">Fokusområden och löften som indikatorn följer upp</caption>
          <thead>
            <tr>
              <th scope="col">Medborgarlöfte</th>
              <th scope="col">Följer upp</th>
              <th scope="col">{t.baseline}</th>
              <th scope="col">{t.target}</th>
              <th scope="col">Ändra</th>
            </tr>
          </thead>
          <tbody>
            {props.links.map((l) => (
              <tr key={l.id}>
                <td>
                  <a href={`/admin/loften/${l.place.pledgeId}`}>{l.place.pledgeTitle}</a>
                </td>
                <td>{placeText(l)}</td>
                <td>{l.baseline ? `${formatValue(l.baseline.value, ind.unit, sv)} (${l.baseline.year})` : '–'}</td>
                <td>{l.target ? `${formatValue(l.target.value, ind.unit, sv)} (${l.target.year})` : '–'}</td>
                <td>
                  {props.canLink(l) ? (
                    <a href={`/admin/indikatorkopplingar/${l.id}`}>
                      Ändra<span class="visually-hidden"> kopplingen till {placeText(l)}</span>
                    </a>
                  ) : (
                    '–'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {props.canManage ? (
        <p>
          <a href={`/admin/indikatorer/${ind.id}/kopplingar/ny`}>Koppla till ett fokusområde eller löfte</a>
        </p>
      ) : null}

      <h2>Värden</h2>
      {periods.length === 0 ? (
        <p>Inga värden är importerade ännu.</p>
      ) : (
        <table class="indicator-values">
          <caption class="visually-hidden">Värden för {ind.name}</caption>
          <thead>
            <tr>
              <th scope="col">Period</th>
              {genders.map((g) => (
                <th scope="col" class="num" key={g}>
                  {t.gender[g]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {periods.map((p) => (
              <tr key={p}>
                <th scope="row">{formatPeriod(p, sv)}</th>
                {genders.map((g) => {
                  const v = cell.get(`${p}|${g}`);
                  return (
                    <td class="num" key={g}>
                      {v ? formatReading(v, ind.unit, sv) : '–'}
                      {v?.status === 'preliminary' ? ' (preliminärt)' : ''}
                      {v?.previous ? ` (rättat, tidigare ${formatReading(v.previous, ind.unit, sv)})` : ''}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Uppgifter</h2>
      {props.canManage ? (
        <>
          <ConflictNotice current={props.conflict} labels={indicatorLabels} />
          <ErrorSummary state={state} />
          <form method="post" action={`/admin/indikatorer/${ind.id}`} novalidate>
            <Csrf token={props.ctx.csrf} />
            <input type="hidden" name="version" value={state.values.version} />
            <IndicatorFields state={state} parties={null} />
            <div class="actions">
              <button type="submit">Spara</button>
            </div>
          </form>
        </>
      ) : (
        <dl class="facts">
          <dt>{indicatorLabels.definition}</dt>
          <dd>{ind.definition || '–'}</dd>
          <dt>{indicatorLabels.unit}</dt>
          <dd>{t.unitName[ind.unit]}</dd>
          <dt>{indicatorLabels.direction}</dt>
          <dd>{t.direction[ind.direction]}</dd>
          <dt>{indicatorLabels.level}</dt>
          <dd>{[levelLabel[ind.level], ind.areaName].filter(Boolean).join(': ')}</dd>
          <dt>{indicatorLabels.reportingLagMonths}</dt>
          <dd>{ind.reportingLagMonths}</dd>
        </dl>
      )}
    </AdminLayout>
  );
}

/** The place select: every focus area of the party's pledges, each followed by its commitments. */
function PlaceSelect({ state, targets }: { state: FormState; targets: LinkTarget[] }) {
  const id = fieldId('place');
  const error = state.errors.find((e) => e.field === 'place')?.message;
  const current = state.values.place ?? '';
  const byPledge = new Map<string, LinkTarget[]>();
  for (const tg of targets) byPledge.set(tg.pledgeId, [...(byPledge.get(tg.pledgeId) ?? []), tg]);
  return (
    <div class={error ? 'field has-error' : 'field'}>
      <label for={id}>Följer upp</label>
      <p class="hint" id={`${id}-hint`}>
        Ett fokusområde, eller ett löfte under det, i ett medborgarlöfte där indikatorns part är med.
      </p>
      <FieldErrorText id={id} error={error} />
      <select id={id} name="place" required aria-describedby={[`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ')} aria-invalid={error ? 'true' : undefined}>
        <option value="">–</option>
        {[...byPledge.values()].map((areas) => (
          <optgroup label={`${areas[0]!.pledgeTitle}${areas[0]!.pledgeState === 'draft' ? ' (utkast)' : ''}`}>
            {areas.flatMap((a) => [
              <option value={`fa:${a.focusAreaId}`} selected={current === `fa:${a.focusAreaId}`}>
                {`Fokusområde: ${a.focusAreaTitle}`}
              </option>,
              ...a.commitments.map((c) => (
                <option value={`c:${c.id}`} selected={current === `c:${c.id}`}>
                  {`– Löfte: ${c.title}`}
                </option>
              )),
            ])}
          </optgroup>
        ))}
      </select>
    </div>
  );
}

function ReferenceFields({ state, unit }: { state: FormState; unit: Indicator['unit'] }) {
  const unitHint = unit === 'percent' ? 'I procent, 0–100, t.ex. 13 eller 13,5.' : `I enheten ${t.unitName[unit].toLocaleLowerCase('sv')}.`;
  return (
    <>
      <fieldset>
        <legend>Utgångsvärde</legend>
        <TextField state={state} name="baselineValue" label="Värde" hint={unitHint} inputMode="decimal" />
        <TextField state={state} name="baselineYear" label="År" hint="T.ex. 2019." inputMode="numeric" />
      </fieldset>
      <fieldset>
        <legend>Mål</legend>
        <TextField state={state} name="targetValue" label="Värde" hint={unitHint} inputMode="decimal" />
        <TextField state={state} name="targetYear" label="År" hint="När målet ska vara nått, t.ex. 2025." inputMode="numeric" />
      </fieldset>
    </>
  );
}

export function NewLinkPage(props: { ctx: AdminContext; indicator: Indicator; targets: LinkTarget[]; state: FormState }) {
  const { indicator } = props;
  return (
    <AdminLayout ctx={props.ctx} title="Koppla indikatorn">
      <Crumbs indicator={indicator} current="Koppla" />
      <h1>Koppla {indicator.name}</h1>
      <ErrorSummary state={props.state} />
      {props.targets.length === 0 ? <p>Det finns inget medborgarlöfte där indikatorns part är med och som inte är arkiverat.</p> : null}
      <form method="post" action={`/admin/indikatorer/${indicator.id}/kopplingar/ny`} novalidate>
        <Csrf token={props.ctx.csrf} />
        <PlaceSelect state={props.state} targets={props.targets} />
        <ReferenceFields state={props.state} unit={indicator.unit} />
        <div class="actions">
          <button type="submit">Koppla</button>
          <a href={`/admin/indikatorer/${indicator.id}`}>Avbryt</a>
        </div>
      </form>
    </AdminLayout>
  );
}

export function EditLinkPage(props: { ctx: AdminContext; indicator: Indicator; link: LinkWithPlace; state: FormState; conflict: Record<string, unknown> | null }) {
  const { indicator, link } = props;
  return (
    <AdminLayout ctx={props.ctx} title="Ändra kopplingen">
      <Crumbs indicator={indicator} current="Ändra kopplingen" />
      <h1>Ändra kopplingen</h1>
      <p>
        {indicator.name} följer upp <strong>{placeText(link)}</strong> i {link.place.pledgeTitle}.
      </p>
      <ConflictNotice current={props.conflict} labels={{ baselineValue: 'Utgångsvärde', baselineYear: 'Utgångsår', targetValue: 'Mål', targetYear: 'Målår' }} />
      <ErrorSummary state={props.state} />
      <form method="post" action={`/admin/indikatorkopplingar/${link.id}`} novalidate>
        <Csrf token={props.ctx.csrf} />
        <input type="hidden" name="version" value={props.state.values.version} />
        <ReferenceFields state={props.state} unit={indicator.unit} />
        <div class="actions">
          <button type="submit">Spara</button>
          <a href={`/admin/indikatorer/${indicator.id}`}>Avbryt</a>
        </div>
      </form>
      <h2>Ta bort kopplingen</h2>
      <p>Indikatorn visas då inte längre vid löftet. Kopplingen finns kvar i historiken.</p>
      <ActionButton ctx={props.ctx} action={`/admin/indikatorkopplingar/${link.id}/ta-bort`} label="Ta bort kopplingen" />
    </AdminLayout>
  );
}

// ---------------------------------------------------------------------------------------------
// Import

export function ImportPage(props: { ctx: AdminContext; parties: { value: string; label: string }[]; state: FormState; issues: ImportIssue[] }) {
  const { state } = props;
  const fileId = fieldId('file');
  const fileError = state.errors.find((e) => e.field === 'file')?.message;
  return (
    <AdminLayout ctx={props.ctx} title="Importera värden">
      <Crumbs current="Importera värden" />
      <h1>Importera värden</h1>
      <p>
        Ladda upp svaret från Koladas API (JSON) eller en CSV-fil med kolumnerna <code>indicator, period, value, gender, status</code>. Du ser vad som ändras innan något sparas. En fil med fel sparas
        inte alls; felen visas med rad och kolumn.
      </p>
      <ErrorSummary state={state} title="Filen kunde inte importeras" />
      {props.issues.length > 1 ? (
        <ul class="import-report" aria-label="Fel i filen">
          {props.issues.map((i) => (
            <li>{describeIssue(i)}</li>
          ))}
        </ul>
      ) : null}
      <form method="post" action="/admin/indikatorer/import" enctype="multipart/form-data" novalidate>
        <Csrf token={props.ctx.csrf} />
        <Select state={state} name="partyId" label="Importera till" hint="För Kolada: kommunen som filen gäller. Filen får bara ha värden för den kommunen." required options={props.parties} />
        <Select
          state={state}
          name="format"
          label="Format"
          required
          options={[
            { value: 'kolada', label: 'Kolada (JSON från Koladas API)' },
            { value: 'csv', label: 'CSV: indicator, period, value, gender, status' },
          ]}
        />
        <div class={fileError ? 'field has-error' : 'field'}>
          <label for={fileId}>Fil</label>
          <p class="hint" id={`${fileId}-hint`}>
            Högst 512 kB. CSV får ha semikolon eller komma som avgränsare och decimalkomma. Större filer importeras med kommandot loften indicators.
          </p>
          <FieldErrorText id={fileId} error={fileError} />
          <input id={fileId} name="file" type="file" accept=".json,.csv,application/json,text/csv" aria-describedby={[`${fileId}-hint`, fileError ? `${fileId}-error` : ''].filter(Boolean).join(' ')} aria-invalid={fileError ? 'true' : undefined} />
        </div>
        <div class="actions">
          <button type="submit">Förhandsgranska</button>
          <a href="/admin/indikatorer">Avbryt</a>
        </div>
      </form>
    </AdminLayout>
  );
}

function changeText(c: ValueChange, unit: Indicator['unit']): string {
  const after = `${formatReading(c.after, unit, sv)}${c.after.status === 'preliminary' ? ' (preliminärt)' : ''}`;
  const who = `${formatPeriod(c.period, sv)}${c.gender === 'T' ? '' : `, ${t.gender[c.gender].toLocaleLowerCase('sv')}`}`;
  if (!c.before) return `${who}: ${after}`;
  return `${who}: ${formatReading(c.before, unit, sv)}${c.before.status === 'preliminary' ? ' (preliminärt)' : ''} → ${after}`;
}

export function ImportPreviewPage(props: { ctx: AdminContext; partyId: string; partyName: string; format: string; fileName: string; content: string; plan: ImportPlan }) {
  const { plan } = props;
  const totals = planTotals(plan);
  const changes = totals.added + totals.corrections + totals.statusChanged;
  return (
    <AdminLayout ctx={props.ctx} title="Förhandsgranska importen">
      <Crumbs current="Förhandsgranska" />
      <h1>Förhandsgranska importen</h1>
      <p>
        {props.fileName ? `${props.fileName} till ${props.partyName}` : props.partyName}: {plan.rows === 1 ? '1 värde' : `${plan.rows} värden`} i filen. Inget är sparat ännu.
      </p>
      {plan.duplicates > 0 ? <p>{plan.duplicates} rader upprepar ett värde som redan finns i filen och räknas en gång.</p> : null}
      {plan.indicators.map((p) => (
        <section aria-labelledby={`plan-${p.indicator.id}`}>
          <h2 id={`plan-${p.indicator.id}`}>
            {p.indicator.name} ({p.indicator.code})
          </h2>
          <p>
            {p.added.length} nya, {p.corrections.length} rättelser, {p.statusChanged.length} ändrad status, {p.unchanged} oförändrade.
          </p>
          {p.corrections.length > 0 ? (
            <>
              <h3>Rättelser</h3>
              <p>De här värdena finns redan med ett annat tal. Om du importerar ersätts de; det tidigare värdet visas som rättat på den publika sidan och finns kvar i historiken.</p>
              <ul class="import-report">
                {p.corrections.map((c) => (
                  <li>
                    {changeText(c, p.indicator.unit)} <span class="muted">({c.ref.split(' (')[0]})</span>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {p.statusChanged.length > 0 ? (
            <>
              <h3>Ändrad status</h3>
              <ul class="import-report">
                {p.statusChanged.map((c) => (
                  <li>{changeText(c, p.indicator.unit)}</li>
                ))}
              </ul>
            </>
          ) : null}
          {p.added.length > 0 ? (
            <>
              <h3>Nya värden</h3>
              <ul class="import-report">
                {p.added.map((c) => (
                  <li>{changeText(c, p.indicator.unit)}</li>
                ))}
              </ul>
            </>
          ) : null}
        </section>
      ))}
      {changes === 0 ? (
        <p class="notice ok">Filen innehåller inget nytt: alla värden finns redan. Det finns inget att importera.</p>
      ) : (
        <form method="post" action="/admin/indikatorer/import/spara">
          <Csrf token={props.ctx.csrf} />
          <input type="hidden" name="partyId" value={props.partyId} />
          <input type="hidden" name="format" value={props.format} />
          <input type="hidden" name="fileName" value={props.fileName} />
          <input type="hidden" name="content" value={props.content} />
          <div class="actions">
            <button type="submit">Importera {changes === 1 ? '1 ändring' : `${changes} ändringar`}</button>
            <a href="/admin/indikatorer/import">Avbryt</a>
          </div>
        </form>
      )}
    </AdminLayout>
  );
}

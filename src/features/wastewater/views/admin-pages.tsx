import { formatChartNumber } from '../../../platform/views/charts/index.js';
import { Csrf, ErrorSummary, FieldErrorText, fieldId, Select, TextField, type FormState } from '../../../platform/views/forms.js';
import { href } from '../../../platform/views/links.js';
import { can } from '../../access/policy.js';
import { AdminLayout, type AdminContext } from '../../admin/views/admin-layout.js';
import { ConflictNotice } from '../../admin/views/conflict.js';
import type { Party } from '../../pledges/pledge.js';
import { CORRECTION_SETS, CORRECTION_SET_CODES } from '../correction-factors.js';
import type { CorrectionView, ImportRow } from '../import-repo.js';
import { SUBSTANCE_INFO, type SubstanceCode } from '../substances.js';
import type { Site } from '../wastewater-repo.js';
import { DEFAULT_THRESHOLD, type WastewaterView } from '../wastewater-service.js';
import { Guidance, OverviewTable, SubstanceFigures, substanceTitle } from './figures.js';
import { sv as w } from './messages.js';
import { chosenSubstance, FilterForm, pageParams } from './public-page.js';

const n = (v: number) => formatChartNumber(v, 'sv');
const dt = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '–');

const STATUS: Record<ImportRow['status'], string> = {
  reading: 'Läser filen',
  ready: 'Klar att granska',
  failed: 'Misslyckades',
  applying: 'Sparar',
  done: 'Sparad',
  discarded: 'Avbruten',
};

export function WastewaterIndexPage(props: { ctx: AdminContext; parties: { party: Party; sites: number }[] }) {
  return (
    <AdminLayout ctx={props.ctx} title="Avloppsvatten">
      <h1>Narkotika i avloppsvatten</h1>
      {props.parties.length === 0 ? (
        <p>Din organisation har inga mätningar av avloppsvatten att visa. Mätningarna hör till kommunen som äger mätpunkterna.</p>
      ) : (
        <ul>
          {props.parties.map(({ party, sites }) => (
            <li>
              <a href={`/admin/avloppsvatten/${party.id}`}>{party.name}</a> ({sites === 1 ? '1 mätpunkt' : `${sites} mätpunkter`})
            </li>
          ))}
        </ul>
      )}
    </AdminLayout>
  );
}

function ImportList({ imports }: { imports: ImportRow[] }) {
  if (imports.length === 0) return <p>Inga importer ännu.</p>;
  return (
    <div class="table-scroll">
      <table>
        <caption class="visually-hidden">De senaste importerna</caption>
        <thead>
          <tr>
            <th scope="col">Fil</th>
            <th scope="col">Startad</th>
            <th scope="col">Av</th>
            <th scope="col">Läge</th>
            <th scope="col">Rader</th>
          </tr>
        </thead>
        <tbody>
          {imports.map((i) => (
            <tr>
              <td>
                <a href={`/admin/avloppsvatten/import/${i.id}`}>{i.filename}</a>
              </td>
              <td>{dt(i.created_at)}</td>
              <td>{i.actor_label}</td>
              <td>{STATUS[i.status]}</td>
              <td class="num">{n(i.rows_read)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SiteTable({ sites, canConfigure, threshold }: { sites: Site[]; canConfigure: boolean; threshold: number }) {
  if (sites.length === 0) return <p>Inga mätpunkter ännu. De skapas av den första importen som nämner dem.</p>;
  return (
    <div class="table-scroll">
      <table>
        <caption class="visually-hidden">Mätpunkter</caption>
        <thead>
          <tr>
            <th scope="col">Kod</th>
            <th scope="col">Namn</th>
            <th scope="col">Kommundel</th>
            <th scope="col">Anslutna invånare</th>
            <th scope="col">Publiceras</th>
          </tr>
        </thead>
        <tbody>
          {sites.map((s) => (
            <tr>
              <td>{canConfigure ? <a href={`/admin/avloppsvatten/matpunkter/${s.id}`}>{s.code}</a> : s.code}</td>
              <td>{s.name}</td>
              <td>{s.district}</td>
              <td class="num">{n(s.population)}</td>
              <td>{!s.isPublished ? 'Nej (avstängd)' : s.population < threshold ? 'Nej (under gränsen)' : 'Ja'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function WastewaterAdminPage(props: { ctx: AdminContext; view: WastewaterView; imports: ImportRow[] }) {
  const { ctx, view } = props;
  const a = ctx.actor;
  const party = view.party;
  const base = `/admin/avloppsvatten/${party.id}`;
  const chosen = chosenSubstance(view);
  const series = chosen ? view.series.substances.find((s) => s.substance === chosen) : undefined;
  const canImport = can(a, { action: 'wastewater.import', partyId: party.id });
  const canConfigure = can(a, { action: 'wastewater.configure', partyId: party.id });
  const params = pageParams(view.query, chosen);
  return (
    <AdminLayout ctx={ctx} title={`Avloppsvatten – ${party.name}`}>
      <h1>Narkotika i avloppsvatten – {party.name}</h1>
      <p class="notice">
        Här ser du alla kommundelar, även de som har för få anslutna invånare för att visas publikt (markerade "{w.hiddenForPublic}"). Den publika sidan är{' '}
        <a href={`/kommun/${party.slug}/avloppsvatten`}>/kommun/{party.slug}/avloppsvatten</a>.
      </p>
      <div class="actions">
        {canImport ? <a href={`${base}/import`}>Importera labbresultat (CSV)</a> : null}
        {canConfigure ? <a href={`${base}/installningar`}>Inställningar för publicering</a> : null}
      </div>
      <p>
        Publiceringsgräns: <strong>{n(view.settings.publicationThreshold)} anslutna invånare</strong>. Korrektionsfaktorer: {CORRECTION_SETS[view.settings.correctionSet].name}.
      </p>

      <section aria-labelledby="matpunkter">
        <h2 id="matpunkter">Mätpunkter</h2>
        <SiteTable sites={view.sites} canConfigure={canConfigure} threshold={view.settings.publicationThreshold} />
      </section>

      <section aria-labelledby="importer">
        <h2 id="importer">Importer</h2>
        <ImportList imports={props.imports} />
      </section>

      {view.availableSubstances.length === 0 ? (
        <p>Det finns inga mätvärden ännu.</p>
      ) : (
        <>
          <FilterForm view={view} chosen={chosen} action={base} w={w} lang="sv" />
          <section aria-labelledby="oversikt">
            <h2 id="oversikt">{w.overviewHeading}</h2>
            <OverviewTable view={view} lang="sv" w={w} />
          </section>
          {chosen && series ? (
            <section aria-labelledby="amne">
              <h2 id="amne">{substanceTitle(chosen, 'sv')}</h2>
              <nav aria-label={w.otherSubstances} class="substance-nav">
                <ul>
                  {view.availableSubstances.map((s) => (
                    <li>{s === chosen ? <span aria-current="page">{substanceTitle(s, 'sv')}</span> : <a href={href(base, 'sv', pageParams(view.query, s))}>{substanceTitle(s, 'sv')}</a>}</li>
                  ))}
                </ul>
              </nav>
              <SubstanceFigures view={view} series={series} lang="sv" w={w} idPrefix="s" />
            </section>
          ) : null}
          <section aria-labelledby="ladda-ner">
            <h2 id="ladda-ner">Ladda ner (med alla kommundelar, endast för personal)</h2>
            <ul>
              <li>
                <a href={href(`${base}/data.csv`, 'sv', params)}>CSV</a>
              </li>
              <li>
                <a href={href(`${base}/data.json`, 'sv', params)}>JSON</a>
              </li>
            </ul>
          </section>
        </>
      )}
      <Guidance view={view} w={w} lang="sv" headingId="las-sa-har" />
    </AdminLayout>
  );
}

export function UploadPage(props: { ctx: AdminContext; party: Party; state: FormState }) {
  const id = fieldId('file');
  const error = props.state.errors.find((e) => e.field === 'file')?.message;
  return (
    <AdminLayout ctx={props.ctx} title={`Importera labbresultat – ${props.party.name}`}>
      <h1>Importera labbresultat</h1>
      <p>
        <a href={`/admin/avloppsvatten/${props.party.id}`}>Tillbaka till {props.party.name}</a>
      </p>
      <ErrorSummary state={props.state} />
      <p>
        Filen läses in och kontrolleras först. Du ser vad som kommer att sparas (nya värden, oförändrade och rättelser) innan något sparas. Ett enda fel stoppar hela importen, och
        felet anger rad och kolumn.
      </p>
      <details>
        <summary>Så ska filen se ut</summary>
        <p>CSV med semikolon eller komma, punkt eller decimalkomma. En rad per mätpunkt, dygn och ämne. Kolumner:</p>
        <ul>
          <li>
            <code>site_code</code>: mätpunktens kod
          </li>
          <li>
            <code>district</code> och <code>population</code>: kommundel och anslutna invånare (behövs bara för nya mätpunkter, eller när antalet ändrats)
          </li>
          <li>
            <code>sample_date</code>: dygnsprovets startdatum, ÅÅÅÅ-MM-DD
          </li>
          <li>
            <code>flow_m3_per_day</code>: dygnsflöde i m³ (eller <code>flow_l_per_day</code> i liter)
          </li>
          <li>
            <code>substance</code>: {Object.values(SUBSTANCE_INFO).map((s) => s.name).join(', ')}
          </li>
          <li>
            <code>concentration_ng_per_l</code> och <code>loq_ng_per_l</code>: halt och kvantifieringsgräns i ng/L (µg/m³ går också: <code>concentration_ug_per_m3</code>)
          </li>
          <li>
            <code>below_loq</code>: ja/nej; kan utelämnas om halten skrivs som <code>&lt;LOQ</code> eller <code>&lt;0,5</code>
          </li>
        </ul>
      </details>
      {/* The token comes before the file: it is checked before the file is read (platform/http/multipart.ts). */}
      <form method="post" action={`/admin/avloppsvatten/${props.party.id}/import`} enctype="multipart/form-data" novalidate>
        <Csrf token={props.ctx.csrf} />
        <div class={error ? 'field has-error' : 'field'}>
          <label for={id}>CSV-fil från labbet</label>
          <FieldErrorText id={id} error={error} />
          <input type="file" id={id} name="file" accept=".csv,text/csv,text/plain" aria-describedby={error ? `${id}-error` : undefined} aria-invalid={error ? 'true' : undefined} />
        </div>
        <div class="actions">
          <button type="submit">Läs in och granska</button>
        </div>
      </form>
    </AdminLayout>
  );
}

function value(v: number | null, below: boolean | null): string {
  if (below) return v === null ? '< LOQ' : `${n(v)} (< LOQ)`;
  return v === null ? '–' : n(v);
}

function CorrectionTable({ corrections, total }: { corrections: CorrectionView[]; total: number }) {
  if (corrections.length === 0) return null;
  return (
    <div class="table-scroll">
      <table>
        <caption>Rättelser: värden som redan fanns och ändras {total > corrections.length ? `(de första ${corrections.length} av ${total})` : ''}</caption>
        <thead>
          <tr>
            <th scope="col">Rad</th>
            <th scope="col">Mätpunkt</th>
            <th scope="col">Datum</th>
            <th scope="col">Vad</th>
            <th scope="col">Förut</th>
            <th scope="col">Nu</th>
          </tr>
        </thead>
        <tbody>
          {corrections.map((c) => {
            const sample = c.substance === '';
            const what = sample ? 'Flöde (m³/dygn) / anslutna' : (SUBSTANCE_INFO[c.substance as SubstanceCode]?.name ?? c.substance) + ' (ng/L)';
            const before = sample ? `${value(c.oldFlow, null)} / ${value(c.oldPopulation, null)}` : `${value(c.oldConcentration, c.oldBelowLoq)}, LOQ ${value(c.oldLoq, null)}`;
            const after = sample ? `${value(c.newFlow, null)} / ${value(c.newPopulation, null)}` : `${value(c.newConcentration, c.newBelowLoq)}, LOQ ${value(c.newLoq, null)}`;
            return (
              <tr>
                <td class="num">{c.line}</td>
                <td>{c.siteCode}</td>
                <td>{c.sampleDate}</td>
                <td>{what}</td>
                <td>{before}</td>
                <td>{after}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Counts({ imp }: { imp: ImportRow }) {
  return (
    <dl class="counts">
      <dt>Rader i filen</dt>
      <dd>{n(imp.rows_read)}</dd>
      <dt>Nya mätvärden</dt>
      <dd>{n(imp.rows_new)}</dd>
      <dt>Oförändrade (finns redan)</dt>
      <dd>{n(imp.rows_unchanged)}</dd>
      <dt>Rättade mätvärden</dt>
      <dd>{n(imp.rows_corrected)}</dd>
      <dt>Nya prov (mätpunkt och dygn)</dt>
      <dd>{n(imp.samples_new)}</dd>
      <dt>Prov med rättat flöde eller invånarantal</dt>
      <dd>{n(imp.samples_corrected)}</dd>
      <dt>Nya mätpunkter</dt>
      <dd>{n(imp.sites_new)}</dd>
      <dt>Provdatum</dt>
      <dd>{imp.first_date ? `${imp.first_date} – ${imp.last_date}` : '–'}</dd>
    </dl>
  );
}

export function ImportPage(props: { ctx: AdminContext; party: Party; imp: ImportRow; corrections: CorrectionView[]; canImport: boolean; autoRefresh: boolean }) {
  const { imp, ctx } = props;
  const running = imp.status === 'reading' || imp.status === 'applying';
  const percent = imp.bytes_total ? Math.min(100, Math.round((imp.bytes_read / imp.bytes_total) * 100)) : null;
  return (
    <AdminLayout ctx={ctx} title={`Import av ${imp.filename}`}>
      <h1>Import av {imp.filename}</h1>
      <p>
        <a href={`/admin/avloppsvatten/${props.party.id}`}>Tillbaka till {props.party.name}</a>
      </p>
      <p>
        Startad {dt(imp.created_at)} av {imp.actor_label}. Läge: <strong>{STATUS[imp.status]}</strong>.
      </p>
      {running ? (
        <div role="status">
          {imp.status === 'reading' ? (
            <>
              <p>
                {imp.phase === 'checks' ? 'Kontrollerar raderna mot varandra' : 'Läser och kontrollerar rader'}: {n(imp.rows_read)} rader hittills
                {percent !== null ? ` (${percent} % av filen)` : ''}.
              </p>
              {percent !== null ? (
                <progress max={100} value={percent} aria-label="Andel av filen som är läst">
                  {percent} %
                </progress>
              ) : null}
            </>
          ) : (
            <p>Sparar {n(imp.rows_new + imp.rows_corrected)} nya och rättade mätvärden i en enda transaktion. Antingen sparas allt eller inget.</p>
          )}
          <p>
            {props.autoRefresh ? (
              <>
                Sidan uppdateras av sig själv medan importen pågår. <a href={`/admin/avloppsvatten/import/${imp.id}?uppdatera=nej`}>Sluta uppdatera automatiskt</a>
              </>
            ) : (
              <a href={`/admin/avloppsvatten/import/${imp.id}?uppdatera=nej`}>Uppdatera sidan</a>
            )}
          </p>
        </div>
      ) : null}
      {imp.status === 'failed' ? (
        <div class="error-summary" role="alert" aria-labelledby="import-error" tabIndex={-1}>
          <h2 id="import-error">Filen kunde inte importeras. Inget har sparats.</h2>
          <p>{imp.error_message}</p>
          {props.canImport ? (
            <p>
              <a href={`/admin/avloppsvatten/${props.party.id}/import`}>Rätta filen och ladda upp den igen</a>
            </p>
          ) : null}
        </div>
      ) : null}
      {imp.status === 'ready' ? (
        <>
          {imp.error_message ? (
            <p class="flash" role="status">
              {imp.error_message}
            </p>
          ) : null}
          <h2>Det här sparas om du godkänner</h2>
          <Counts imp={imp} />
          <CorrectionTable corrections={props.corrections} total={imp.rows_corrected + imp.samples_corrected} />
          {imp.rows_new + imp.rows_corrected + imp.samples_new + imp.samples_corrected === 0 ? <p>Allt i filen finns redan: att spara ändrar ingenting.</p> : null}
          {props.canImport ? (
            <div class="actions">
              <form method="post" action={`/admin/avloppsvatten/import/${imp.id}/spara`} class="inline">
                <Csrf token={ctx.csrf} />
                <button type="submit">Spara i databasen</button>
              </form>
              <form method="post" action={`/admin/avloppsvatten/import/${imp.id}/avbryt`} class="inline">
                <Csrf token={ctx.csrf} />
                <button type="submit" class="button-secondary">
                  Avbryt importen
                </button>
              </form>
            </div>
          ) : (
            <p>Bara kommunens administratörer och redaktörer kan spara en import.</p>
          )}
        </>
      ) : null}
      {imp.status === 'done' ? (
        <>
          <p class="flash" role="status">
            Importen är sparad {dt(imp.finished_at)}.
          </p>
          <Counts imp={imp} />
          <CorrectionTable corrections={props.corrections} total={imp.rows_corrected + imp.samples_corrected} />
        </>
      ) : null}
      {imp.status === 'discarded' ? <p>Importen avbröts. Inget sparades.</p> : null}
    </AdminLayout>
  );
}

export function SettingsPage(props: { ctx: AdminContext; party: Party; state: FormState; conflict: Record<string, unknown> | null }) {
  const labels = { publicationThreshold: 'Publiceringsgräns (anslutna invånare)', correctionSet: 'Korrektionsfaktorer' };
  return (
    <AdminLayout ctx={props.ctx} title={`Inställningar – ${props.party.name}`}>
      <h1>Publicering av avloppsvattenmätningar</h1>
      <p>
        <a href={`/admin/avloppsvatten/${props.party.id}`}>Tillbaka till {props.party.name}</a>
      </p>
      <ConflictNotice current={props.conflict} labels={labels} />
      <ErrorSummary state={props.state} />
      <form method="post" action={`/admin/avloppsvatten/${props.party.id}/installningar`} novalidate>
        <Csrf token={props.ctx.csrf} />
        <input type="hidden" name="version" value={props.state.values.version ?? '0'} />
        <TextField
          state={props.state}
          name="publicationThreshold"
          label={labels.publicationThreshold}
          required
          hint={`Kommundelar med färre anslutna invånare visas aldrig publikt. Gränsen kan höjas men inte sättas under ${n(DEFAULT_THRESHOLD)}, ungefär 1 000 hushåll.`}
        />
        <Select
          state={props.state}
          name="correctionSet"
          label={labels.correctionSet}
          required
          hint="Används bara för skattad konsumtion. Normaliserad belastning, som visas som standard, påverkas inte."
          options={CORRECTION_SET_CODES.map((c) => ({ value: c, label: CORRECTION_SETS[c].name }))}
        />
        <details>
          <summary>Faktorerna och deras källor</summary>
          {CORRECTION_SET_CODES.map((c) => (
            <div class="table-scroll">
              <table>
                <caption>{CORRECTION_SETS[c].name}</caption>
                <thead>
                  <tr>
                    <th scope="col">Biomarkör</th>
                    <th scope="col">Skattar</th>
                    <th scope="col">Utsöndrad andel</th>
                    <th scope="col">CF</th>
                    <th scope="col">Källa</th>
                  </tr>
                </thead>
                <tbody>
                  {CORRECTION_SETS[c].factors.map((f) => (
                    <tr>
                      <td>{SUBSTANCE_INFO[f.substance].name}</td>
                      <td>{f.parentDrug}</td>
                      <td class="num">{n(f.excretionFraction)}</td>
                      <td class="num">{n(f.cf)}</td>
                      <td>{f.source}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
        </details>
        <div class="actions">
          <button type="submit">Spara</button>
        </div>
      </form>
    </AdminLayout>
  );
}

export function SitePage(props: { ctx: AdminContext; site: Site; state: FormState; conflict: Record<string, unknown> | null }) {
  const labels = { name: 'Namn', district: 'Kommundel', published: 'Publiceras' };
  const id = fieldId('published');
  const checked = ['1', 'on', 'true'].includes(props.state.values.published ?? '');
  return (
    <AdminLayout ctx={props.ctx} title={`Mätpunkt ${props.site.code}`}>
      <h1>Mätpunkt {props.site.code}</h1>
      <p>
        <a href={`/admin/avloppsvatten/${props.site.partyId}`}>Tillbaka</a>
      </p>
      <ConflictNotice current={props.conflict} labels={labels} />
      <ErrorSummary state={props.state} />
      <p>Anslutna invånare enligt det senaste provet: {n(props.site.population)}. Antalet kommer från labbfilerna.</p>
      <form method="post" action={`/admin/avloppsvatten/matpunkter/${props.site.id}`} novalidate>
        <Csrf token={props.ctx.csrf} />
        <input type="hidden" name="version" value={props.state.values.version ?? ''} />
        <TextField state={props.state} name="name" label={labels.name} required hint="Till exempel reningsverkets eller pumpstationens namn." />
        <TextField state={props.state} name="district" label={labels.district} required hint="Kommundelen som mätpunkten tar emot avloppsvatten från." />
        <div class="field">
          <label for={id}>
            <input type="checkbox" id={id} name="published" value="1" checked={checked} /> Får publiceras (om kommundelen når publiceringsgränsen)
          </label>
        </div>
        <div class="actions">
          <button type="submit">Spara</button>
        </div>
      </form>
    </AdminLayout>
  );
}

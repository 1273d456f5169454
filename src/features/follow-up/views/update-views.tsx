import { messages } from '../../../platform/i18n/index.js';
import { formatDate, formatDateTime, formatNumber } from '../../../platform/views/format.js';
import { Csrf, ErrorSummary, FieldErrorText, Select, TextArea, TextField, fieldId, type FormState, type Values } from '../../../platform/views/forms.js';
import type { AdminContext } from '../../admin/views/admin-layout.js';
import { ActionButton } from '../../admin/views/structure-pages.js';
import type { ActivityStatus, Target } from '../../pledges/pledge.js';
import { MAX_COUNTS, type ActivityUpdate } from '../activity-update.js';
import type { UpdateEntry } from '../activity-updates.js';
import { activityProgress, percent } from '../progress.js';

/** The staff side of follow-up: the report form, the history of updates and the responses to them. */

const sv = messages('sv');
const statusOptions = (Object.keys(sv.status) as ActivityStatus[]).map((k) => ({ value: k, label: sv.status[k] }));

export const reportLabels = {
  reportedOn: 'Datum',
  status: 'Status',
  statusReason: 'Skäl till ändrad status',
  outcomeValue: 'Utfall hittills',
  outcomeUnit: 'Enhet',
  narrative: 'Vad har gjorts?',
  evidenceUrl: 'Länk till underlag',
  evidenceLabel: 'Länktext',
};

/** The form's starting values: today, the live status, the target's unit; or the values of the report being corrected. */
export function reportFormValues(version: number, status: ActivityStatus, target: Target | null, today: string, correcting: ActivityUpdate | null): Values {
  const unit = target?.kind === 'numeric' ? target.unit : '';
  if (!correcting) return { version: String(version), reportedOn: today, status, outcomeUnit: unit };
  const v: Values = {
    version: String(version),
    correctsUpdateId: correcting.id,
    reportedOn: correcting.reportedOn,
    status: correcting.status,
    statusReason: correcting.statusReason ?? '',
    outcomeValue: correcting.outcome ? String(correcting.outcome.value).replace('.', ',') : '',
    outcomeUnit: correcting.outcome?.unit ?? unit,
    narrative: correcting.narrative,
    evidenceUrl: correcting.evidence?.url ?? '',
    evidenceLabel: correcting.evidence?.label ?? '',
  };
  correcting.counts.forEach((c, i) => {
    v[`countLabel${i + 1}`] = c.label;
    v[`countValue${i + 1}`] = String(c.value);
  });
  return v;
}

function CountRows({ state }: { state: FormState }) {
  const rows = Array.from({ length: MAX_COUNTS }, (_, i) => i + 1);
  return (
    <fieldset class="field counts">
      <legend>
        Antal <span class="optional">(frivilligt)</span>
      </legend>
      <p class="hint">Upp till tre saker som har räknats, t.ex. ”skolor där narkotikasök gjorts” och 6. Bara heltal, 0 eller större.</p>
      {rows.map((i) => (
        <div class="count-row" key={i}>
          <TextField state={state} name={`countLabel${i}`} label={`Vad har räknats (${i})`} />
          <TextField state={state} name={`countValue${i}`} label={`Antal (${i})`} inputMode="numeric" />
        </div>
      ))}
    </fieldset>
  );
}

export function ReportConflictNotice({ current }: { current: Record<string, unknown> | null }) {
  if (!current) return null;
  return (
    <div class="conflict" role="alert" aria-labelledby="report-conflict-title" tabIndex={-1}>
      <h3 id="report-conflict-title">Någon annan har rapporterat om aktiviteten medan du skrev</h3>
      <p>Din rapport är inte sparad. Så här ser det sparade ut nu; det du skrev finns kvar i formuläret nedan. Läs den nya rapporten och skicka din igen om den fortfarande stämmer.</p>
      <dl>
        <dt>Status nu</dt>
        <dd>{String(current.status ?? '–')}</dd>
        <dt>Senaste rapporten</dt>
        <dd>{current.lastReport ? String(current.lastReport) : '–'}</dd>
      </dl>
    </div>
  );
}

export function ReportForm(props: { ctx: AdminContext; activityId: string; state: FormState; target: Target | null; correcting: ActivityUpdate | null; conflict: Record<string, unknown> | null }) {
  const { state, target, correcting } = props;
  return (
    <section aria-labelledby="report-heading" class="report-form">
      <h2 id="report-heading">{correcting ? `Rätta rapporten från ${formatDate(correcting.reportedOn, sv)}` : 'Rapportera uppföljning'}</h2>
      {correcting ? (
        <p class="notice">
          En rättelse ersätter den gamla rapporten, som finns kvar markerad som rättad. <a href={`/admin/aktiviteter/${props.activityId}`}>Avbryt rättelsen</a>
        </p>
      ) : (
        <p class="hint">Rapporter kan inte ändras i efterhand. Blev något fel, rätta rapporten med en ny.</p>
      )}
      <ReportConflictNotice current={props.conflict} />
      <ErrorSummary state={state} />
      <form method="post" action={`/admin/aktiviteter/${props.activityId}/status`} novalidate>
        <Csrf token={props.ctx.csrf} />
        <input type="hidden" name="version" value={state.values.version} />
        {state.values.correctsUpdateId ? <input type="hidden" name="correctsUpdateId" value={state.values.correctsUpdateId} /> : null}
        {state.errors.some((e) => e.field === 'correctsUpdateId') ? (
          // The error summary links here: a hidden field cannot take focus.
          <div id={fieldId('correctsUpdateId')} tabIndex={-1}>
            <FieldErrorText id={fieldId('correctsUpdateId')} error={state.errors.find((e) => e.field === 'correctsUpdateId')?.message} />
          </div>
        ) : null}
        <TextField state={state} name="reportedOn" label={reportLabels.reportedOn} hint="Dagen rapporten gäller, ÅÅÅÅ-MM-DD. Tomt betyder i dag." type="date" />
        <Select state={state} name="status" label={reportLabels.status} required options={statusOptions} />
        <TextArea state={state} name="statusReason" label={reportLabels.statusReason} hint="Krävs när statusen ändras, t.ex. varför aktiviteten är försenad eller inställd." rows={2} />
        {target?.kind === 'numeric' ? (
          <>
            <TextField
              state={state}
              name="outcomeValue"
              label={`${reportLabels.outcomeValue} (${target.unit})`}
              hint={`Målet är ${formatNumber(target.value, sv)} ${target.unit}. Ange det totala utfallet hittills under perioden, inte bara sedan förra rapporten.`}
              inputMode="decimal"
            />
            <TextField state={state} name="outcomeUnit" label={reportLabels.outcomeUnit} hint={`Samma enhet som målet: ${target.unit}.`} />
          </>
        ) : null}
        <CountRows state={state} />
        <TextArea state={state} name="narrative" label={reportLabels.narrative} hint="Vad har gjorts, vad blev resultatet och vad händer härnäst?" rows={5} />
        <TextField state={state} name="evidenceUrl" label={reportLabels.evidenceUrl} hint="En adress som börjar med https://, t.ex. ett protokoll eller en nyhet på kommunens webbplats." type="url" />
        <TextField state={state} name="evidenceLabel" label={reportLabels.evidenceLabel} hint="Vad länken leder till, t.ex. ”Protokoll från Brå-mötet”." />
        <div class="actions">
          <button type="submit">{correcting ? 'Spara rättelsen' : 'Spara rapporten'}</button>
        </div>
      </form>
    </section>
  );
}

function outcomeText(u: ActivityUpdate, target: Target | null): string | null {
  if (!u.outcome) return null;
  const base = `${formatNumber(u.outcome.value, sv)} ${u.outcome.unit}`;
  if (target?.kind !== 'numeric') return base;
  const p = activityProgress({ status: u.status, target }, u.outcome);
  return p.kind === 'numeric' ? `${base} av ${formatNumber(target.value, sv)} (${percent(p.ratio)} %)` : base;
}

/** One update as staff see it: what was reported, whether it still counts, and the other party's responses. */
export function UpdateCard(props: {
  ctx: AdminContext;
  entry: UpdateEntry;
  partyName: (id: string) => string;
  target: Target | null;
  canCorrect: boolean;
  canRespond: boolean;
  /** The heading level inside the surrounding section. */
  level?: 2 | 3;
  linkToPage?: boolean;
}) {
  const u = props.entry;
  const H = `h${props.level ?? 3}` as 'h3';
  const outcome = outcomeText(u, props.target);
  const acknowledgedByMe = u.responses.some((r) => r.kind === 'acknowledge' && r.partyId === props.ctx.actor.partyId);
  const headingId = `rapport-${u.id}`;
  const canCorrect = props.canCorrect && !u.correctedBy;
  const canAcknowledge = props.canRespond && !acknowledgedByMe;
  const canComment = props.canRespond && props.linkToPage !== false;
  return (
    <article class={u.correctedBy ? 'update corrected' : 'update'} aria-labelledby={headingId}>
      <H id={headingId}>
        {formatDate(u.reportedOn, sv)}: <span class={`status s-${u.status}`}>{sv.status[u.status]}</span>
        {u.correctedBy ? <span class="badge">Rättad</span> : null}
        {u.corrects ? <span class="badge">Rättelse</span> : null}
      </H>
      <p class="meta">
        {u.authorName}, {props.partyName(u.partyId)} · inlagd {formatDateTime(u.createdAt, sv)}
      </p>
      {u.correctedBy ? (
        <p class="notice">
          Rättad {formatDateTime(u.correctedBy.createdAt, sv)} av {u.correctedBy.authorName}. Rapporten räknas inte längre; <a href={`#rapport-${u.correctedBy.id}`}>se rättelsen</a>.
        </p>
      ) : null}
      {u.corrects ? <p>Rättar rapporten från {formatDate(u.corrects.reportedOn, sv)}.</p> : null}
      <dl class="update-facts">
        {u.status !== u.previousStatus ? (
          <>
            <dt>Status ändrad</dt>
            <dd>
              från {sv.status[u.previousStatus].toLocaleLowerCase('sv')} till {sv.status[u.status].toLocaleLowerCase('sv')}
              {u.statusReason ? `: ${u.statusReason}` : ''}
            </dd>
          </>
        ) : u.statusReason ? (
          <>
            <dt>Kommentar till status</dt>
            <dd>{u.statusReason}</dd>
          </>
        ) : null}
        {outcome ? (
          <>
            <dt>Utfall hittills</dt>
            <dd>{outcome}</dd>
          </>
        ) : null}
        {u.counts.map((c) => (
          <>
            <dt>{c.label}</dt>
            <dd>{formatNumber(c.value, sv)}</dd>
          </>
        ))}
        {u.evidence ? (
          <>
            <dt>Underlag</dt>
            <dd>
              <a href={u.evidence.url} rel="noopener noreferrer">
                {u.evidence.label ?? u.evidence.url}
              </a>
            </dd>
          </>
        ) : null}
      </dl>
      {u.narrative ? <p class="narrative">{u.narrative}</p> : null}
      {u.responses.length > 0 ? (
        <ul class="responses" aria-label="Svar från de andra parterna">
          {u.responses.map((r) => (
            <li key={r.id}>
              <strong>{r.kind === 'acknowledge' ? 'Kvitterad' : 'Kommentar'}</strong> av {r.authorName}, {props.partyName(r.partyId)}, {formatDateTime(r.createdAt, sv)}
              {r.comment ? `: ${r.comment}` : ''}
            </li>
          ))}
        </ul>
      ) : null}
      {canCorrect || canAcknowledge || canComment ? (
        <div class="actions">
          {canCorrect ? (
            <a href={`/admin/aktiviteter/${u.activityId}?rattar=${u.id}#report-heading`}>
              Rätta<span class="visually-hidden"> rapporten från {formatDate(u.reportedOn, sv)}</span>
            </a>
          ) : null}
          {canAcknowledge ? (
            <ActionButton ctx={props.ctx} action={`/admin/aktivitetsrapporter/${u.id}/svar`} name="kind" value="acknowledge" label="Kvittera" hiddenLabel={`rapporten från ${formatDate(u.reportedOn, sv)}`} />
          ) : null}
          {canComment ? (
            <a href={`/admin/aktivitetsrapporter/${u.id}`}>
              Kommentera<span class="visually-hidden"> rapporten från {formatDate(u.reportedOn, sv)}</span>
            </a>
          ) : null}
        </div>
      ) : null}
    </article>
  );
}

export function UpdateHistory(props: { ctx: AdminContext; entries: UpdateEntry[]; partyName: (id: string) => string; target: Target | null; canCorrect: boolean; canRespond: boolean }) {
  return (
    <section aria-labelledby="history-heading" class="update-history">
      <h2 id="history-heading">Uppföljning, senaste först</h2>
      {props.entries.length === 0 ? <p class="muted">Ingen uppföljning är rapporterad ännu.</p> : null}
      {props.entries.map((e) => (
        <UpdateCard key={e.id} ctx={props.ctx} entry={e} partyName={props.partyName} target={props.target} canCorrect={props.canCorrect} canRespond={props.canRespond} />
      ))}
    </section>
  );
}

export function ResponseFormView(props: { ctx: AdminContext; updateId: string; state: FormState }) {
  return (
    <section aria-labelledby="respond-heading">
      <h2 id="respond-heading">Kvittera eller kommentera</h2>
      <ErrorSummary state={props.state} />
      <form method="post" action={`/admin/aktivitetsrapporter/${props.updateId}/svar`} novalidate>
        <Csrf token={props.ctx.csrf} />
        <TextArea state={props.state} name="comment" label="Kommentar" hint="Krävs för en kommentar. Alla i löftets parter ser den; den publiceras inte." rows={4} />
        <div class="actions">
          <button type="submit" name="kind" value="comment">
            Kommentera
          </button>
          <button type="submit" name="kind" value="acknowledge" class="button-secondary">
            Kvittera
          </button>
        </div>
      </form>
    </section>
  );
}

/** The follow-up part of an activity's admin page. */
export function ActivityFollowUpSection(props: {
  ctx: AdminContext;
  activityId: string;
  description: string;
  status: ActivityStatus;
  target: Target | null;
  entries: UpdateEntry[];
  partyName: (id: string) => string;
  canReport: boolean;
  canRespond: boolean;
  reportState: FormState;
  correcting: ActivityUpdate | null;
  reportConflict: Record<string, unknown> | null;
}) {
  const counting = props.entries.filter((e) => !e.correctedBy);
  const withOutcome = counting.find((e) => e.outcome);
  const progress = activityProgress({ status: props.status, target: props.target }, withOutcome?.outcome ?? null);
  return (
    <>
      <section aria-labelledby="about-heading">
        <h2 id="about-heading">Om aktiviteten</h2>
        <dl class="update-facts">
          <dt>Beskrivning</dt>
          <dd>{props.description}</dd>
          <dt>Mål</dt>
          <dd>{props.target ? (props.target.kind === 'numeric' ? `${formatNumber(props.target.value, sv)} ${props.target.unit}` : props.target.text) : 'Inget mätbart mål'}</dd>
          <dt>Status nu</dt>
          <dd>
            <span class={`status s-${props.status}`}>{sv.status[props.status]}</span>
          </dd>
          <dt>Framsteg</dt>
          <dd>
            {progress.kind === 'excluded'
              ? 'Räknas inte (inställd)'
              : progress.kind === 'numeric'
                ? `${formatNumber(progress.value, sv)} av ${formatNumber(progress.target, sv)} ${progress.unit} (${percent(progress.ratio)} %)`
                : `${percent(progress.ratio)} %`}
          </dd>
          <dt>Senaste rapport</dt>
          <dd>{counting[0] ? formatDate(counting[0].reportedOn, sv) : 'Ingen ännu'}</dd>
        </dl>
      </section>
      {props.canReport ? <ReportForm ctx={props.ctx} activityId={props.activityId} state={props.reportState} target={props.target} correcting={props.correcting} conflict={props.reportConflict} /> : null}
      <UpdateHistory ctx={props.ctx} entries={props.entries} partyName={props.partyName} target={props.target} canCorrect={props.canReport} canRespond={props.canRespond} />
    </>
  );
}

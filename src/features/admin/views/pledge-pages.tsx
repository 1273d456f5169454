import type { ComponentChildren } from 'preact';
import { messages } from '../../../platform/i18n/index.js';
import { Csrf, ErrorSummary, Select, TextArea, TextField, type FormState } from '../../../platform/views/forms.js';
import { can, type PledgeRef } from '../../access/policy.js';
import { workingStateLabel } from '../../signing/views/signing-pages.js';
import { periodLabel, type Party, type PledgeDocument, type PledgeSummary } from '../../pledges/pledge.js';
import type { OwnedActivityRow } from '../../pledges/pledge-repo.js';
import { AdminLayout, type AdminContext } from './admin-layout.js';
import { ConflictNotice } from './conflict.js';
import { formatDate } from '../../../platform/views/format.js';
import type { AwaitingResponse } from '../../follow-up/activity-update-repo.js';
import { ActionButton } from './structure-pages.js';

const sv = messages('sv');
const stateLabel: Record<PledgeSummary['state'], string> = { draft: 'Utkast', signed: 'Undertecknat', archived: 'Arkiverat' };

export function DashboardPage({
  ctx,
  mine,
  drafts,
  toSign,
  lastReported = new Map(),
  toAcknowledge = [],
}: {
  ctx: AdminContext;
  mine: OwnedActivityRow[];
  drafts: (PledgeSummary & { municipalities: string })[];
  toSign: { id: string; number: number; title: string }[];
  /** Activity id → the day of its newest follow-up report. */
  lastReported?: ReadonlyMap<string, string>;
  /** The other parties' recent reports that the actor's party has not responded to. */
  toAcknowledge?: AwaitingResponse[];
}) {
  const attention = mine.filter((a) => a.status === 'delayed');
  return (
    <AdminLayout ctx={ctx} title="Översikt">
      <h1>Hej {ctx.actor.name}</h1>
      {toSign.length > 0 ? (
        <section aria-labelledby="to-sign" class="notice">
          <h2 id="to-sign">Väntar på din underskrift</h2>
          <ul>
            {toSign.map((v) => (
              <li key={v.id}>
                <a href={`/admin/versioner/${v.id}`}>
                  Version {v.number} av {v.title}
                </a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="attention">
        <h2 id="attention">Behöver uppmärksamhet</h2>
        {drafts.length === 0 && attention.length === 0 && toAcknowledge.length === 0 ? (
          <p>Inget just nu.</p>
        ) : (
          <ul>
            {drafts.map((d) => (
              <li key={d.id}>
                Utkast: <a href={`/admin/loften/${d.id}`}>{d.title}</a> ({periodLabel(d)}) väntar på att bli klart för undertecknande.
              </li>
            ))}
            {attention.map((a) => (
              <li key={a.id}>
                Försenad: <a href={`/admin/aktiviteter/${a.id}`}>{a.description}</a>
              </li>
            ))}
            {toAcknowledge.map((u) => (
              <li key={u.updateId}>
                Ny rapport från {u.partyName} att kvittera: <a href={`/admin/aktiviteter/${u.activityId}#rapport-${u.updateId}`}>{u.description}</a> ({formatDate(u.reportedOn, sv)})
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="mine">
        <h2 id="mine">Mina aktiviteter</h2>
        {mine.length === 0 ? (
          <p>Din organisation äger inga aktiviteter i pågående löften.</p>
        ) : (
          <table>
            <caption class="visually-hidden">Aktiviteter som din organisation ansvarar för</caption>
            <thead>
              <tr>
                <th scope="col">Aktivitet</th>
                <th scope="col">Löfte</th>
                <th scope="col">Status</th>
                <th scope="col">Senaste rapport</th>
              </tr>
            </thead>
            <tbody>
              {mine.map((a) => (
                <tr key={a.id}>
                  <td>
                    <a href={`/admin/aktiviteter/${a.id}`}>{a.description}</a>
                  </td>
                  <td>
                    <a href={`/admin/loften/${a.pledgeId}`}>{a.pledgeTitle}</a>
                  </td>
                  <td>{sv.status[a.status]}</td>
                  <td>{lastReported.get(a.id) ? formatDate(lastReported.get(a.id)!, sv) : 'Ingen ännu'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </AdminLayout>
  );
}

export function PledgeListPage({ ctx, pledges }: { ctx: AdminContext; pledges: (PledgeSummary & { municipalities: string })[] }) {
  return (
    <AdminLayout ctx={ctx} title="Medborgarlöften">
      <h1>Medborgarlöften</h1>
      {can(ctx.actor, { action: 'pledge.create', partyIds: ctx.actor.partyId ? [ctx.actor.partyId] : [] }) ? (
        <div class="actions">
          <a href="/admin/loften/ny">Nytt medborgarlöfte</a>
        </div>
      ) : null}
      {pledges.length === 0 ? (
        <p>Din organisation har inga medborgarlöften ännu.</p>
      ) : (
        <table>
          <caption class="visually-hidden">Medborgarlöften som din organisation är part i</caption>
          <thead>
            <tr>
              <th scope="col">Löfte</th>
              <th scope="col">Kommun</th>
              <th scope="col">Period</th>
              <th scope="col">Läge</th>
            </tr>
          </thead>
          <tbody>
            {pledges.map((p) => (
              <tr key={p.id}>
                <td>
                  <a href={`/admin/loften/${p.id}`}>{p.title}</a>
                </td>
                <td>{p.municipalities}</td>
                <td>{periodLabel(p)}</td>
                <td>{stateLabel[p.state]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AdminLayout>
  );
}

export function PledgeAdminPage({ ctx, pledge, ref, published }: { ctx: AdminContext; pledge: PledgeDocument; ref: PledgeRef; published: boolean }) {
  const party = new Map<string, Party>(pledge.parties.map((p) => [p.id, p]));
  const canEdit = can(ctx.actor, { action: 'pledge.edit', pledge: ref });
  return (
    <AdminLayout ctx={ctx} title={pledge.title}>
      <p class="crumbs">
        <a href="/admin/loften">Medborgarlöften</a> › {pledge.title}
      </p>
      <h1>{pledge.title}</h1>
      <p class="meta">
        {workingStateLabel[ref.state]} · {periodLabel(pledge)} · {pledge.parties.map((p) => p.name).join(', ')}
      </p>
      <div class="actions">
        {canEdit ? <a href={`/admin/loften/${pledge.id}/uppgifter`}>Redigera rubrik, period och bakgrund</a> : null}
        <a href={`/admin/loften/${pledge.id}/undertecknande`}>Undertecknande och versioner</a>
        <a href={`/admin/historik/pledge/${pledge.id}`}>Historik</a>
        <a href={`/admin/loften/${pledge.id}/moten`}>Brå-möten och uppföljningsrapporter</a>
        {can(ctx.actor, { action: 'pledge.create', partyIds: ref.partyIds }) ? <a href={`/admin/loften/${pledge.id}/kopiera`}>Kopiera till ny period</a> : null}
        {published ? <a href={`/kommun/${pledge.parties.find((p) => p.kind === 'municipality')?.slug}/${pledge.periodSlug}`}>Visa publik sida</a> : null}
      </div>
      {ref.state === 'awaiting_signatures' ? (
        <p class="notice">
          Löftet är låst för undertecknande. Texten kan inte ändras förrän alla har skrivit under eller versionen dras tillbaka. <a href={`/admin/loften/${pledge.id}/undertecknande`}>Se vem som har skrivit under</a>.
        </p>
      ) : ref.state !== 'draft' ? (
        <p class="notice">Löftet är {workingStateLabel[ref.state].toLocaleLowerCase('sv')}. Texten är låst; ansvariga kan fortfarande rapportera status på sina aktiviteter.</p>
      ) : published ? (
        <p class="notice">Ett tillägg pågår. Allmänheten ser den undertecknade versionen tills den nya är undertecknad av alla.</p>
      ) : null}
      <section aria-labelledby="undertecknare">
        <h2 id="undertecknare">Undertecknare</h2>
        {pledge.signatories.length === 0 ? <p class="muted">Inga undertecknare ännu.</p> : null}
        <ul>
          {pledge.signatories.map((s) => (
            <li key={s.id}>
              {s.name}, {s.roleTitle}, {party.get(s.partyId)?.name}
              {canEdit ? (
                <>
                  {' · '}
                  <a href={`/admin/undertecknare/${s.id}`}>
                    Redigera<span class="visually-hidden">: {s.name}</span>
                  </a>
                  {' · '}
                  <ActionButton ctx={ctx} action={`/admin/undertecknare/${s.id}/ta-bort`} label="Ta bort" hiddenLabel={s.name} />
                </>
              ) : null}
            </li>
          ))}
        </ul>
        {canEdit ? <a href={`/admin/loften/${pledge.id}/undertecknare/ny`}>Lägg till undertecknare</a> : null}
      </section>
      {pledge.focusAreas.map((fa, faIndex) => (
        <section key={fa.id} aria-labelledby={`fa-${fa.id}`}>
          <h2 id={`fa-${fa.id}`}>{fa.title}</h2>
          {canEdit ? (
            <div class="actions">
              <a href={`/admin/fokusomraden/${fa.id}`}>
                Redigera<span class="visually-hidden"> fokusområdet {fa.title}</span>
              </a>
              {faIndex > 0 ? <ActionButton ctx={ctx} action={`/admin/fokusomraden/${fa.id}/flytta`} name="direction" value="up" label="Flytta upp" hiddenLabel={fa.title} /> : null}
              {faIndex < pledge.focusAreas.length - 1 ? <ActionButton ctx={ctx} action={`/admin/fokusomraden/${fa.id}/flytta`} name="direction" value="down" label="Flytta ned" hiddenLabel={fa.title} /> : null}
              {fa.commitments.length === 0 ? <ActionButton ctx={ctx} action={`/admin/fokusomraden/${fa.id}/ta-bort`} label="Ta bort" hiddenLabel={fa.title} /> : null}
              <a href={`/admin/fokusomraden/${fa.id}/atagande/ny`}>
                Lägg till löfte<span class="visually-hidden"> under {fa.title}</span>
              </a>
            </div>
          ) : null}
          {fa.commitments.map((c, cIndex) => (
            <div key={c.id}>
              <h3>{c.title}</h3>
              {canEdit ? (
                <div class="actions">
                  <a href={`/admin/atagande/${c.id}`}>
                    Redigera<span class="visually-hidden"> löftet {c.title}</span>
                  </a>
                  {cIndex > 0 ? <ActionButton ctx={ctx} action={`/admin/atagande/${c.id}/flytta`} name="direction" value="up" label="Flytta upp" hiddenLabel={c.title} /> : null}
                  {cIndex < fa.commitments.length - 1 ? <ActionButton ctx={ctx} action={`/admin/atagande/${c.id}/flytta`} name="direction" value="down" label="Flytta ned" hiddenLabel={c.title} /> : null}
                  {c.activities.length === 0 ? <ActionButton ctx={ctx} action={`/admin/atagande/${c.id}/ta-bort`} label="Ta bort" hiddenLabel={c.title} /> : null}
                </div>
              ) : null}
              {c.activities.length === 0 ? (
                <p class="muted">Inga aktiviteter.</p>
              ) : (
                <table class="activities">
                  <caption class="visually-hidden">Aktiviteter för {c.title}</caption>
                  <thead>
                    <tr>
                      <th scope="col">Aktivitet</th>
                      <th scope="col">Ansvarig</th>
                      <th scope="col">Status</th>
                      <th scope="col">Åtgärder</th>
                    </tr>
                  </thead>
                  <tbody>
                    {c.activities.map((a) => {
                      const edit = can(ctx.actor, { action: 'activity.edit', pledge: ref, ownerPartyId: a.ownerPartyId });
                      const report = can(ctx.actor, { action: 'activity.report', pledge: ref, ownerPartyId: a.ownerPartyId });
                      return (
                        <tr key={a.id}>
                          <td>{a.description}</td>
                          <td>{party.get(a.ownerPartyId)?.name}</td>
                          <td>{sv.status[a.status]}</td>
                          <td>
                            <a href={`/admin/aktiviteter/${a.id}`}>{edit ? 'Redigera' : report ? 'Rapportera uppföljning' : 'Visa uppföljning'}<span class="visually-hidden">: {a.description}</span></a>{' '}
                            <a href={`/admin/historik/activity/${a.id}`}>Historik<span class="visually-hidden">: {a.description}</span></a>{' '}
                            {edit ? <ActionButton ctx={ctx} action={`/admin/aktiviteter/${a.id}/ta-bort`} label="Ta bort" hiddenLabel={a.description} /> : null}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              )}
              {ref.state === 'draft' && pledge.parties.some((p) => can(ctx.actor, { action: 'activity.edit', pledge: ref, ownerPartyId: p.id })) ? (
                <a href={`/admin/atagande/${c.id}/aktiviteter/ny`}>
                  Lägg till aktivitet<span class="visually-hidden"> under {c.title}</span>
                </a>
              ) : null}
            </div>
          ))}
        </section>
      ))}
      {canEdit ? (
        <p>
          <a href={`/admin/loften/${pledge.id}/fokusomraden/ny`}>Lägg till fokusområde</a>
        </p>
      ) : null}
    </AdminLayout>
  );
}

export const pledgeLabels = { title: 'Rubrik', startsOn: 'Startdatum', endsOn: 'Slutdatum', background: 'Bakgrund' };

export function PledgeDetailsPage(props: { ctx: AdminContext; pledgeId: string; state: FormState; conflict: Record<string, unknown> | null }) {
  const { state } = props;
  return (
    <AdminLayout ctx={props.ctx} title="Redigera löftet">
      <p class="crumbs">
        <a href={`/admin/loften/${props.pledgeId}`}>Tillbaka till löftet</a>
      </p>
      <h1>Redigera löftet</h1>
      <ConflictNotice current={props.conflict} labels={pledgeLabels} />
      <ErrorSummary state={state} />
      <form method="post" action={`/admin/loften/${props.pledgeId}/uppgifter`} novalidate>
        <Csrf token={props.ctx.csrf} />
        <input type="hidden" name="version" value={state.values.version} />
        <TextField state={state} name="title" label={pledgeLabels.title} required />
        <TextField state={state} name="startsOn" label={pledgeLabels.startsOn} hint="ÅÅÅÅ-MM-DD, t.ex. 2024-01-01" type="date" required />
        <TextField state={state} name="endsOn" label={pledgeLabels.endsOn} hint="ÅÅÅÅ-MM-DD. Ett löfte kan gälla ett till fyra kalenderår." type="date" required />
        <TextArea state={state} name="background" label={pledgeLabels.background} hint="Varför löftet finns: lägesbilden och vad parterna vill uppnå." rows={8} />
        <div class="actions">
          <button type="submit">Spara</button>
          <a href={`/admin/loften/${props.pledgeId}`}>Avbryt</a>
        </div>
      </form>
    </AdminLayout>
  );
}

export const activityLabels = {
  description: 'Beskrivning',
  targetValue: 'Mål (antal)',
  targetUnit: 'Enhet',
  targetText: 'Mål (text)',
  scheduleStartsOn: 'Från',
  scheduleEndsOn: 'Till',
  scheduleText: 'När (text)',
  status: 'Status',
};

export function ActivityPage(props: {
  ctx: AdminContext;
  activityId: string;
  pledgeId: string;
  ownerName: string;
  canEdit: boolean;
  state: FormState;
  conflict: Record<string, unknown> | null;
  /** Follow-up: what the activity is, the report form for its owner, the updates and responses. */
  followUp?: ComponentChildren;
}) {
  const { state } = props;
  return (
    <AdminLayout ctx={props.ctx} title="Aktivitet">
      <p class="crumbs">
        <a href={`/admin/loften/${props.pledgeId}`}>Tillbaka till löftet</a>
      </p>
      <h1>Aktivitet</h1>
      <p class="meta">Ansvarig: {props.ownerName}</p>
      <ConflictNotice current={props.conflict} labels={activityLabels} />
      {props.canEdit ? (
        <>
          <ErrorSummary state={state} />
          <form method="post" action={`/admin/aktiviteter/${props.activityId}`} novalidate>
            <Csrf token={props.ctx.csrf} />
            <input type="hidden" name="version" value={state.values.version} />
            <TextArea state={state} name="description" label={activityLabels.description} required rows={3} />
            <Select
              state={state}
              name="targetKind"
              label="Typ av mål"
              required
              options={[
                { value: 'none', label: 'Inget mätbart mål' },
                { value: 'numeric', label: 'Ett antal' },
                { value: 'text', label: 'Beskrivet i text' },
              ]}
            />
            <TextField state={state} name="targetValue" label={activityLabels.targetValue} hint="Bara om målet är ett antal, t.ex. 4." />
            <TextField state={state} name="targetUnit" label={activityLabels.targetUnit} hint="T.ex. trygghetsvandringar." />
            <TextField state={state} name="targetText" label={activityLabels.targetText} hint="Bara om målet beskrivs i text." />
            <TextField state={state} name="scheduleStartsOn" label={activityLabels.scheduleStartsOn} type="date" />
            <TextField state={state} name="scheduleEndsOn" label={activityLabels.scheduleEndsOn} type="date" />
            <TextField state={state} name="scheduleText" label={activityLabels.scheduleText} hint="T.ex. Varje år vecka 47–48." />
            <div class="actions">
              <button type="submit">Spara aktiviteten</button>
            </div>
          </form>
        </>
      ) : null}
      {props.followUp}
      <p>
        <a href={`/admin/historik/activity/${props.activityId}`}>Historik för aktiviteten</a>
      </p>
    </AdminLayout>
  );
}

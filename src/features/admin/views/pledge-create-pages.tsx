import { Csrf, ErrorSummary, FieldErrorText, TextArea, TextField, fieldId, type FormState } from '../../../platform/views/forms.js';
import { activityCount, periodLabel, type Party, type PartyKind, type PledgeDocument } from '../../pledges/pledge.js';
import { AdminLayout, type AdminContext } from './admin-layout.js';

const labels = { title: 'Rubrik', startsOn: 'Startdatum', endsOn: 'Slutdatum', background: 'Bakgrund', partyIds: 'Parter' };

const groups: { kind: PartyKind; legend: string }[] = [
  { kind: 'municipality', legend: 'Kommuner' },
  { kind: 'police_area', legend: 'Lokalpolisområden' },
  { kind: 'partner', legend: 'Samverkanspartner (frivilligt)' },
];

/**
 * The parties as checkboxes grouped by kind. The actor's own party is not a choice: it is always in
 * the pledge (a hidden field), so a party member cannot start a pledge their organisation is not in.
 * The first checkbox carries the field id, so the error summary's link lands on the group.
 */
function PartyChoices(props: { state: FormState; parties: Party[]; selected: readonly string[]; own: Party | null }) {
  const id = fieldId('partyIds');
  const error = props.state.errors.find((e) => e.field === 'partyIds')?.message;
  const choices = props.parties.filter((p) => p.id !== props.own?.id);
  const firstId = groups.flatMap((g) => choices.filter((p) => p.kind === g.kind))[0]?.id;
  const describedBy = [`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <fieldset class={error ? 'field has-error' : 'field'} aria-describedby={describedBy}>
      <legend>{labels.partyIds}</legend>
      <p class="hint" id={`${id}-hint`}>
        Minst en kommun och ett lokalpolisområde. Samverkanspartner deltar i löftet men undertecknar inte.
      </p>
      <FieldErrorText id={id} error={error} />
      {props.own ? (
        <p>
          <input type="hidden" name="partyIds" value={props.own.id} />
          {props.own.name} (din organisation) är alltid part i löften som du skapar.
        </p>
      ) : null}
      {groups.map((g) => {
        const list = choices.filter((p) => p.kind === g.kind);
        if (list.length === 0) return null;
        return (
          <fieldset key={g.kind}>
            <legend>{g.legend}</legend>
            {list.map((p) => (
              <label key={p.id}>
                <input type="checkbox" id={p.id === firstId ? id : `${id}-${p.id}`} name="partyIds" value={p.id} checked={props.selected.includes(p.id)} /> {p.name}
              </label>
            ))}
          </fieldset>
        );
      })}
    </fieldset>
  );
}

function PeriodFields({ state }: { state: FormState }) {
  return (
    <>
      <TextField state={state} name="title" label={labels.title} hint="T.ex. Medborgarlöfte för Strängnäs 2026–2027." required />
      <TextField state={state} name="startsOn" label={labels.startsOn} hint="ÅÅÅÅ-MM-DD, t.ex. 2026-01-01" type="date" required />
      <TextField state={state} name="endsOn" label={labels.endsOn} hint="ÅÅÅÅ-MM-DD. Ett löfte kan gälla ett till fyra kalenderår." type="date" required />
    </>
  );
}

export function NewPledgePage(props: { ctx: AdminContext; state: FormState; parties: Party[]; selected: readonly string[]; own: Party | null }) {
  const { state } = props;
  return (
    <AdminLayout ctx={props.ctx} title="Nytt medborgarlöfte">
      <p class="crumbs">
        <a href="/admin/loften">Medborgarlöften</a> › Nytt medborgarlöfte
      </p>
      <h1>Nytt medborgarlöfte</h1>
      <p>Löftet skapas som ett utkast. Utkast syns bara här, aldrig på de publika sidorna eller i öppna data. Fokusområden, löften och aktiviteter lägger ni till i utkastet.</p>
      <ErrorSummary state={state} />
      <form method="post" action="/admin/loften/ny" novalidate>
        <Csrf token={props.ctx.csrf} />
        <PeriodFields state={state} />
        <TextArea state={state} name="background" label={labels.background} hint="Varför löftet finns: lägesbilden och vad parterna vill uppnå." rows={6} />
        <PartyChoices state={state} parties={props.parties} selected={props.selected} own={props.own} />
        <div class="actions">
          <button type="submit">Skapa utkastet</button>
          <a href="/admin/loften">Avbryt</a>
        </div>
      </form>
    </AdminLayout>
  );
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function CopyPledgePage(props: { ctx: AdminContext; source: PledgeDocument; state: FormState }) {
  const { state, source } = props;
  const commitments = source.focusAreas.reduce((n, fa) => n + fa.commitments.length, 0);
  return (
    <AdminLayout ctx={props.ctx} title="Kopiera till ny period">
      <p class="crumbs">
        <a href={`/admin/loften/${source.id}`}>Tillbaka till löftet</a>
      </p>
      <h1>Kopiera till ny period</h1>
      <p>
        Du gör ett nytt utkast av <strong>{source.title}</strong> ({periodLabel(source)}). Parterna är desamma:{' '}
        {source.parties.map((p) => p.name).join(', ')}.
      </p>
      <ul>
        <li>
          Med följer {source.signatories.length} undertecknare, {count(source.focusAreas.length, 'fokusområde', 'fokusområden')}, {count(commitments, 'löfte', 'löften')} och{' '}
          {count(activityCount(source), 'aktivitet', 'aktiviteter')}.
        </li>
        <li>Alla aktiviteter börjar om som planerade. Datum i aktiviteternas tidsplaner flyttas lika långt som perioden.</li>
        <li>Originalet ändras inte. Utkastet syns inte publikt förrän det är undertecknat.</li>
      </ul>
      <ErrorSummary state={state} />
      <form method="post" action={`/admin/loften/${source.id}/kopiera`} novalidate>
        <Csrf token={props.ctx.csrf} />
        <PeriodFields state={state} />
        <div class="actions">
          <button type="submit">Skapa utkast för den nya perioden</button>
          <a href={`/admin/loften/${source.id}`}>Avbryt</a>
        </div>
      </form>
    </AdminLayout>
  );
}

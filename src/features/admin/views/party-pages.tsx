import { messages } from '../../../platform/i18n/index.js';
import { Csrf, ErrorSummary, Select, TextField, type FormState } from '../../../platform/views/forms.js';
import { PARTY_KINDS, type Party } from '../../pledges/pledge.js';
import { AdminLayout, type AdminContext } from './admin-layout.js';
import { ConflictNotice } from './conflict.js';

const sv = messages('sv');

export const partyLabels = {
  kind: 'Typ av part',
  name: 'Namn',
  slug: 'Adressnamn',
  municipalityCode: 'Kommunkod',
  county: 'Län',
  websiteUrl: 'Webbplats',
};

/** What the conflict notice compares: the fields that can be edited after creation. */
const editableLabels = { name: partyLabels.name, county: partyLabels.county, websiteUrl: partyLabels.websiteUrl };

const LOCKED_HINT = 'Kan inte ändras när parten är skapad: det ingår i publika adresser och i öppna data, och länkar dit ska fortsätta fungera.';

export function PartyListPage(props: { ctx: AdminContext; parties: Party[]; canCreate: boolean; editable: (p: Party) => boolean }) {
  return (
    <AdminLayout ctx={props.ctx} title="Parter">
      <h1>Parter</h1>
      {props.canCreate ? (
        <div class="actions">
          <a href="/admin/parter/ny">Ny part</a>
        </div>
      ) : null}
      {props.parties.length === 0 ? (
        <p>Det finns inga parter ännu.</p>
      ) : (
        <table>
          <caption class="visually-hidden">Parter i registret</caption>
          <thead>
            <tr>
              <th scope="col">{partyLabels.name}</th>
              <th scope="col">Typ</th>
              <th scope="col">{partyLabels.slug}</th>
              <th scope="col">{partyLabels.municipalityCode}</th>
              <th scope="col">{partyLabels.county}</th>
            </tr>
          </thead>
          <tbody>
            {props.parties.map((p) => (
              <tr key={p.id}>
                <td>{props.editable(p) ? <a href={`/admin/parter/${p.id}`}>{p.name}</a> : p.name}</td>
                <td>{sv.partyKind[p.kind]}</td>
                <td>{p.slug}</td>
                <td>{p.municipalityCode ?? '–'}</td>
                <td>{p.county ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AdminLayout>
  );
}

const kindOptions = PARTY_KINDS.map((k) => ({ value: k, label: sv.partyKind[k] }));

export function NewPartyPage(props: { ctx: AdminContext; state: FormState }) {
  const { state } = props;
  return (
    <AdminLayout ctx={props.ctx} title="Ny part">
      <p class="crumbs">
        <a href="/admin/parter">Parter</a> › Ny part
      </p>
      <h1>Ny part</h1>
      <ErrorSummary state={state} />
      <form method="post" action="/admin/parter/ny" novalidate>
        <Csrf token={props.ctx.csrf} />
        <Select state={state} name="kind" label={partyLabels.kind} hint="Samverkanspartner, t.ex. räddningstjänst eller bostadsbolag, deltar i löften men undertecknar inte." required options={kindOptions} />
        <TextField state={state} name="name" label={partyLabels.name} hint="Som det ska stå på de publika sidorna, t.ex. Strängnäs kommun." required />
        <TextField state={state} name="slug" label={partyLabels.slug} hint={`Används i adressen, t.ex. strangnas i /kommun/strangnas. Bara a–z, 0–9 och bindestreck. ${LOCKED_HINT}`} required />
        <TextField state={state} name="municipalityCode" label={partyLabels.municipalityCode} hint={`Bara för kommuner: fyra siffror, t.ex. 0486. ${LOCKED_HINT}`} inputMode="numeric" />
        <TextField state={state} name="county" label={partyLabels.county} hint="T.ex. Södermanlands län." />
        <TextField state={state} name="websiteUrl" label={partyLabels.websiteUrl} hint="Fullständig adress, t.ex. https://www.strangnas.se/." type="url" />
        <div class="actions">
          <button type="submit">Skapa parten</button>
          <a href="/admin/parter">Avbryt</a>
        </div>
      </form>
    </AdminLayout>
  );
}

export function PartyEditPage(props: { ctx: AdminContext; party: Party; state: FormState; conflict: Record<string, unknown> | null }) {
  const { state, party } = props;
  return (
    <AdminLayout ctx={props.ctx} title={`Redigera ${party.name}`}>
      <p class="crumbs">
        <a href="/admin/parter">Parter</a> › {party.name}
      </p>
      <h1>{party.name}</h1>
      <p class="actions">
        <a href={`/admin/historik/party/${party.id}`}>Historik</a>
        <a href={`/admin/parter/${party.id}/sso`}>Inloggning med eget konto (SSO)</a>
        <a href={`/admin/parter/${party.id}/inbaddning`}>Inbäddning på egen webbplats</a>
      </p>
      <dl>
        <dt>Typ</dt>
        <dd>{sv.partyKind[party.kind]}</dd>
        <dt>{partyLabels.slug}</dt>
        <dd>{party.slug}</dd>
        {party.kind === 'municipality' ? (
          <>
            <dt>{partyLabels.municipalityCode}</dt>
            <dd>{party.municipalityCode}</dd>
          </>
        ) : null}
      </dl>
      <p class="hint">
        {party.kind === 'municipality' ? 'Adressnamn och kommunkod' : 'Adressnamnet'} kan inte ändras: {party.kind === 'municipality' ? 'de ingår' : 'det ingår'} i publika adresser och i öppna data, och länkar dit ska fortsätta fungera.
      </p>
      <ConflictNotice current={props.conflict} labels={editableLabels} />
      <ErrorSummary state={state} />
      <form method="post" action={`/admin/parter/${party.id}`} novalidate>
        <Csrf token={props.ctx.csrf} />
        <input type="hidden" name="version" value={state.values.version} />
        <TextField state={state} name="name" label={partyLabels.name} required />
        <TextField state={state} name="county" label={partyLabels.county} hint="T.ex. Södermanlands län." />
        <TextField state={state} name="websiteUrl" label={partyLabels.websiteUrl} hint="Fullständig adress, t.ex. https://www.strangnas.se/." type="url" />
        <div class="actions">
          <button type="submit">Spara</button>
          <a href="/admin/parter">Avbryt</a>
        </div>
      </form>
    </AdminLayout>
  );
}

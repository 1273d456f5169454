import { messages } from '../../../platform/i18n/index.js';
import { formatDate, formatDateTime } from '../../../platform/views/format.js';
import { Csrf, ErrorSummary, FieldErrorText, Select, TextArea, TextField, fieldId, type FormState } from '../../../platform/views/forms.js';
import { can } from '../../access/policy.js';
import { AdminLayout, type AdminContext } from '../../admin/views/admin-layout.js';
import type { WorkingState } from '../../pledges/pledge.js';
import { PledgeBody } from '../../pledges/views/pledge-body.js';
import { methodLabel, type SignatureProvider } from '../signature-provider.js';
import type { SigningStatus, VersionView, VersionWithSignatures } from '../signing-status.js';
import { documentForDisplay } from '../version-content.js';

const sv = messages('sv');

export const workingStateLabel: Record<WorkingState, string> = {
  draft: 'Utkast',
  awaiting_signatures: 'Låst för undertecknande',
  signed: 'Undertecknat',
  archived: 'Arkiverat',
};

const versionStateLabel: Record<VersionWithSignatures['state'], string> = {
  awaiting_signatures: 'Väntar på underskrifter',
  signed: 'Undertecknad, gäller',
  superseded: 'Undertecknad, ersatt av en senare version',
  withdrawn: 'Tillbakadragen utan att ha undertecknats',
};

function SignatoryTable({ version }: { version: VersionWithSignatures }) {
  const party = new Map(version.document.parties.map((p) => [p.id, p.name]));
  return (
    <table>
      <caption>Undertecknare av version {version.number}</caption>
      <thead>
        <tr>
          <th scope="col">Namn</th>
          <th scope="col">Befattning</th>
          <th scope="col">Part</th>
          <th scope="col">Underskrift</th>
        </tr>
      </thead>
      <tbody>
        {version.document.signatories.map((s) => {
          const sig = version.signatures.find((x) => x.signatoryId === s.id);
          return (
            <tr key={s.id}>
              <td>{s.name}</td>
              <td>{s.roleTitle}</td>
              <td>{party.get(s.partyId)}</td>
              <td>{sig ? `Undertecknat ${formatDateTime(sig.signedAt, sv)} (${methodLabel(sig.method).toLocaleLowerCase('sv')})` : 'Väntar'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Hash({ hash }: { hash: string }) {
  return (
    <p>
      Kontrollsumma (SHA-256): <code class="hash">{hash}</code>
    </p>
  );
}

export function SigningPage({ ctx, status, meeting }: { ctx: AdminContext; status: SigningStatus; meeting: FormState }) {
  const { ref, working, readiness, open, versions } = status;
  const manage = can(ctx.actor, { action: 'signing.manage', pledge: ref });
  const signed = versions.find((v) => v.state === 'signed');
  const mine = open?.document.signatories.some((s) => s.userId === ctx.actor.userId && !open.signatures.some((x) => x.signatoryId === s.id));
  return (
    <AdminLayout ctx={ctx} title={`Undertecknande – ${working.title}`}>
      <p class="crumbs">
        <a href="/admin/loften">Medborgarlöften</a> › <a href={`/admin/loften/${working.id}`}>{working.title}</a> › Undertecknande
      </p>
      <h1>Undertecknande</h1>
      <p class="meta">
        {working.title} · Läge: <strong>{workingStateLabel[ref.state]}</strong>
      </p>

      {ref.state === 'draft' ? (
        <section aria-labelledby="freeze">
          <h2 id="freeze">Lås en version för undertecknande</h2>
          <p>
            När versionen är låst kan ingen ändra texten. Varje undertecknare loggar in och skriver under exakt den versionen. När alla har skrivit under
            publiceras den{signed ? ` och ersätter version ${signed.number}` : ''}.
          </p>
          {readiness.length > 0 ? (
            <div class="notice" role="note">
              <p>Innan löftet kan låsas:</p>
              <ul>
                {readiness.map((p) => (
                  <li key={p.field + p.message}>{p.message}</li>
                ))}
              </ul>
              <p>
                Välj konto för undertecknarna på <a href={`/admin/loften/${working.id}`}>löftets sida</a>.
              </p>
            </div>
          ) : manage ? (
            <form method="post" action={`/admin/loften/${working.id}/las`}>
              <Csrf token={ctx.csrf} />
              <button type="submit">Lås versionen för undertecknande</button>
            </form>
          ) : null}
        </section>
      ) : null}

      {open ? (
        <section aria-labelledby="open">
          <h2 id="open">Version {open.number} väntar på underskrifter</h2>
          <p>
            Låst {formatDateTime(open.frozenAt, sv)} av {open.frozenBy}.
          </p>
          <Hash hash={open.contentHash} />
          <SignatoryTable version={open} />
          <p>
            <a href={`/admin/versioner/${open.id}`}>{mine ? 'Läs versionen och skriv under' : 'Läs versionen'}</a>
          </p>
          {manage ? (
            <form method="post" action={`/admin/versioner/${open.id}/dra-tillbaka`}>
              <Csrf token={ctx.csrf} />
              <p class="hint">Behöver texten ändras? Dra tillbaka versionen, ändra och lås en ny. Underskrifter som redan gjorts finns kvar i historiken men gäller inte den nya versionen.</p>
              <button type="submit" class="button-secondary">
                Dra tillbaka version {open.number}
              </button>
            </form>
          ) : null}
        </section>
      ) : null}

      {(open ?? signed) && manage ? <MeetingForm ctx={ctx} version={(open ?? signed)!} state={meeting} /> : null}

      {ref.state === 'signed' && manage ? (
        <section aria-labelledby="amend">
          <h2 id="amend">Ändra ett undertecknat löfte</h2>
          <p>
            Ett tillägg öppnar löftet som utkast igen. Version {signed?.number} fortsätter att visas för allmänheten tills en ny version är undertecknad av alla.
          </p>
          <form method="post" action={`/admin/loften/${working.id}/andra`}>
            <Csrf token={ctx.csrf} />
            <button type="submit" class="button-secondary">
              Börja ett tillägg
            </button>
          </form>
        </section>
      ) : null}

      <section aria-labelledby="versions">
        <h2 id="versions">Versioner</h2>
        {versions.length === 0 ? (
          <p>Ingen version är låst ännu.</p>
        ) : (
          <table>
            <caption class="visually-hidden">Alla versioner av löftet</caption>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Läge</th>
                <th scope="col">Låst</th>
                <th scope="col">Undertecknad</th>
                <th scope="col">Kontrollsumma</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.id}>
                  <td>
                    <a href={`/admin/versioner/${v.id}`}>Version {v.number}</a>
                  </td>
                  <td>{versionStateLabel[v.state]}</td>
                  <td>{formatDateTime(v.frozenAt, sv)}</td>
                  <td>{v.signedAt ? formatDateTime(v.signedAt, sv) : '–'}</td>
                  <td>
                    <code>{v.contentHash.slice(0, 12)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </AdminLayout>
  );
}

function MeetingForm({ ctx, version, state }: { ctx: AdminContext; version: VersionWithSignatures; state: FormState }) {
  const values = state.errors.length > 0 ? state.values : { on: version.meeting?.on ?? '', kind: version.meeting?.kind ?? '', note: version.meeting?.note ?? '' };
  const s = { values: { ...values, version: String(version.rowVersion) }, errors: state.errors };
  return (
    <section aria-labelledby="meeting">
      <h2 id="meeting">Mötet där löftet undertecknas</h2>
      {version.meeting ? (
        <p>
          Registrerat: {formatDate(version.meeting.on, sv)}, {version.meeting.kind === 'digital' ? 'digitalt möte' : 'fysiskt möte'}.
        </p>
      ) : null}
      <ErrorSummary state={s} />
      <form method="post" action={`/admin/versioner/${version.id}/mote`} novalidate>
        <Csrf token={ctx.csrf} />
        <input type="hidden" name="version" value={String(version.rowVersion)} />
        <TextField state={s} name="on" label="Datum" hint="ÅÅÅÅ-MM-DD" type="date" required />
        <Select
          state={s}
          name="kind"
          label="Typ av möte"
          required
          options={[
            { value: '', label: 'Välj' },
            { value: 'digital', label: 'Digitalt möte' },
            { value: 'physical', label: 'Fysiskt möte' },
          ]}
        />
        <TextArea state={s} name="note" label="Anteckning" hint="Valfri, t.ex. var mötet hölls eller vilka som deltog." rows={2} />
        <button type="submit">Spara mötet</button>
      </form>
    </section>
  );
}

export function VersionPage({ ctx, view, provider, form }: { ctx: AdminContext; view: VersionView; provider: SignatureProvider; form: FormState }) {
  const { version, mySignatory } = view;
  const doc = documentForDisplay(version.document);
  const party = new Map(version.document.parties.map((p) => [p.id, p.name]));
  const confirmError = form.errors.find((e) => e.field === 'confirm')?.message;
  return (
    <AdminLayout ctx={ctx} title={`Version ${version.number} – ${version.title}`}>
      <p class="crumbs">
        <a href="/admin/loften">Medborgarlöften</a> › <a href={`/admin/loften/${version.pledgeId}`}>{version.title}</a> ›{' '}
        <a href={`/admin/loften/${version.pledgeId}/undertecknande`}>Undertecknande</a> › Version {version.number}
      </p>
      <h1>
        Version {version.number}: {version.title}
      </h1>
      <p class="meta">
        {versionStateLabel[version.state]} · {formatDate(version.startsOn, sv)} – {formatDate(version.endsOn, sv)}
      </p>
      <ErrorSummary state={form} />
      <Hash hash={version.contentHash} />
      <SignatoryTable version={version} />

      <section aria-labelledby="content">
        <h2 id="content">Versionens innehåll</h2>
        {version.document.background ? <p>{version.document.background}</p> : null}
        <PledgeBody pledge={doc} m={sv} headingLevel={3} showStatus={false} />
      </section>
      {mySignatory ? (
        <section aria-labelledby="sign" class="sign-box">
          <h2 id="sign">Skriv under</h2>
          <p>
            Du skriver under som <strong>{mySignatory.name}</strong>, {mySignatory.roleTitle.toLocaleLowerCase('sv')}, för {party.get(mySignatory.partyId)}. Din
            underskrift gäller bara versionen ovan, med kontrollsumman <code class="hash">{version.contentHash.slice(0, 12)}</code>…
          </p>
          <form method="post" action={`/admin/versioner/${version.id}/underteckna`} novalidate>
            <Csrf token={ctx.csrf} />
            <input type="hidden" name="contentHash" value={version.contentHash} />
            <div class={`field${confirmError ? ' invalid' : ''}`}>
              <FieldErrorText id={fieldId('confirm')} error={confirmError} />
              <div class="check">
                <input
                  type="checkbox"
                  id={fieldId('confirm')}
                  name="confirm"
                  value="yes"
                  required
                  checked={form.values.confirm === 'yes'}
                  aria-describedby={confirmError ? `${fieldId('confirm')}-error` : undefined}
                  aria-invalid={confirmError ? 'true' : undefined}
                />
                <label for={fieldId('confirm')}>
                  Jag har läst version {version.number} och skriver under den för {party.get(mySignatory.partyId)}.
                </label>
              </div>
            </div>
            {provider.fields.map((f) => (
              <TextField key={f.name} state={form} name={f.name} label={f.label} type={f.type} autoComplete={f.autocomplete} required />
            ))}
            <p class="hint">Metod: {provider.label}.</p>
            <button type="submit">Skriv under version {version.number}</button>
          </form>
        </section>
      ) : null}

    </AdminLayout>
  );
}

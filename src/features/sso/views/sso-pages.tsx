import { Fragment } from 'preact';
import { roleLabel, ROLES } from '../../accounts/user.js';
import { AdminLayout, type AdminContext } from '../../admin/views/admin-layout.js';
import { Csrf, ErrorSummary, fieldId, Select, TextField, type FormState } from '../../../platform/views/forms.js';
import { Layout, type PageContext } from '../../../platform/views/layout.js';

/** A single sign-on that was refused or could not be finished: what happened, and the way back. */
export function SsoFailedPage(props: { ctx: PageContext; message: string }) {
  return (
    <Layout ctx={props.ctx} title="Inloggningen misslyckades">
      <h1>Inloggningen misslyckades</h1>
      <p>{props.message}</p>
      <p>
        <a href="/logga-in">Till inloggningssidan</a>
      </p>
    </Layout>
  );
}

function Checkbox(props: { state: FormState; name: string; label: string }) {
  const id = fieldId(props.name);
  const checked = ['1', 'on', 'true'].includes(props.state.values[props.name] ?? '');
  return (
    <div class="field">
      <label for={id}>
        <input type="checkbox" id={id} name={props.name} value="1" checked={checked} /> {props.label}
      </label>
    </div>
  );
}

export const fieldLabels: Record<string, string> = {
  issuerUrl: 'Utfärdarens adress (issuer)',
  clientId: 'Klient-id',
  clientSecret: 'Klienthemlighet',
  defaultRole: 'Standardroll',
  emailDomains: 'Tillåtna e-postdomäner',
  roleClaim: 'Anspråk med roll',
  enabled: 'Aktiverad',
};

function shown(key: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return '–';
  if (key === 'enabled') return v ? 'Ja' : 'Nej';
  if (key === 'defaultRole' && typeof v === 'string' && v in roleLabel) return roleLabel[v as keyof typeof roleLabel];
  if (key === 'clientSecret') return 'sparad (visas inte)';
  return String(v);
}

/** Shown when the save was based on a stale version: the stored values, with the user's own input kept in the form below. */
function ConflictNotice({ current }: { current: Record<string, unknown> }) {
  return (
    <div class="conflict" role="alert" aria-labelledby="conflict-title" tabIndex={-1}>
      <h2 id="conflict-title">Någon annan har ändrat inställningarna medan du redigerade</h2>
      <p>Ingenting har skrivits över. Så här ser det sparade ut nu; dina ändringar finns kvar i formuläret nedan. Spara igen om du vill ersätta det sparade med ditt.</p>
      <dl>
        {Object.entries(fieldLabels).map(([key, label]) => (
          <Fragment key={key}>
            <dt>{label}</dt>
            <dd>{shown(key, current[key])}</dd>
          </Fragment>
        ))}
      </dl>
    </div>
  );
}

export function SsoSettingsPage(props: {
  ctx: AdminContext;
  partyId: string;
  partyName: string;
  state: FormState;
  /** Whether a client secret is stored: the secret itself is never sent to the browser. */
  hasSecret: boolean;
  redirectUri: string;
  conflict?: Record<string, unknown> | null;
}) {
  const { ctx, state } = props;
  const action = `/admin/parter/${props.partyId}/sso`;
  return (
    <AdminLayout ctx={ctx} title={`Inloggning med eget konto – ${props.partyName}`}>
      <h1>Inloggning med eget konto för {props.partyName}</h1>
      <p>
        Med OpenID Connect loggar medarbetarna in med organisationens eget konto. Registrera tjänsten som en klient hos er inloggningstjänst med
        omdirigeringsadressen <code>{props.redirectUri}</code>.
      </p>
      {props.conflict ? <ConflictNotice current={props.conflict} /> : null}
      <ErrorSummary state={state} />
      <form method="post" action={action} novalidate>
        <Csrf token={ctx.csrf} />
        <input type="hidden" name="version" value={state.values.version ?? ''} />
        <TextField state={state} name="issuerUrl" label={fieldLabels.issuerUrl!} hint="Till exempel https://login.example.se/realms/kommun. Måste börja med https://." type="url" required />
        <TextField state={state} name="clientId" label={fieldLabels.clientId!} required />
        <TextField
          state={state}
          name="clientSecret"
          label={fieldLabels.clientSecret!}
          hint={props.hasSecret ? 'En hemlighet är sparad och visas inte. Lämna fältet tomt för att behålla den.' : 'Lämna tomt om klienten är publik och bara använder PKCE.'}
          type="password"
          autoComplete="off"
        />
        <Select state={state} name="defaultRole" label={fieldLabels.defaultRole!} hint="Rollen för nya användare när inloggningstjänsten inte skickar någon giltig roll." required options={ROLES.map((r) => ({ value: r, label: roleLabel[r] }))} />
        <TextField
          state={state}
          name="emailDomains"
          label={fieldLabels.emailDomains!}
          hint="Kommaseparerade, till exempel strangnas.se, polisen.se. Bara adresser på dessa domäner får ett konto automatiskt vid första inloggningen."
        />
        <TextField
          state={state}
          name="roleClaim"
          label={fieldLabels.roleClaim!}
          hint="Namnet på anspråket i ID-token som innehåller rollen (admin, editor, reporter eller viewer), till exempel roles. Lämna tomt för att alltid använda standardrollen."
        />
        <Checkbox state={state} name="enabled" label="Aktiverad: visa inloggningen på inloggningssidan" />
        <div class="actions">
          <button type="submit">Spara</button>
        </div>
      </form>
    </AdminLayout>
  );
}

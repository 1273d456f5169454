import { Csrf, ErrorSummary, TextField, type FormState } from '../../../platform/views/forms.js';
import { Layout, type PageContext } from '../../../platform/views/layout.js';

export interface SsoOption {
  slug: string;
  name: string;
}

export function LoginPage(props: { ctx: PageContext; csrf: string; state: FormState; next: string; sso: SsoOption[]; notice?: string }) {
  const { ctx, state } = props;
  return (
    <Layout ctx={ctx} title="Logga in">
      <h1>Logga in</h1>
      {props.notice ? (
        <p class="flash" role="status">
          {props.notice}
        </p>
      ) : null}
      <ErrorSummary state={state} title="Inloggningen misslyckades" />
      <form method="post" action="/logga-in" novalidate>
        <Csrf token={props.csrf} />
        <input type="hidden" name="next" value={props.next} />
        <TextField state={state} name="email" label="E-postadress" type="email" autoComplete="username" required />
        <TextField state={state} name="password" label="Lösenord" type="password" autoComplete="current-password" required />
        <div class="actions">
          <button type="submit">Logga in</button>
          <a href="/glomt-losenord">Glömt lösenordet?</a>
        </div>
      </form>
      {props.sso.length > 0 ? (
        <section aria-labelledby="sso">
          <h2 id="sso">Logga in med din organisations konto</h2>
          <ul>
            {props.sso.map((s) => (
              <li key={s.slug}>
                <a href={`/logga-in/sso/${s.slug}?next=${encodeURIComponent(props.next)}`}>{s.name}</a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </Layout>
  );
}

export function ForgotPasswordPage(props: { ctx: PageContext; csrf: string; state: FormState; sent: boolean }) {
  return (
    <Layout ctx={props.ctx} title="Glömt lösenordet">
      <h1>Glömt lösenordet</h1>
      {props.sent ? (
        <p class="flash" role="status">
          Om adressen har ett konto har vi skickat en länk för att välja ett nytt lösenord. Länken gäller i en timme.
        </p>
      ) : (
        <>
          <p>Skriv din e-postadress så skickar vi en länk där du kan välja ett nytt lösenord.</p>
          <ErrorSummary state={props.state} />
          <form method="post" action="/glomt-losenord" novalidate>
            <Csrf token={props.csrf} />
            <TextField state={props.state} name="email" label="E-postadress" type="email" autoComplete="email" required />
            <button type="submit">Skicka länk</button>
          </form>
        </>
      )}
    </Layout>
  );
}

export function ResetPasswordPage(props: { ctx: PageContext; csrf: string; state: FormState; token: string; live: boolean }) {
  return (
    <Layout ctx={props.ctx} title="Välj nytt lösenord">
      <h1>Välj nytt lösenord</h1>
      {props.live ? (
        <>
          <ErrorSummary state={props.state} />
          <form method="post" action={`/aterstall/${props.token}`} novalidate>
            <Csrf token={props.csrf} />
            <TextField state={props.state} name="password" label="Nytt lösenord" hint="Minst 12 tecken. En mening går bra." type="password" autoComplete="new-password" required />
            <button type="submit">Spara lösenordet</button>
          </form>
        </>
      ) : (
        <p>
          Länken har redan använts eller gått ut. <a href="/glomt-losenord">Begär en ny länk.</a>
        </p>
      )}
    </Layout>
  );
}

import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.js';
import { AppError } from '../../platform/errors.js';
import { SESSION_COOKIE, sessionCookieOptions } from '../../platform/http/auth.js';
import { setRetryAfter } from '../../platform/http/errors.js';
import { pageContext } from '../../platform/http/page.js';
import { emptyForm, type FormState } from '../../platform/views/forms.js';
import { renderPage } from '../../platform/views/render.js';
import { deliverInBackground } from '../mail/mailer.js';
import { listSsoOptions } from '../sso/sso-service.js';
import { loginWithPassword, logout, passwordResetIsLive, requestPasswordReset, resetPassword } from './account-service.js';
import { ForgotPasswordPage, LoginPage, ResetPasswordPage } from './views/auth-pages.js';

type Body = Record<string, unknown>;

/** A form field as a string: a tampered form may send an array or nothing. */
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Only same-site paths: an attacker must not turn our login into an open redirect. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/admin';
}

function formError(err: unknown): FormState['errors'] {
  if (err instanceof AppError) return err.fields.length > 0 ? err.fields : [{ field: '_form', message: err.message }];
  throw err;
}

export function accountRoutes(app: FastifyInstance, deps: AppDeps): void {
  const html = (reply: import('fastify').FastifyReply, status: number, page: import('preact').VNode) =>
    reply.status(status).header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(renderPage(page));

  // Mail that could not be sent is retried every minute while SMTP is configured; shutdown waits
  // for a flush in progress, so no row is left claimed but unsent.
  let retry: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    if (!deps.mailer.smtp) return;
    deliverInBackground(deps.mailer, deps.db, app.log);
    retry = setInterval(() => deliverInBackground(deps.mailer, deps.db, app.log), 60_000);
    retry.unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(retry);
    await deps.mailer.idle();
  });

  app.get<{ Querystring: { next?: string; utloggad?: string; aterstallt?: string } }>('/logga-in', async (req, reply) => {
    if (req.actor) return reply.redirect(safeNext(req.query.next));
    const sso = await listSsoOptions(deps.db);
    const notice = req.query.utloggad ? 'Du är utloggad.' : req.query.aterstallt ? 'Ditt lösenord är bytt. Logga in med det nya lösenordet.' : undefined;
    return html(reply, 200, LoginPage({ ctx: pageContext(req), csrf: reply.generateCsrf(), state: emptyForm(), next: safeNext(req.query.next), sso, notice }));
  });

  app.post<{ Body: Body }>('/logga-in', async (req, reply) => {
    const body = req.body ?? {};
    const next = safeNext(body.next);
    try {
      const { token } = await loginWithPassword(deps, { email: str(body.email), password: str(body.password), ip: req.ip });
      // A session this browser had before is ended, not left behind.
      await logout(deps.db, req.cookies[SESSION_COOKIE]);
      reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(deps.cookieSecure));
      return reply.redirect(next, 303);
    } catch (err) {
      const errors = formError(err).map((e) => ({ ...e, field: e.field === '_form' ? 'email' : e.field }));
      const status = err instanceof AppError ? err.status : 400;
      req.log.warn({ code: (err as AppError).code }, 'login failed');
      setRetryAfter(reply, err);
      const sso = await listSsoOptions(deps.db);
      return html(reply, status, LoginPage({ ctx: pageContext(req), csrf: reply.generateCsrf(), state: { values: { email: str(body.email) }, errors }, next, sso }));
    }
  });

  app.post('/logga-ut', async (req, reply) => {
    await logout(deps.db, req.cookies[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(deps.cookieSecure));
    return reply.redirect('/logga-in?utloggad=1', 303);
  });

  app.get('/glomt-losenord', async (req, reply) =>
    html(reply, 200, ForgotPasswordPage({ ctx: pageContext(req), csrf: reply.generateCsrf(), state: emptyForm(), sent: false })),
  );

  app.post<{ Body: Body }>('/glomt-losenord', async (req, reply) => {
    const body = req.body ?? {};
    try {
      await requestPasswordReset(deps, str(body.email));
      deliverInBackground(deps.mailer, deps.db, req.log);
      return html(reply, 200, ForgotPasswordPage({ ctx: pageContext(req), csrf: reply.generateCsrf(), state: emptyForm(), sent: true }));
    } catch (err) {
      return html(reply, 422, ForgotPasswordPage({ ctx: pageContext(req), csrf: reply.generateCsrf(), state: { values: { email: str(body.email) }, errors: formError(err).map((e) => ({ ...e, field: 'email' })) }, sent: false }));
    }
  });

  app.get<{ Params: { token: string } }>('/aterstall/:token', async (req, reply) => {
    const live = await passwordResetIsLive(deps.db, req.params.token, deps.clock());
    return html(reply, live ? 200 : 410, ResetPasswordPage({ ctx: pageContext(req), csrf: reply.generateCsrf(), state: emptyForm(), token: req.params.token, live }));
  });

  app.post<{ Params: { token: string }; Body: Body }>('/aterstall/:token', async (req, reply) => {
    try {
      await resetPassword(deps, req.params.token, str(req.body?.password));
      return reply.redirect('/logga-in?aterstallt=1', 303);
    } catch (err) {
      const live = await passwordResetIsLive(deps.db, req.params.token, deps.clock());
      const errors = formError(err).map((e) => ({ ...e, field: e.field || 'password' }));
      return html(reply, live ? 422 : 410, ResetPasswordPage({ ctx: pageContext(req), csrf: reply.generateCsrf(), state: { values: {}, errors }, token: req.params.token, live }));
    }
  });
}

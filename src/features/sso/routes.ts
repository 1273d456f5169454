import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import type { AppDeps } from '../../app.js';
import { AppError, EditConflictError } from '../../platform/errors.js';
import { SESSION_COOKIE, sessionCookieOptions } from '../../platform/http/auth.js';
import { pageContext } from '../../platform/http/page.js';
import type { Values } from '../../platform/views/forms.js';
import { renderPage } from '../../platform/views/render.js';
import { safeNext } from '../accounts/routes.js';
import { adminContext, flashFrom, redirectWithFlash, sendAdminPage } from '../admin/context.js';
import { beginSsoLogin, completeSsoLogin, getSsoSettings, redirectUri, saveSsoSettings, SsoLoginError, LOGIN_TTL_MS } from './sso-service.js';
import type { SsoConfig } from './sso.js';
import { SsoFailedPage, SsoSettingsPage } from './views/sso-pages.js';

/** Binds a pending login to the browser that started it (see completeSsoLogin). */
const STATE_COOKIE = 'loften_sso_state';

function origin(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}

function stateCookieOptions(secure: boolean) {
  // Lax, not strict: the cookie must come along on the IdP's top-level redirect back to us.
  return { path: '/logga-in/sso', httpOnly: true, sameSite: 'lax' as const, secure, maxAge: LOGIN_TTL_MS / 1000 };
}

function html(reply: FastifyReply, status: number, page: VNode): FastifyReply {
  return reply.status(status).header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(renderPage(page));
}

function formValues(c: SsoConfig | null): Values {
  if (!c) return { defaultRole: 'viewer', enabled: '1', version: '' };
  return {
    issuerUrl: c.issuerUrl,
    clientId: c.clientId,
    defaultRole: c.defaultRole,
    emailDomains: c.emailDomains.join(', '),
    roleClaim: c.roleClaim ?? '',
    enabled: c.enabled ? '1' : '',
    version: String(c.version),
  };
}

/** What the user typed, minus the secret (never sent back) and the CSRF token (a fresh one is rendered). */
function keptInput(body: Record<string, string | undefined>): Values {
  const { clientSecret: _secret, _csrf, ...rest } = body;
  return { ...rest, enabled: rest.enabled ? '1' : '' };
}

/** OpenID Connect single sign-on per party. */
export function ssoRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get<{ Params: { partySlug: string }; Querystring: { next?: string } }>('/logga-in/sso/:partySlug', async (req, reply) => {
    // Not a slug, not a party: and a NUL byte must never reach PostgreSQL (it answered 500).
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(req.params.partySlug)) throw new AppError('not_found');
    try {
      const { url, state } = await beginSsoLogin(deps, { slug: req.params.partySlug, next: safeNext(req.query.next), origin: origin(req) });
      reply.setCookie(STATE_COOKIE, state, stateCookieOptions(deps.cookieSecure));
      return reply.header('Cache-Control', 'no-store').redirect(url, 303);
    } catch (err) {
      if (!(err instanceof SsoLoginError)) throw err;
      req.log.warn({ reason: err.reason, err: err.cause }, 'sso login could not start');
      return html(reply, err.status, SsoFailedPage({ ctx: pageContext(req), message: err.message }));
    }
  });

  app.get('/logga-in/sso/callback', async (req, reply) => {
    const search = new URL(req.url, 'http://x').search;
    const boundState = req.cookies[STATE_COOKIE];
    reply.clearCookie(STATE_COOKIE, stateCookieOptions(deps.cookieSecure));
    try {
      const { token, next } = await completeSsoLogin(deps, { search, boundState, origin: origin(req) });
      reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(deps.cookieSecure));
      return reply.header('Cache-Control', 'no-store').redirect(safeNext(next), 303);
    } catch (err) {
      if (!(err instanceof SsoLoginError)) throw err;
      req.log.warn({ reason: err.reason, err: err.cause }, 'sso login refused');
      return html(reply, err.status, SsoFailedPage({ ctx: pageContext(req), message: err.message }));
    }
  });

  app.get<{ Params: { partyId: string } }>('/admin/parter/:partyId/sso', async (req, reply) => {
    const ctx = adminContext(req, reply, flashFrom(req));
    const { party, config } = await getSsoSettings(deps.db, ctx.actor, req.params.partyId);
    return sendAdminPage(
      reply,
      SsoSettingsPage({ ctx, partyId: party.id, partyName: party.name, state: { values: formValues(config), errors: [] }, hasSecret: Boolean(config?.clientSecret), redirectUri: redirectUri(deps, origin(req)) }),
    );
  });

  app.post<{ Params: { partyId: string }; Body: Record<string, string | undefined> }>('/admin/parter/:partyId/sso', async (req, reply) => {
    const ctx = adminContext(req, reply);
    const body = req.body ?? {};
    const path = `/admin/parter/${req.params.partyId}/sso`;
    try {
      await saveSsoSettings(deps.db, ctx.actor, req.params.partyId, body, deps.clock());
      return redirectWithFlash(reply, path, 'Inställningarna för inloggning är sparade.');
    } catch (err) {
      if (!(err instanceof AppError) || !['validation_failed', 'edit_conflict'].includes(err.code)) throw err;
      const { party, config } = await getSsoSettings(deps.db, ctx.actor, req.params.partyId);
      const values = keptInput(body);
      let conflict: Record<string, unknown> | null = null;
      let errors = err.fields;
      if (err instanceof EditConflictError) {
        conflict = err.current;
        // Saving again is then a deliberate choice to replace what the other person stored.
        values.version = String(err.currentVersion);
        errors = [];
      } else if (err.code === 'edit_conflict') {
        errors = [{ field: '_form', message: err.message === 'edit_conflict' ? 'Någon annan har ändrat inställningarna medan du redigerade. Ladda om sidan.' : err.message }];
      }
      const page = SsoSettingsPage({
        ctx,
        partyId: party.id,
        partyName: party.name,
        state: { values, errors },
        hasSecret: Boolean(config?.clientSecret),
        redirectUri: redirectUri(deps, origin(req)),
        conflict,
      });
      return sendAdminPage(reply, page, err.status);
    }
  });
}

import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { resolveSession } from '../../features/accounts/account-service.js';
import type { Actor } from '../../features/access/policy.js';
import { AppError } from '../errors.js';
import { readMultipartFields, registerMultipart } from './multipart.js';

export const SESSION_COOKIE = 'loften_session';

declare module 'fastify' {
  interface FastifyRequest {
    actor: (Actor & { sessionId: string; authenticatedAt: string }) | null;
  }
}

export interface AuthOptions {
  db: Kysely<DB>;
  clock: () => Date;
  cookieSecure: boolean;
}

/**
 * Cookies, form bodies, CSRF and the session → actor lookup. CSRF uses a secret in its own
 * HttpOnly cookie and a token in every form, so it needs no server memory and works across instances.
 * Every state-changing route outside the JSON API gets the CSRF check, added here once.
 */
export async function registerAuth(app: FastifyInstance, opts: AuthOptions): Promise<void> {
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 1024 * 1024 });
  await registerMultipart(app);
  await app.register(csrf, {
    cookieKey: 'loften_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'strict', secure: opts.cookieSecure, signed: false },
    getToken: (req) => (req.body as { _csrf?: string } | undefined)?._csrf,
  });
  app.decorateRequest('actor', null);

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const existing = route.preHandler ? (Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler]) : [];
    // Every /admin route needs a session before its handler runs, whatever the handler checks
    // first: without this, an anonymous POST whose body named no row answered 404 or 400 instead
    // of 401, and a new route could forget the check altogether.
    const session = route.url === '/admin' || route.url.startsWith('/admin/') ? [requireSession] : [];
    if (!methods.some((m) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(m)) || route.url.startsWith('/api/')) {
      if (session.length) route.preHandler = [...session, ...existing];
      return;
    }
    // Its FST_CSRF_* errors are mapped to our csrf_invalid code by the error handler.
    // A multipart form's fields (with its token) are read first; its file only after the check.
    route.preHandler = [readMultipartFields, app.csrfProtection, ...session, ...existing];
  });

  app.addHook('onRequest', async (req) => {
    if (req.routeOptions.config.probe) return; // /healthz must answer without the database
    const token = req.cookies[SESSION_COOKIE];
    if (token) req.actor = await resolveSession(opts.db, token, opts.clock());
  });
}

async function requireSession(req: FastifyRequest): Promise<void> {
  requireActor(req);
}

export function sessionCookieOptions(secure: boolean) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure };
}

/** For admin routes: the signed-in actor, or a 401 that the error handler turns into the login page. */
export function requireActor(req: FastifyRequest): Actor & { sessionId: string; authenticatedAt: string } {
  if (!req.actor) throw new AppError('unauthenticated', 'Du behöver logga in.');
  return req.actor;
}

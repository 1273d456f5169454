import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { requireActor } from '../../platform/http/auth.js';
import { pageContext } from '../../platform/http/page.js';
import { renderPage } from '../../platform/views/render.js';
import type { AdminContext } from './views/admin-layout.js';

/** Everything an admin page needs: the signed-in actor (or a redirect to login) and a fresh CSRF token. */
export function adminContext(req: FastifyRequest, reply: FastifyReply, flash?: string): AdminContext {
  const actor = requireActor(req);
  return { ...pageContext(req), actor, csrf: reply.generateCsrf(), flash };
}

/** Admin pages are private and per-user: never cached anywhere. */
export function sendAdminPage(reply: FastifyReply, page: VNode, status = 200): FastifyReply {
  return reply.status(status).header('Cache-Control', 'no-store').type('text/html; charset=utf-8').send(renderPage(page));
}

/** Post/redirect/get with a one-line confirmation carried in the query string. */
export function redirectWithFlash(reply: FastifyReply, path: string, flash: string): FastifyReply {
  const sep = path.includes('?') ? '&' : '?';
  return reply.redirect(`${path}${sep}klart=${encodeURIComponent(flash)}`, 303);
}

export function flashFrom(req: FastifyRequest): string | undefined {
  const v = (req.query as { klart?: unknown } | undefined)?.klart;
  return typeof v === 'string' && v.length <= 200 ? v : undefined;
}

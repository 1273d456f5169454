import type { VNode } from 'preact';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { localeFrom, messages } from '../i18n/index.js';
import type { PageContext } from '../views/layout.js';
import { renderPage } from '../views/render.js';

export function pageContext(req: FastifyRequest): PageContext {
  const locale = localeFrom(req.query);
  return { locale, m: messages(locale), url: req.url };
}

/** Public pages hold only published content, so shared caches may keep them for a minute. */
export function sendPublicPage(reply: FastifyReply, page: VNode): FastifyReply {
  return reply
    .header('Cache-Control', 'public, max-age=60')
    .header('Vary', 'Accept-Encoding')
    .type('text/html; charset=utf-8')
    .send(renderPage(page));
}

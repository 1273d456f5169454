import type { VNode } from 'preact';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { localeFrom, messages } from '../i18n/index.js';
import type { PageContext } from '../views/layout.js';
import { renderPage } from '../views/render.js';
import { sendPublicHtml } from './page-cache.js';

export function pageContext(req: FastifyRequest): PageContext {
  const locale = localeFrom(req.query);
  return { locale, m: messages(locale), url: req.url };
}

/**
 * Public pages hold only published content, so shared caches may keep them for a minute, and so
 * may we: the page cache (page-cache.ts) compresses them once and serves the next reader of the
 * same URL from memory. The output must depend on nothing but the URL, the data and the date.
 */
export function sendPublicPage(reply: FastifyReply, page: VNode): FastifyReply {
  return sendPublicHtml(reply, renderPage(page));
}

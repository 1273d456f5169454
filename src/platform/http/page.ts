import type { VNode } from 'preact';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { localeFrom, messages } from '../i18n/index.js';
import type { PageContext } from '../views/layout.js';
import { renderPage } from '../views/render.js';
import { sendPublicHtml, type PageHeaders } from './page-cache.js';

export function pageContext(req: FastifyRequest): PageContext {
  const locale = localeFrom(req.query);
  const ctx: PageContext = { locale, m: messages(locale), url: req.url };
  // From configuration, never from the Host header: cached pages are shared by every reader.
  if (req.server.publicBaseUrl) ctx.baseUrl = req.server.publicBaseUrl;
  return ctx;
}

/**
 * Public pages hold only published content, so shared caches may keep them for a minute, and so
 * may we: the page cache (page-cache.ts) compresses them once and serves the next reader of the
 * same URL from memory. The output must depend on nothing but the URL, the data and the date.
 */
export function sendPublicPage(reply: FastifyReply, page: VNode, headers: PageHeaders | null = null): FastifyReply {
  return sendPublicHtml(reply, renderPage(page), headers);
}

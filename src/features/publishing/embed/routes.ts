import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../../app.js';
import { loadPublicProgress } from '../../follow-up/public-progress.js';
import { AppError, errorStatus, type ErrorCode } from '../../../platform/errors.js';
import { pageContext, sendPublicPage } from '../../../platform/http/page.js';
import { localeFrom, messages } from '../../../platform/i18n/index.js';
import { adminContext, flashFrom, redirectWithFlash, sendAdminPage } from '../../admin/context.js';
import { attempt, singleValues, uuidOr404, type Body } from '../../admin/form-helpers.js';
import { PERIOD_SLUG, periodLabel, swedishDate } from '../../pledges/pledge.js';
import { embedStylesheet, embedStylesheetHash } from './embed-assets.js';
import { listEmbeddableMunicipalities, type PartyEmbedRow } from './embed-repo.js';
import {
  embedHeaders,
  embedUrl,
  getEmbedSettings,
  iframeSnippet,
  loadEmbed,
  oembed,
  oembedUrl,
  parsePledgePageUrl,
  SLUG,
  updateEmbedSettings,
} from './embed-service.js';
import { settingsValues } from './embed-settings.js';
import { EmbedPage } from './views/embed-page.js';
import { EmbedSettingsPage, type SnippetEntry } from './views/embed-settings-page.js';

const sv = messages('sv');

/** Our address for absolute links: the configured one, else the one this request came to. */
function baseOf(app: FastifyInstance, req: FastifyRequest): string {
  return app.publicBaseUrl ?? `${req.protocol}://${req.host}`;
}

function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  // oEmbed is read by other sites' servers and, sometimes, their pages' scripts.
  return reply
    .status(status)
    .header('Access-Control-Allow-Origin', '*')
    .header('Cache-Control', status === 200 ? 'public, max-age=60' : 'no-store')
    .type('application/json; charset=utf-8')
    .send(body);
}

function jsonError(reply: FastifyReply, code: ErrorCode, message: string): FastifyReply {
  return sendJson(reply, errorStatus[code], { error: { code, message } });
}

const DIMENSION = /^[1-9]\d{0,4}$/;

/** Embeds of the pledge in force on the parties' websites, their oEmbed answer, and each party's settings. */
export function embedRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/static/embed.css', async (req, reply) => {
    const versioned = (req.query as { v?: string }).v === embedStylesheetHash;
    return reply
      .header('Cache-Control', versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=300')
      .header('Cross-Origin-Resource-Policy', 'cross-origin')
      .type('text/css; charset=utf-8')
      .send(embedStylesheet);
  });

  async function sendEmbed(req: FastifyRequest<{ Params: { slug: string; period?: string }; Querystring: { part?: unknown } }>, reply: FastifyReply) {
    const { slug, period } = req.params;
    const part = req.query.part;
    if (!SLUG.test(slug) || (period !== undefined && !PERIOD_SLUG.test(period))) throw new AppError('not_found');
    if (part !== undefined && (typeof part !== 'string' || !SLUG.test(part))) throw new AppError('not_found');
    const today = swedishDate(deps.clock());
    const e = await loadEmbed(deps.db, { slug, period, part, date: today });
    // Follow-up travels with the pledge: the same progress and "ingen uppföljning sedan …" as on our page.
    const progress = await loadPublicProgress(deps.db, e.view.pledge, today, deps.followUp.staleAfterDays);
    const fullPath = `/kommun/${slug}${period ? `/${period}` : ''}`;
    // Through the page cache like every public page: it keeps the CSP and the dropped
    // X-Frame-Options with the page, and a change of any party's settings empties it.
    return sendPublicPage(reply, EmbedPage({ ctx: pageContext(req), e, fullPath, progress }), embedHeaders(e));
  }
  app.get<{ Params: { slug: string }; Querystring: { part?: unknown } }>('/embed/kommun/:slug', sendEmbed);
  app.get<{ Params: { slug: string; period: string }; Querystring: { part?: unknown } }>('/embed/kommun/:slug/:period', sendEmbed);

  app.get<{ Querystring: Record<string, unknown> }>('/oembed', async (req, reply) => {
    const q = req.query ?? {};
    const m = messages(localeFrom(q));
    if (q.format !== undefined && q.format !== 'json') return jsonError(reply, 'unsupported_format', 'Bara format=json stöds.');
    if (typeof q.url !== 'string' || q.url === '') return jsonError(reply, 'invalid_parameter', 'Ange url, adressen till en löftessida, t.ex. /kommun/strangnas.');
    const max: { maxwidth?: number; maxheight?: number } = {};
    for (const k of ['maxwidth', 'maxheight'] as const) {
      const v = q[k];
      if (v === undefined) continue;
      if (typeof v !== 'string' || !DIMENSION.test(v)) return jsonError(reply, 'invalid_parameter', `${k} ska vara ett positivt heltal (bildpunkter).`);
      max[k] = Number(v);
    }
    const base = baseOf(app, req);
    const ref = parsePledgePageUrl(q.url, base);
    if (!ref) return jsonError(reply, 'not_found', 'Adressen är inte en löftessida här.');
    const em = messages(ref.lang);
    try {
      const body = await oembed(deps.db, ref, { base, date: swedishDate(deps.clock()), ...max, frameTitle: em.embed.frameTitle, providerName: sv.siteName });
      return sendJson(reply, 200, body);
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') return jsonError(reply, 'not_found', m.errors.not_found);
      throw err;
    }
  });

  // ---------------------------------------------------------------------------------------------
  // Admin: a party's embed settings and the code to paste

  async function snippetsFor(req: FastifyRequest, party: PartyEmbedRow): Promise<SnippetEntry[]> {
    const base = baseOf(app, req);
    const municipalities = await listEmbeddableMunicipalities(deps.db, party.id);
    return municipalities.map((mu) => {
      const src = embedUrl(base, { slug: mu.slug, part: party.slug });
      return {
        municipalityName: mu.name,
        periods: mu.pledges.map((p) => periodLabel(p)).join(', '),
        snippet: iframeSnippet(src, sv.embed.frameTitle(mu.name), '100%', 800),
        oembedUrl: oembedUrl(base, `${base}/kommun/${mu.slug}?part=${party.slug}`),
        previewUrl: embedUrl('', { slug: mu.slug, part: party.slug }),
      };
    });
  }

  app.get<{ Params: { id: string } }>('/admin/parter/:id/inbaddning', async (req, reply) => {
    const ctx = adminContext(req, reply, flashFrom(req));
    const party = await getEmbedSettings(deps.db, ctx.actor, uuidOr404(req.params.id));
    const state = { values: { ...settingsValues(party.settings), version: String(party.version) }, errors: [] };
    return sendAdminPage(reply, EmbedSettingsPage({ ctx, party, state, conflict: null, snippets: await snippetsFor(req, party), hasOrigins: party.settings.origins.length > 0 }));
  });

  app.post<{ Params: { id: string }; Body: Body }>('/admin/parter/:id/inbaddning', async (req, reply) => {
    const id = uuidOr404(req.params.id);
    const body = singleValues(req.body ?? {});
    const failed = await attempt(() => updateEmbedSettings(deps, req.actor, id, body));
    if (!failed) return redirectWithFlash(reply, `/admin/parter/${id}/inbaddning`, 'Inställningarna för inbäddning är sparade.');
    const ctx = adminContext(req, reply);
    const party = await getEmbedSettings(deps.db, ctx.actor, id);
    const { _csrf, ...typed } = body;
    // After a conflict the form carries the stored version, so the next save is a deliberate overwrite.
    const values = failed.conflict ? { ...typed, version: String(failed.conflict.currentVersion) } : typed;
    const page = EmbedSettingsPage({ ctx, party, state: { values, errors: failed.errors }, conflict: failed.conflict?.current ?? null, snippets: await snippetsFor(req, party), hasOrigins: party.settings.origins.length > 0 });
    return sendAdminPage(reply, page, failed.conflict ? 409 : 422);
  });
}

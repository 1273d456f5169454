import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.js';
import { AppError } from '../../platform/errors.js';
import { pageContext, sendPublicPage } from '../../platform/http/page.js';
import { PERIOD_SLUG, swedishDate } from '../pledges/pledge.js';
import { municipalityPeriod } from '../pledges/pledge-service.js';
import { matchesEtag } from '../../platform/http/page-cache.js';
import { RenderedPdfCache } from '../publishing/pdf/signed-pdf.js';
import { renderReportPdf, reportPdfEtag, reportPdfFilename } from './report-pdf.js';
import { previousOf, publicReport, publicReports } from './reports.js';
import { ReportListPage, ReportPage } from './views/report-pages.js';

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** A report never changes, so its PDF at its own address never does either. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Public follow-up reports: /kommun/{slug}/{period}/uppfoljning (the list) and
 * /kommun/{slug}/{period}/uppfoljning/{YYYY-MM-DD | ar-YYYY} (one report). The pledge is found
 * through pledge-service, which reads signed versions only: an unsigned pledge has no such pages.
 */
export function reportRoutes(app: FastifyInstance, deps: AppDeps): void {
  const publicPledge = (slug: string, period: string) => {
    if (!SLUG.test(slug) || !PERIOD_SLUG.test(period)) throw new AppError('not_found');
    return municipalityPeriod(deps.db, slug, period, swedishDate(deps.clock()));
  };

  app.get<{ Params: { slug: string; period: string } }>('/kommun/:slug/:period/uppfoljning', async (req, reply) => {
    const view = await publicPledge(req.params.slug, req.params.period);
    return sendPublicPage(reply, ReportListPage({ ctx: pageContext(req), view, reports: await publicReports(deps.db, view.pledge) }));
  });

  app.get<{ Params: { slug: string; period: string; key: string } }>('/kommun/:slug/:period/uppfoljning/:key', async (req, reply) => {
    const view = await publicPledge(req.params.slug, req.params.period);
    const report = await publicReport(deps.db, view.pledge, req.params.key);
    if (!report) throw new AppError('not_found', 'Det finns ingen uppföljningsrapport med den adressen.');
    const all = await publicReports(deps.db, view.pledge);
    return sendPublicPage(reply, ReportPage({ ctx: pageContext(req), view, report, previous: previousOf(all, report) }));
  });

  // find-my-way matches the static ".pdf" suffix before the plain report page.
  const pdfs = new RenderedPdfCache();
  app.get<{ Params: { slug: string; period: string; key: string } }>('/kommun/:slug/:period/uppfoljning/:key.pdf', async (req, reply) => {
    const view = await publicPledge(req.params.slug, req.params.period);
    const report = await publicReport(deps.db, view.pledge, req.params.key);
    if (!report) throw new AppError('not_found', 'Det finns ingen uppföljningsrapport med den adressen.');
    // Without a configured public address, the one the reader used; the validator includes it.
    const opts = { publicBaseUrl: (deps.publicBaseUrl ?? `${req.protocol}://${req.host}`).replace(/\/+$/, ''), municipalitySlug: view.municipality.slug };
    const etag = reportPdfEtag(report, opts);
    reply.header('ETag', etag).header('Cache-Control', IMMUTABLE);
    if (matchesEtag(req.headers['if-none-match'], etag)) return reply.code(304).send();
    const pdf = await pdfs.get(`${report.id} ${opts.publicBaseUrl}`, () => renderReportPdf(report, opts));
    return reply.type('application/pdf').header('Content-Disposition', `inline; filename="${reportPdfFilename(opts.municipalitySlug, report)}"`).send(pdf);
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../../app.js';
import { AppError } from '../../../platform/errors.js';
import { matchesEtag } from '../../../platform/http/page-cache.js';
import { PERIOD_SLUG, swedishDate } from '../../pledges/pledge.js';
import { findSignedVersionForPdf, pdfEtag, RenderedPdfCache, renderSignedPdf, type SignedPdfRef } from './signed-pdf.js';

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const VERSION_NUMBER = /^[1-9]\d{0,5}$/;

/** A signed version's own address never changes content: caches may keep it for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The period's address follows the current version, which an amendment replaces: as short as the pages'. */
const CURRENT = 'public, max-age=60';

/**
 * GET /kommun/{slug}/{period}.pdf and /kommun/{slug}/{period}/versioner/{n}.pdf: the signed PDF.
 * find-my-way matches the static ".pdf" suffix before the plain /kommun/{slug}/{period} page.
 */
export function signedPdfRoutes(app: FastifyInstance, deps: AppDeps): void {
  const cache = new RenderedPdfCache();

  async function send(req: FastifyRequest, reply: FastifyReply, ref: SignedPdfRef) {
    if (!SLUG.test(ref.slug) || !PERIOD_SLUG.test(ref.period)) throw new AppError('not_found');
    const version = await findSignedVersionForPdf(deps.db, ref, swedishDate(deps.clock()));
    // Without a configured public address, the one the reader used: right in development, and the
    // validator includes it, so two addresses never share a cached PDF.
    const base = (deps.publicBaseUrl ?? `${req.protocol}://${req.host}`).replace(/\/+$/, '');
    const etag = pdfEtag(version.contentHash, base);
    reply
      .header('ETag', etag)
      .header('Cache-Control', ref.version === undefined ? CURRENT : IMMUTABLE);
    if (ref.version === undefined) {
      reply.header('Link', `<${base}/kommun/${ref.slug}/${ref.period}/versioner/${version.number}.pdf>; rel="canonical"`);
    }
    if (matchesEtag(req.headers['if-none-match'], etag)) return reply.code(304).send();
    const pdf = await cache.get(`${version.versionId} ${base}`, () => renderSignedPdf(version, base));
    return reply
      .type('application/pdf')
      .header('Content-Disposition', `inline; filename="${version.filename}"`)
      .send(pdf);
  }

  app.get<{ Params: { slug: string; period: string } }>('/kommun/:slug/:period.pdf', (req, reply) =>
    send(req, reply, { slug: req.params.slug, period: req.params.period }),
  );

  app.get<{ Params: { slug: string; period: string; n: string } }>('/kommun/:slug/:period/versioner/:n.pdf', (req, reply) => {
    if (!VERSION_NUMBER.test(req.params.n)) throw new AppError('not_found');
    return send(req, reply, { slug: req.params.slug, period: req.params.period, version: Number(req.params.n) });
  });
}

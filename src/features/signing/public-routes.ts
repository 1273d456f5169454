import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.js';
import { AppError } from '../../platform/errors.js';
import { pageContext, sendPublicPage } from '../../platform/http/page.js';
import { PERIOD_SLUG, swedishDate } from '../pledges/pledge.js';
import { municipalityPeriod } from '../pledges/pledge-service.js';
import { publicVersionHistory, publicVersionPage, verifyHash } from './published.js';
import { VerifyPage, VersionPublicPage, VersionsPage } from './views/version-pages.js';

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** The public side of signing: every signed version of a pledge, what changed, and checking a hash. */
export function signingPublicRoutes(app: FastifyInstance, deps: AppDeps): void {
  const publicPledge = (slug: string, period: string) => {
    if (!SLUG.test(slug) || !PERIOD_SLUG.test(period)) throw new AppError('not_found');
    return municipalityPeriod(deps.db, slug, period, swedishDate(deps.clock()));
  };

  app.get<{ Params: { slug: string; period: string } }>('/kommun/:slug/:period/versioner', async (req, reply) => {
    const view = await publicPledge(req.params.slug, req.params.period);
    return sendPublicPage(reply, VersionsPage({ ctx: pageContext(req), view, versions: await publicVersionHistory(deps.db, view.pledge.id) }));
  });

  app.get<{ Params: { slug: string; period: string; n: string } }>('/kommun/:slug/:period/versioner/:n', async (req, reply) => {
    const view = await publicPledge(req.params.slug, req.params.period);
    const page = /^[1-9]\d{0,5}$/.test(req.params.n) ? await publicVersionPage(deps.db, view.pledge.id, Number(req.params.n)) : null;
    if (!page) throw new AppError('not_found', 'Det finns ingen undertecknad version med det numret.');
    return sendPublicPage(reply, VersionPublicPage({ ctx: pageContext(req), view, page }));
  });

  // "No such signed version" is an answer, not an error: both URLs answer 200 with the result.
  app.get<{ Querystring: { kontrollsumma?: string } }>('/verifiera', async (req, reply) => {
    const input = typeof req.query.kontrollsumma === 'string' ? req.query.kontrollsumma.slice(0, 100) : '';
    const result = input ? await verifyHash(deps.db, input) : null;
    return sendPublicPage(reply, VerifyPage({ ctx: pageContext(req), input, result }));
  });

  app.get<{ Params: { hash: string } }>('/v/:hash', async (req, reply) => {
    const input = req.params.hash.slice(0, 100);
    return sendPublicPage(reply, VerifyPage({ ctx: pageContext(req), input, result: await verifyHash(deps.db, input) }));
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../app.js';
import { AppError } from '../../platform/errors.js';
import { pageContext, sendPublicPage } from '../../platform/http/page.js';
import { PERIOD_SLUG, swedishDate } from './pledge.js';
import { municipalityCurrent, municipalityPeriod, type MunicipalityView } from './pledge-service.js';
import { PledgePage } from './views/pledge-page.js';
import { pledgeIndicators } from '../indicators/indicator-service.js';
import { loadPublicProgress } from '../follow-up/public-progress.js';
import { publicReports } from '../follow-up/reports.js';

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export function pledgeRoutes(app: FastifyInstance, deps: AppDeps): void {
  /** The signed pledge with what follows it: indicators, follow-up progress and the reports so far. */
  async function sendPledgePage(req: FastifyRequest, reply: FastifyReply, view: MunicipalityView, today: string) {
    const indicators = await pledgeIndicators(deps.db, view.pledge.id, view.pledge.focusAreas.map((f) => f.id));
    const progress = await loadPublicProgress(deps.db, view.pledge, today, deps.followUp.staleAfterDays);
    const reports = await publicReports(deps.db, view.pledge);
    return sendPublicPage(reply, PledgePage({ ctx: pageContext(req), view, indicators, progress, reports }));
  }

  app.get<{ Params: { slug: string } }>('/kommun/:slug', async (req, reply) => {
    if (!SLUG.test(req.params.slug)) throw new AppError('not_found');
    const today = swedishDate(deps.clock());
    const view = await municipalityCurrent(deps.db, req.params.slug, today);
    return sendPledgePage(req, reply, view, today);
  });

  app.get<{ Params: { slug: string; period: string } }>('/kommun/:slug/:period', async (req, reply) => {
    const { slug, period } = req.params;
    if (!SLUG.test(slug) || !PERIOD_SLUG.test(period)) throw new AppError('not_found');
    const today = swedishDate(deps.clock());
    const view = await municipalityPeriod(deps.db, slug, period, today);
    return sendPledgePage(req, reply, view, today);
  });
}

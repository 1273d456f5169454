import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.js';
import { AppError } from '../../platform/errors.js';
import { PERIOD_SLUG, swedishDate } from '../pledges/pledge.js';
import { municipalityPeriod } from '../pledges/pledge-service.js';
import { buildCalendar } from './calendar.js';
import { listPublicMeetings, reportDatesOfMeetings } from './schedule-repo.js';

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** GET /kommun/{slug}/{period}/kalender.ics: a signed pledge's meetings and campaign dates. */
export function calendarRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get<{ Params: { slug: string; period: string } }>('/kommun/:slug/:period/kalender.ics', async (req, reply) => {
    const { slug, period } = req.params;
    if (!SLUG.test(slug) || !PERIOD_SLUG.test(period)) throw new AppError('not_found');
    // The published read path: a draft, or a pledge never signed, is not found here either.
    const view = await municipalityPeriod(deps.db, slug, period, swedishDate(deps.clock()));
    const meetings = await listPublicMeetings(deps.db, view.pledge.id);
    const reportDates = await reportDatesOfMeetings(deps.db, meetings.map((m) => m.id));
    const base = deps.publicBaseUrl ?? `${req.protocol}://${req.host}`;
    const body = buildCalendar({ pledge: view.pledge, municipality: view.municipality, meetings, reportDates, baseUrl: base });
    return reply
      .header('Cache-Control', 'public, max-age=300')
      .header('Content-Disposition', `inline; filename="${slug}-${period}.ics"`)
      .type('text/calendar; charset=utf-8')
      .send(body);
  });
}

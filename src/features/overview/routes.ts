import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.js';
import { pageContext, sendPublicPage } from '../../platform/http/page.js';
import { href } from '../../platform/views/links.js';
import { sendCsv } from '../indicators/routes.js';
import { periodLabel, swedishDate } from '../pledges/pledge.js';
import { messages } from '../../platform/i18n/index.js';
import { nationalOverview, type OverviewFilter } from './overview-service.js';
import { OverviewPage, pledgeState } from './views/overview-page.js';

type Query = { lan?: unknown; fokus?: unknown; aktuella?: unknown };

/** Filters from the query string; anything odd is ignored rather than refused, as on the index. */
function filterFrom(q: Query): OverviewFilter {
  const text = (v: unknown) => (typeof v === 'string' ? v.trim().slice(0, 100) : '');
  return { county: text(q.lan) || undefined, focus: text(q.fokus) || undefined, onlyInForce: q.aktuella === '1' };
}

function filterParams(f: OverviewFilter): Record<string, string | undefined> {
  return { lan: f.county, fokus: f.focus, aktuella: f.onlyInForce ? '1' : undefined };
}

export function overviewRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get<{ Querystring: Query }>('/oversikt', async (req, reply) => {
    const ctx = pageContext(req);
    const filter = filterFrom(req.query);
    const today = swedishDate(deps.clock());
    const overview = await nationalOverview(deps.db, filter, today);
    const csvHref = href('/oversikt.csv', 'sv', filterParams(filter));
    return sendPublicPage(reply, OverviewPage({ ctx, overview, filter, today, csvHref }));
  });

  app.get<{ Querystring: Query }>('/oversikt.csv', async (req, reply) => {
    const filter = filterFrom(req.query);
    const today = swedishDate(deps.clock());
    const { rows } = await nationalOverview(deps.db, filter, today);
    const m = messages('sv');
    const header = ['Kommunkod', 'Kommun', 'Län', 'Period', 'Läge', 'Fokusområden', 'Aktiviteter', 'Planerade', 'Pågår', 'Genomförda', 'Försenade', 'Inställda', 'Senaste uppföljning', 'Uppföljning'];
    const body = rows.map((r) => [
      r.municipality.municipalityCode,
      r.municipality.name,
      r.municipality.county,
      r.pledge ? periodLabel(r.pledge) : null,
      pledgeState(r, today, m),
      r.focusAreas.join(' | '),
      r.pledge ? r.activities.total : null,
      r.pledge ? r.activities.planned : null,
      r.pledge ? r.activities.in_progress : null,
      r.pledge ? r.activities.done : null,
      r.pledge ? r.activities.delayed : null,
      r.pledge ? r.activities.cancelled : null,
      r.lastFollowUp ? swedishDate(new Date(r.lastFollowUp)) : null,
      m.overview.freshness[r.freshness],
    ]);
    return sendCsv(reply, `medborgarloften-oversikt-${today}.csv`, [header, ...body]);
  });
}

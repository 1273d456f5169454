import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.js';
import { AppError } from '../../platform/errors.js';
import { pageContext, sendPublicPage } from '../../platform/http/page.js';
import { presentWastewater, wastewaterCsv } from './presenter.js';
import { findMunicipality, viewQueryFromApi, viewQueryFromPage, wastewaterView } from './wastewater-service.js';
import { chosenSubstance, WastewaterPublicPage } from './views/public-page.js';

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const KOMMUNKOD = /^\d{4}$/;

/**
 * Public surfaces of the wastewater results: the page, its CSV and JSON downloads, and the API.
 * Every one of them asks wastewaterView for the `public` audience, which is where districts under
 * the publication threshold are taken out.
 */
export function wastewaterRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get<{ Params: { slug: string } }>('/kommun/:slug/avloppsvatten', async (req, reply) => {
    if (!SLUG.test(req.params.slug)) throw new AppError('not_found');
    const party = await findMunicipality(deps.db, { slug: req.params.slug });
    const view = await wastewaterView(deps.db, party, 'public', viewQueryFromPage(req.query));
    return sendPublicPage(reply, WastewaterPublicPage({ ctx: pageContext(req), view }));
  });

  const download = async (slug: string, query: unknown) => {
    if (!SLUG.test(slug)) throw new AppError('not_found');
    const party = await findMunicipality(deps.db, { slug });
    const q = viewQueryFromPage(query);
    const view = await wastewaterView(deps.db, party, 'public', q);
    // "What is shown": the page details one substance, the first one when none was chosen.
    const chosen = chosenSubstance(view);
    if (!q.substances && chosen) return wastewaterView(deps.db, party, 'public', { ...q, substances: [chosen] });
    return view;
  };

  app.get<{ Params: { slug: string } }>('/kommun/:slug/avloppsvatten/data.csv', async (req, reply) => {
    const view = await download(req.params.slug, req.query);
    return reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="avloppsvatten-${view.party.slug}.csv"`)
      .header('Cache-Control', 'public, max-age=60')
      .send(wastewaterCsv(view));
  });

  app.get<{ Params: { slug: string } }>('/kommun/:slug/avloppsvatten/data.json', async (req, reply) => {
    const view = await download(req.params.slug, req.query);
    return reply
      .type('application/json; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="avloppsvatten-${view.party.slug}.json"`)
      .header('Cache-Control', 'public, max-age=60')
      .header('Access-Control-Allow-Origin', '*')
      .send(presentWastewater(view));
  });

  app.get<{ Params: { kommunkod: string } }>('/api/v1/municipalities/:kommunkod/wastewater', async (req) => {
    if (!KOMMUNKOD.test(req.params.kommunkod)) throw new AppError('invalid_parameter', 'kommunkod ska ha fyra siffror, t.ex. 0486.');
    const party = await findMunicipality(deps.db, { code: req.params.kommunkod });
    return presentWastewater(await wastewaterView(deps.db, party, 'public', viewQueryFromApi(req.query)));
  });
}

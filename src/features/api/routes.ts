import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../../app.js';
import { AppError } from '../../platform/errors.js';
import { presentPledge, presentSummary } from '../pledges/pledge-presenter.js';
import { createFileCache } from '../publishing/open-data/file-cache.js';
import { getPublicPledge, listPublicPledges } from '../pledges/pledge-service.js';
import { openapiDocument } from './openapi.js';

const ListQuery = z.object({ municipality: z.string().optional() });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Read-only open data. CORS is open (platform/http/cors.ts): anyone may build on published pledges. */
export function apiRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.addHook('onSend', async (req, reply) => {
    if (req.url.startsWith('/api/')) {
      if (!reply.hasHeader('Cache-Control')) reply.header('Cache-Control', 'public, max-age=60');
    }
  });

  app.get('/api/v1/openapi.json', async () => openapiDocument);

  // Answers are kept like open-data files: built and compressed once per write, not per request
  // (a reader burst otherwise queries, serialises and gzips the same JSON for every client).
  // Keyed by path and query; the answers hold no absolute links, so the origin is not part of it.
  const answers = createFileCache(app, deps);
  const json = (body: unknown) => ({ body: JSON.stringify(body), type: 'application/json; charset=utf-8' });

  app.get('/api/v1/pledges', async (req, reply) => {
    // safeParse: a repeated ?municipality= (an array) was a ZodError, a 500.
    const parsed = ListQuery.safeParse(req.query ?? {});
    if (!parsed.success) throw new AppError('invalid_parameter', 'municipality ska anges en gång, som en kommunkod med fyra siffror, t.ex. 0486.');
    const q = parsed.data;
    if (q.municipality !== undefined && !/^\d{4}$/.test(q.municipality))
      throw new AppError('invalid_parameter', 'municipality ska vara en kommunkod med fyra siffror, t.ex. 0486.');
    return answers.send(req, reply, `list ${q.municipality ?? ''}`, async () => {
      const items = await listPublicPledges(deps.db, { municipalityCode: q.municipality });
      return json({ data: items.map((i) => presentSummary(i.pledge, i.municipalities)) });
    });
  });

  app.get<{ Params: { id: string } }>('/api/v1/pledges/:id', async (req, reply) => {
    if (!UUID.test(req.params.id)) throw new AppError('invalid_id', `${req.params.id} är inte ett giltigt id (UUID).`);
    const id = req.params.id.toLowerCase();
    return answers.send(req, reply, `pledge ${id}`, async () => json(presentPledge(await getPublicPledge(deps.db, id))));
  });
}

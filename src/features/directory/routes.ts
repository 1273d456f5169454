import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { pageContext, sendPublicPage } from '../../platform/http/page.js';
import { stylesheet, stylesheetHash } from '../../platform/views/assets.js';
import { swedishDate } from '../pledges/pledge.js';
import { nationalIndex } from '../pledges/pledge-service.js';
import type { AppDeps } from '../../app.js';
import { AccessibilityPage } from '../site/accessibility-page.js';
import { IndexPage } from './index-page.js';

const IndexQuery = z.object({
  q: z.string().max(100).catch(''),
  aktuella: z.string().optional().catch(undefined),
});

export function directoryRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/', async (req, reply) => {
    const q = IndexQuery.parse(req.query ?? {});
    const query = q.q.trim();
    const onlyInForce = q.aktuella === '1';
    const entries = await nationalIndex(deps.db, { query, onlyInForce }, swedishDate(deps.clock()));
    return sendPublicPage(reply, IndexPage({ ctx: pageContext(req), entries, query, onlyInForce }));
  });

  app.get('/tillganglighet', async (req, reply) => sendPublicPage(reply, AccessibilityPage({ ctx: pageContext(req) })));

  app.get('/static/site.css', async (req, reply) => {
    const versioned = (req.query as { v?: string }).v === stylesheetHash;
    return reply
      .header('Cache-Control', versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=300')
      .type('text/css; charset=utf-8')
      .send(stylesheet);
  });
}

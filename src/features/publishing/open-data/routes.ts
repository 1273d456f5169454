import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../../app.js';
import { AppError } from '../../../platform/errors.js';
import { openDataGet } from '../../../platform/http/cors.js';
import { matchesEtag } from '../../../platform/http/page-cache.js';
import { PERIOD_SLUG, swedishDate, type PledgeDocument } from '../../pledges/pledge.js';
import { DEFAULT_PUBLISHER, catalogueFacts, catalogueXml } from './dcat.js';
import { atomXml, municipalityFeed } from './feed.js';
import { toCsv, toJson } from './formats.js';
import { municipalityPledges, nationalPledges, periodPledge } from './published-set.js';
import { activityTable, pledgeTable } from './tables.js';
import { LICENSE_URI, OPEN_DATA_PATHS, publicBase, siteLinks } from './urls.js';

/**
 * Open data: CSV and JSON downloads (national, per municipality, per pledge), an Atom feed per
 * municipality and the DCAT-AP-SE catalogue. All read-only, open to any origin (CORS), and read
 * through the published functions only. URLs and formats: docs/decisions/open-data.md.
 */

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export const MEDIA = {
  csv: 'text/csv; charset=utf-8; header=present',
  json: 'application/json; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  rdf: 'application/rdf+xml; charset=utf-8',
} as const;

/** Published content only, the same for everyone: shared caches may keep it as long as a public page. */
const CACHE_CONTROL = 'public, max-age=60';

interface Body {
  body: string;
  type: string;
  /** Offered as a file to save, under this name. */
  filename?: string;
  /** attachment for files meant for a spreadsheet; inline for what a browser can show. */
  disposition?: 'attachment' | 'inline';
}

/** Sends with a validator, so harvesters and feed readers that poll get a 304 when nothing changed. */
function send(req: FastifyRequest, reply: FastifyReply, b: Body): FastifyReply {
  const etag = `W/"${createHash('sha1').update(b.body).digest('base64url')}"`;
  reply.header('Cache-Control', CACHE_CONTROL).header('ETag', etag).type(b.type);
  if (b.filename) reply.header('Content-Disposition', `${b.disposition ?? 'attachment'}; filename="${b.filename}"`);
  if (matchesEtag(req.headers['if-none-match'], etag)) return reply.code(304).removeHeader('Content-Type').send();
  return reply.send(b.body);
}

type Format = 'csv' | 'json';
type Kind = 'medborgarloften' | 'aktiviteter';

function download(req: FastifyRequest, reply: FastifyReply, base: string, docs: PledgeDocument[], kind: Kind, format: Format, filenameStem: string) {
  const links = siteLinks(base);
  const table = kind === 'medborgarloften' ? pledgeTable(docs, links) : activityTable(docs, links);
  // The type checker cannot see that both tables fit both writers; they do, by construction.
  const t = table as Parameters<typeof toCsv>[0];
  return format === 'csv'
    ? send(req, reply, { body: toCsv(t), type: MEDIA.csv, filename: `${filenameStem}.csv`, disposition: 'attachment' })
    : send(req, reply, { body: toJson(t, LICENSE_URI), type: MEDIA.json, filename: `${filenameStem}.json`, disposition: 'inline' });
}

function checkSlug(slug: string) {
  if (!SLUG.test(slug)) throw new AppError('not_found');
}

export function openDataRoutes(app: FastifyInstance, deps: AppDeps): void {
  const base = (req: FastifyRequest) => publicBase(deps.publicBaseUrl, req);
  const today = () => swedishDate(deps.clock());

  for (const kind of ['medborgarloften', 'aktiviteter'] as const) {
    for (const format of ['csv', 'json'] as const) {
      openDataGet(app, `/data/${kind}.${format}`, async (req, reply) => {
        const docs = await nationalPledges(deps.db);
        return download(req, reply, base(req), docs, kind, format, kind);
      });

      openDataGet<{ slug: string }>(app, `/kommun/:slug/${kind}.${format}`, async (req, reply) => {
        checkSlug(req.params.slug);
        const { municipality, pledges } = await municipalityPledges(deps.db, req.params.slug, today());
        return download(req, reply, base(req), pledges, kind, format, `${kind}-${municipality.slug}`);
      });
    }
  }

  for (const format of ['csv', 'json'] as const) {
    openDataGet<{ slug: string; period: string }>(app, `/kommun/:slug/:period/aktiviteter.${format}`, async (req, reply) => {
      const { slug, period } = req.params;
      checkSlug(slug);
      if (!PERIOD_SLUG.test(period)) throw new AppError('not_found');
      const { municipality, pledge } = await periodPledge(deps.db, slug, period, today());
      return download(req, reply, base(req), [pledge], 'aktiviteter', format, `aktiviteter-${municipality.slug}-${pledge.periodSlug}`);
    });
  }

  openDataGet<{ slug: string }>(app, '/kommun/:slug/flode.atom', async (req, reply) => {
    checkSlug(req.params.slug);
    const feed = await municipalityFeed(deps.db, req.params.slug, today(), base(req));
    return send(req, reply, { body: atomXml(feed), type: MEDIA.atom });
  });

  openDataGet(app, OPEN_DATA_PATHS.dcat, async (req, reply) => {
    const facts = await catalogueFacts(deps.db);
    return send(req, reply, { body: catalogueXml(base(req), facts, deps.openData ?? DEFAULT_PUBLISHER), type: MEDIA.rdf });
  });
}

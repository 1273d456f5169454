import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../../app.js';
import { AppError } from '../../../platform/errors.js';
import { openDataGet } from '../../../platform/http/cors.js';
import { PERIOD_SLUG, swedishDate, type PledgeDocument } from '../../pledges/pledge.js';
import { DEFAULT_PUBLISHER, catalogueFacts, catalogueXml } from './dcat.js';
import { atomXml, municipalityFeed } from './feed.js';
import { createFileCache, type FileSpec } from './file-cache.js';
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

type Format = 'csv' | 'json';
type Kind = 'medborgarloften' | 'aktiviteter';

async function download(base: string, docs: PledgeDocument[], kind: Kind, format: Format, filenameStem: string): Promise<FileSpec> {
  const links = siteLinks(base);
  const table = kind === 'medborgarloften' ? pledgeTable(docs, links) : activityTable(docs, links);
  // The type checker cannot see that both tables fit both writers; they do, by construction.
  const t = table as Parameters<typeof toCsv>[0];
  return format === 'csv'
    ? { body: await toCsv(t), type: MEDIA.csv, filename: `${filenameStem}.csv`, disposition: 'attachment' }
    : { body: await toJson(t, LICENSE_URI), type: MEDIA.json, filename: `${filenameStem}.json`, disposition: 'inline' };
}

function checkSlug(slug: string) {
  if (!SLUG.test(slug)) throw new AppError('not_found');
}

export function openDataRoutes(app: FastifyInstance, deps: AppDeps): void {
  const base = (req: FastifyRequest) => publicBase(deps.publicBaseUrl, req);
  const today = () => swedishDate(deps.clock());
  const files = createFileCache(app, deps);
  // The files hold absolute links, so the origin is part of the key; the query string is not (nothing reads it).
  const send = (req: FastifyRequest, reply: FastifyReply, build: () => Promise<FileSpec>) => files.send(req, reply, `${base(req)} ${req.url.split('?')[0]}`, build);

  for (const kind of ['medborgarloften', 'aktiviteter'] as const) {
    for (const format of ['csv', 'json'] as const) {
      openDataGet(app, `/data/${kind}.${format}`, (req, reply) =>
        send(req, reply, async () => download(base(req), await files.shared('national', () => nationalPledges(deps.db)), kind, format, kind)),
      );

      openDataGet<{ slug: string }>(app, `/kommun/:slug/${kind}.${format}`, (req, reply) => {
        checkSlug(req.params.slug);
        return send(req, reply, async () => {
          const { municipality, pledges } = await municipalityPledges(deps.db, req.params.slug, today());
          return download(base(req), pledges, kind, format, `${kind}-${municipality.slug}`);
        });
      });
    }
  }

  for (const format of ['csv', 'json'] as const) {
    openDataGet<{ slug: string; period: string }>(app, `/kommun/:slug/:period/aktiviteter.${format}`, (req, reply) => {
      const { slug, period } = req.params;
      checkSlug(slug);
      if (!PERIOD_SLUG.test(period)) throw new AppError('not_found');
      return send(req, reply, async () => {
        const { municipality, pledge } = await periodPledge(deps.db, slug, period, today());
        return download(base(req), [pledge], 'aktiviteter', format, `aktiviteter-${municipality.slug}-${pledge.periodSlug}`);
      });
    });
  }

  openDataGet<{ slug: string }>(app, '/kommun/:slug/flode.atom', (req, reply) => {
    checkSlug(req.params.slug);
    return send(req, reply, async () => ({ body: atomXml(await municipalityFeed(deps.db, req.params.slug, today(), base(req))), type: MEDIA.atom }));
  });

  openDataGet(app, OPEN_DATA_PATHS.dcat, (req, reply) =>
    send(req, reply, async () => ({ body: catalogueXml(base(req), await catalogueFacts(deps.db), deps.openData ?? DEFAULT_PUBLISHER), type: MEDIA.rdf })),
  );
}

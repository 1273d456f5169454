import { stringify } from 'csv-stringify/sync';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.js';
import { AppError } from '../../platform/errors.js';
import { pageContext, sendPublicPage } from '../../platform/http/page.js';
import { slugify } from '../../platform/text.js';
import { swedishDate } from '../pledges/pledge.js';
import { publicIndicator } from './indicator-service.js';
import { IndicatorPage } from './views/indicator-page.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Spreadsheet-friendly CSV for Swedish readers: ";" between fields, decimal comma, UTF-8 with a BOM
 * so Excel shows å, ä and ö. The columns are those the import reads, so a download can be edited
 * and imported again.
 */
export function sendCsv(reply: import('fastify').FastifyReply, fileName: string, rows: (string | number | null)[][]) {
  const body = `\uFEFF${stringify(rows, { delimiter: ';', record_delimiter: '\r\n', cast: { number: (n) => String(n).replace('.', ',') } })}`;
  return reply
    .header('Cache-Control', 'public, max-age=60')
    .header('Content-Disposition', `attachment; filename="${fileName}"`)
    .type('text/csv; charset=utf-8')
    .send(body);
}

export function indicatorRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get<{ Params: { id: string } }>('/indikatorer/:id', async (req, reply) => {
    if (!UUID.test(req.params.id)) throw new AppError('not_found');
    const data = await publicIndicator(deps.db, req.params.id);
    return sendPublicPage(reply, IndicatorPage({ ctx: pageContext(req), data, today: swedishDate(deps.clock()) }));
  });

  app.get<{ Params: { id: string } }>('/indikatorer/:id/varden.csv', async (req, reply) => {
    if (!UUID.test(req.params.id)) throw new AppError('not_found');
    const { indicator, values } = await publicIndicator(deps.db, req.params.id);
    const rows = values.map((v) => [indicator.code, v.period, v.value, v.gender, v.status]);
    return sendCsv(reply, `indikator-${slugify(indicator.code)}.csv`, [['indicator', 'period', 'value', 'gender', 'status'], ...rows]);
  });
}

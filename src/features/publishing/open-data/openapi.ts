import { activityColumns, pledgeColumns, type CellType, type Column, type Links } from './tables.js';

/**
 * The open-data part of the OpenAPI document (spread into src/features/api/openapi.ts). These
 * URLs live outside /api/v1, so each path names its own server ('/', the site root). The row
 * schemas are generated from the column definitions the files are written from, so the
 * document cannot drift from the data.
 */

const noLinks: Links = { page: () => '', version: () => '', api: () => '' };

function cellSchema(type: CellType): Record<string, unknown> {
  switch (type) {
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      return { type };
    case 'date':
    case 'date-time':
    case 'uri':
    case 'uuid':
      return { type: 'string', format: type };
    case 'list':
      return { type: 'array', items: { type: 'string' } };
  }
}

function rowSchema(columns: readonly Column<never>[]) {
  return {
    type: 'object',
    required: columns.map((c) => c.name),
    properties: Object.fromEntries(
      columns.map((c) => {
        const s = cellSchema(c.type);
        const typed = c.nullable ? { ...s, type: [s.type as string, 'null'] } : s;
        return [c.name, { ...typed, description: c.about }];
      }),
    ),
  };
}

const fileSchema = (row: string) => ({
  type: 'object',
  required: ['license', 'columns', 'data'],
  properties: {
    license: { type: 'string', format: 'uri', const: 'http://creativecommons.org/publicdomain/zero/1.0/' },
    columns: { type: 'array', items: { type: 'string' }, description: 'The column names, in the order of the CSV header.' },
    data: { type: 'array', items: { $ref: `#/components/schemas/${row}` } },
  },
});

export const openDataSchemas = {
  PledgeRow: rowSchema(pledgeColumns(noLinks) as Column<never>[]),
  ActivityRow: rowSchema(activityColumns(noLinks) as Column<never>[]),
  PledgeFile: fileSchema('PledgeRow'),
  ActivityFile: fileSchema('ActivityRow'),
};

const root = [{ url: '/', description: 'The site root: open data lives beside the pages, outside /api/v1.' }];

const slug = { name: 'slug', in: 'path', required: true, description: 'The municipality in URLs, e.g. strangnas.', schema: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' } };
const period = { name: 'period', in: 'path', required: true, description: 'The period, e.g. 2022-2023 or 2022.', schema: { type: 'string', pattern: '^\\d{4}(-\\d{4})?$' } };

const etag = { ETag: { description: 'Weak validator; send it back in If-None-Match to get 304 when nothing changed.', schema: { type: 'string' } } };
const disposition = { 'Content-Disposition': { description: 'attachment (CSV) or inline (JSON), with a file name.', schema: { type: 'string' } } };
const notModified = { '304': { description: 'Not modified since the ETag in If-None-Match.' } };
const notFound = (what: string) => ({ '404': { description: what, content: { 'text/html': { schema: { type: 'string' } } } } });

const CSV_DIALECT =
  'CSV for Swedish Excel: UTF-8 with a byte-order mark, semicolon separator, decimal comma, CRLF line ends, RFC 4180 quoting, ' +
  'a header row with the column names. Lists are joined with " | ". Text that a spreadsheet would run as a formula (starting with = + - @) gets a leading apostrophe. ' +
  'The JSON file has the same columns with real types.';

function csv(summary: string, operationId: string, row: 'PledgeRow' | 'ActivityRow', params: object[], missing?: string) {
  return {
    servers: root,
    get: {
      operationId,
      summary,
      description: `${CSV_DIALECT} Columns: see the ${row} schema.`,
      parameters: params,
      responses: {
        '200': { description: summary, headers: { ...etag, ...disposition }, content: { 'text/csv': { schema: { type: 'string' } } } },
        ...notModified,
        ...(missing ? notFound(missing) : {}),
      },
    },
  };
}

function json(summary: string, operationId: string, file: 'PledgeFile' | 'ActivityFile', params: object[], missing?: string) {
  return {
    servers: root,
    get: {
      operationId,
      summary,
      parameters: params,
      responses: {
        '200': { description: summary, headers: { ...etag, ...disposition }, content: { 'application/json': { schema: { $ref: `#/components/schemas/${file}` } } } },
        ...notModified,
        ...(missing ? notFound(missing) : {}),
      },
    },
  };
}

const noMunicipality = 'No such municipality, or it has no published pledge.';
const noPledge = 'The municipality has no published pledge for that period.';

export const openDataPaths = {
  '/data/medborgarloften.csv': csv('Every published pledge, one row each (CSV)', 'downloadPledgesCsv', 'PledgeRow', []),
  '/data/medborgarloften.json': json('Every published pledge, one row each (JSON)', 'downloadPledgesJson', 'PledgeFile', []),
  '/data/aktiviteter.csv': csv('Every activity of every published pledge (CSV)', 'downloadActivitiesCsv', 'ActivityRow', []),
  '/data/aktiviteter.json': json('Every activity of every published pledge (JSON)', 'downloadActivitiesJson', 'ActivityFile', []),
  '/kommun/{slug}/medborgarloften.csv': csv("A municipality's published pledges, all periods (CSV)", 'downloadMunicipalityPledgesCsv', 'PledgeRow', [slug], noMunicipality),
  '/kommun/{slug}/medborgarloften.json': json("A municipality's published pledges, all periods (JSON)", 'downloadMunicipalityPledgesJson', 'PledgeFile', [slug], noMunicipality),
  '/kommun/{slug}/aktiviteter.csv': csv("The activities of a municipality's published pledges, all periods (CSV)", 'downloadMunicipalityActivitiesCsv', 'ActivityRow', [slug], noMunicipality),
  '/kommun/{slug}/aktiviteter.json': json("The activities of a municipality's published pledges, all periods (JSON)", 'downloadMunicipalityActivitiesJson', 'ActivityFile', [slug], noMunicipality),
  '/kommun/{slug}/{period}/aktiviteter.csv': csv('The activities of one published pledge (CSV)', 'downloadPledgeActivitiesCsv', 'ActivityRow', [slug, period], noPledge),
  '/kommun/{slug}/{period}/aktiviteter.json': json('The activities of one published pledge (JSON)', 'downloadPledgeActivitiesJson', 'ActivityFile', [slug, period], noPledge),
  '/kommun/{slug}/flode.atom': {
    servers: root,
    get: {
      operationId: 'municipalityFeed',
      summary: "Atom 1.0 feed of a municipality: one entry per signed version of its pledges, newest first",
      description:
        'Entry ids are tag: URIs that never change; updated is the time of signing (RFC 3339); each entry links to the public page of that version. Follow-up reports will be added as entries of another category.',
      parameters: [slug],
      responses: {
        '200': { description: 'The feed', headers: etag, content: { 'application/atom+xml': { schema: { type: 'string' } } } },
        ...notModified,
        ...notFound(noMunicipality),
      },
    },
  },
  '/dcat': {
    servers: root,
    get: {
      operationId: 'dcatCatalogue',
      summary: 'DCAT-AP-SE catalogue of these datasets (RDF/XML), harvested by Sveriges dataportal',
      responses: {
        '200': { description: 'The catalogue', headers: etag, content: { 'application/rdf+xml': { schema: { type: 'string' } } } },
        ...notModified,
      },
    },
  },
};

import type { Executor } from '../../../db/executor.js';
import { sortSv } from '../../../platform/text.js';
import type { Party } from '../../pledges/pledge.js';
import { listPublicPledges } from '../../pledges/pledge-service.js';
import { publicVersionHistory } from '../../signing/published.js';
import { rfc3339 } from './feed.js';
import { LICENSE_URI, OPEN_DATA_PATHS, municipalityPaths } from './urls.js';
import { el, xmlDocument, type XmlNode } from './xml.js';

/**
 * The DCAT-AP-SE catalogue at /dcat that Sveriges dataportal harvests (RDF/XML, its only
 * accepted syntax; absolute IRIs everywhere; no blank nodes for the catalogue, datasets,
 * distributions, publisher or contact point). Three datasets: the pledge register (JSON API, CSV,
 * JSON), its activities (CSV, JSON) and the municipalities' Atom feeds (one distribution per
 * municipality with a public pledge). Choices are explained in docs/decisions/open-data.md.
 */

/** Who publishes the catalogue: the organisation running this instance (configuration). */
export interface OpenDataPublisher {
  name: string;
  /** Swedish organisation number, 10 digits: gives the publisher the dataportal's well-known IRI. */
  orgNumber?: string;
  /** Where people report errors in the data; without it the contact point is the site itself. */
  contactEmail?: string;
}

export const DEFAULT_PUBLISHER: OpenDataPublisher = { name: 'Medborgarlöften' };

export const NS = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  dcat: 'http://www.w3.org/ns/dcat#',
  dcterms: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
} as const;

const EU = 'http://publications.europa.eu/resource/authority';
export const VOCAB = {
  themeTaxonomy: `${EU}/data-theme`,
  /** Justice, legal system and public safety; Government and public sector. */
  themes: [`${EU}/data-theme/JUST`, `${EU}/data-theme/GOVE`],
  language: `${EU}/language/SWE`,
  /** Pledges are signed when the parties meet, not on a schedule. */
  irregular: `${EU}/frequency/IRREG`,
  publicAccess: `${EU}/access-right/PUBLIC`,
  /** Sweden in GeoNames, the form DCAT-AP-SE recommends for dcterms:spatial. */
  sweden: 'http://sws.geonames.org/2661886',
  mediaType: (type: string) => `http://www.iana.org/assignments/media-types/${type}`,
};

type Lang = { sv: string; en: string };

const lit = (name: string, text: string, lang?: 'sv' | 'en') => el(name, lang ? { 'xml:lang': lang } : null, text);
const both = (name: string, t: Lang) => [lit(name, t.sv, 'sv'), lit(name, t.en, 'en')];
const ref = (name: string, iri: string) => el(name, { 'rdf:resource': iri });
const date = (name: string, iso: string) => el(name, { 'rdf:datatype': `${NS.xsd}dateTime` }, rfc3339(iso));

interface Distribution {
  iri: string;
  title: Lang;
  url: string;
  /** A file to download (downloadURL) rather than an API or feed to read (accessURL only). */
  download: boolean;
  mediaType: string;
  service?: string;
}

function distribution(d: Distribution): XmlNode {
  return el(
    'dcat:Distribution',
    { 'rdf:about': d.iri },
    both('dcterms:title', d.title),
    ref('dcat:accessURL', d.url),
    d.download ? ref('dcat:downloadURL', d.url) : null,
    // DCAT-AP-SE takes the IANA media type as a literal in dcterms:format; DCAT-AP's dcat:mediaType wants the IRI.
    lit('dcterms:format', d.mediaType),
    ref('dcat:mediaType', VOCAB.mediaType(d.mediaType)),
    ref('dcterms:license', LICENSE_URI),
    d.service ? ref('dcat:accessService', d.service) : null,
  );
}

interface DatasetInput {
  iri: string;
  title: Lang;
  description: Lang;
  keywords: Lang[];
  landingPage: string;
  distributions: Distribution[];
  issued?: string;
  modified?: string;
  temporal?: { iri: string; start: string; end: string };
}

export interface CatalogueFacts {
  municipalities: Party[];
  /** Earliest and latest signing of any public version. */
  firstSigned?: string;
  lastSigned?: string;
  /** Earliest start and latest end of the public pledges' periods. */
  coverage?: { start: string; end: string };
}

/** What the catalogue needs to know about the register, read through the published functions only. */
export async function catalogueFacts(db: Executor): Promise<CatalogueFacts> {
  const list = await listPublicPledges(db, {});
  const byId = new Map<string, Party>();
  let firstSigned: string | undefined;
  let lastSigned: string | undefined;
  let start: string | undefined;
  let end: string | undefined;
  for (const { pledge, municipalities } of list) {
    for (const m of municipalities) byId.set(m.id, m);
    if (!start || pledge.startsOn < start) start = pledge.startsOn;
    if (!end || pledge.endsOn > end) end = pledge.endsOn;
    for (const v of await publicVersionHistory(db, pledge.id)) {
      const t = rfc3339(v.signedAt);
      if (!firstSigned || t < firstSigned) firstSigned = t;
      if (!lastSigned || t > lastSigned) lastSigned = t;
    }
  }
  return {
    municipalities: sortSv([...byId.values()], (m) => m.name),
    firstSigned,
    lastSigned,
    coverage: start && end ? { start, end } : undefined,
  };
}

const KEYWORDS: Lang[] = [
  { sv: 'medborgarlöften', en: 'citizen pledges' },
  { sv: 'polisen', en: 'police' },
  { sv: 'kommuner', en: 'municipalities' },
  { sv: 'brottsförebyggande arbete', en: 'crime prevention' },
  { sv: 'trygghet', en: 'public safety' },
];

export function catalogueXml(base: string, facts: CatalogueFacts, publisher: OpenDataPublisher = DEFAULT_PUBLISHER): string {
  const iri = (fragment: string) => `${base}${OPEN_DATA_PATHS.dcat}#${fragment}`;
  const catalogIri = `${base}${OPEN_DATA_PATHS.dcat}`;
  const publisherIri = publisher.orgNumber ? `http://dataportal.se/organisation/SE${publisher.orgNumber}` : iri('utgivare');
  const contactIri = iri('kontakt');
  const apiService = iri('api');
  const temporal = facts.coverage ? { iri: iri('period'), ...facts.coverage } : undefined;
  const dates = { issued: facts.firstSigned, modified: facts.lastSigned };
  const file = (key: string, path: string, mediaType: string, title: Lang): Distribution => ({ iri: iri(key), title, url: `${base}${path}`, download: true, mediaType });

  const datasets: DatasetInput[] = [
    {
      iri: iri('medborgarloften'),
      title: { sv: 'Medborgarlöften', en: 'Citizen pledges' },
      description: {
        sv: 'Undertecknade medborgarlöften mellan Polisen och Sveriges kommuner: parter, undertecknare, period, fokusområden, löften och aktiviteter, med versionsnummer och kontrollsumma för den undertecknade versionen. Utkast ingår aldrig.',
        en: 'Signed citizen pledges between the Swedish Police and municipalities: parties, signatories, period, focus areas, commitments and activities, with the version number and content hash of the signed version. Drafts are never included.',
      },
      keywords: KEYWORDS,
      landingPage: `${base}/`,
      ...dates,
      temporal,
      distributions: [
        {
          iri: iri('medborgarloften-api'),
          title: { sv: 'JSON-API (OpenAPI 3.1)', en: 'JSON API (OpenAPI 3.1)' },
          url: `${base}/api/v1/pledges`,
          download: false,
          mediaType: 'application/json',
          service: apiService,
        },
        file('medborgarloften-csv', OPEN_DATA_PATHS.pledgesCsv, 'text/csv', { sv: 'Alla medborgarlöften som CSV (för Excel)', en: 'All pledges as CSV (for Excel)' }),
        file('medborgarloften-json', OPEN_DATA_PATHS.pledgesJson, 'application/json', { sv: 'Alla medborgarlöften som JSON', en: 'All pledges as JSON' }),
      ],
    },
    {
      iri: iri('aktiviteter'),
      title: { sv: 'Aktiviteter i medborgarlöften', en: 'Activities of citizen pledges' },
      description: {
        sv: 'Varje aktivitet i de undertecknade medborgarlöftena: fokusområde, löfte, ansvarig part, mål, tidplan och aktuell status.',
        en: 'Every activity of the signed citizen pledges: focus area, commitment, owning party, target, schedule and current status.',
      },
      keywords: [...KEYWORDS, { sv: 'aktiviteter', en: 'activities' }],
      landingPage: `${base}/`,
      ...dates,
      temporal: temporal && { ...temporal, iri: iri('period-aktiviteter') },
      distributions: [
        file('aktiviteter-csv', OPEN_DATA_PATHS.activitiesCsv, 'text/csv', { sv: 'Alla aktiviteter som CSV (för Excel)', en: 'All activities as CSV (for Excel)' }),
        file('aktiviteter-json', OPEN_DATA_PATHS.activitiesJson, 'application/json', { sv: 'Alla aktiviteter som JSON', en: 'All activities as JSON' }),
      ],
    },
    {
      iri: iri('floden'),
      title: { sv: 'Nya versioner av medborgarlöften per kommun (Atom)', en: 'New versions of citizen pledges per municipality (Atom)' },
      description: {
        sv: 'Ett Atom-flöde per kommun med en post för varje ny undertecknad version av kommunens medborgarlöften.',
        en: 'One Atom feed per municipality, with an entry for every newly signed version of its citizen pledges.',
      },
      keywords: [...KEYWORDS, { sv: 'nyhetsflöde', en: 'news feed' }],
      landingPage: `${base}/`,
      ...dates,
      distributions: facts.municipalities.map((m) => ({
        iri: iri(`flode-${m.slug}`),
        title: { sv: `${m.name} (Atom)`, en: `${m.name} (Atom)` },
        url: `${base}${municipalityPaths(m.slug).feed}`,
        download: false,
        mediaType: 'application/atom+xml',
      })),
    },
  ];

  const dataset = (d: DatasetInput) =>
    el(
      'dcat:Dataset',
      { 'rdf:about': d.iri },
      both('dcterms:title', d.title),
      both('dcterms:description', d.description),
      ref('dcterms:publisher', publisherIri),
      ref('dcat:contactPoint', contactIri),
      VOCAB.themes.map((t) => ref('dcat:theme', t)),
      d.keywords.flatMap((k) => both('dcat:keyword', k)),
      ref('dcterms:accrualPeriodicity', VOCAB.irregular),
      ref('dcterms:spatial', VOCAB.sweden),
      ref('dcterms:language', VOCAB.language),
      ref('dcterms:accessRights', VOCAB.publicAccess),
      ref('dcat:landingPage', d.landingPage),
      d.issued ? date('dcterms:issued', d.issued) : null,
      d.modified ? date('dcterms:modified', d.modified) : null,
      d.temporal
        ? el(
            'dcterms:temporal',
            null,
            el(
              'dcterms:PeriodOfTime',
              { 'rdf:about': d.temporal.iri },
              el('dcat:startDate', { 'rdf:datatype': `${NS.xsd}date` }, d.temporal.start),
              el('dcat:endDate', { 'rdf:datatype': `${NS.xsd}date` }, d.temporal.end),
            ),
          )
        : null,
      d.distributions.map((x) => ref('dcat:distribution', x.iri)),
    );

  const root = el(
    'rdf:RDF',
    Object.fromEntries(Object.entries(NS).map(([prefix, uri]) => [`xmlns:${prefix}`, uri])),
    el(
      'dcat:Catalog',
      { 'rdf:about': catalogIri },
      both('dcterms:title', { sv: 'Medborgarlöften – öppna data', en: 'Citizen pledges – open data' }),
      both('dcterms:description', {
        sv: 'Öppna data om de medborgarlöften som Polisen och kommunerna skriver under tillsammans: löftena, deras aktiviteter och ett flöde per kommun.',
        en: 'Open data about the citizen pledges that the Swedish Police and municipalities sign together: the pledges, their activities and a feed per municipality.',
      }),
      ref('dcterms:publisher', publisherIri),
      ref('foaf:homepage', `${base}/`),
      ref('dcterms:language', VOCAB.language),
      ref('dcterms:license', LICENSE_URI),
      ref('dcterms:spatial', VOCAB.sweden),
      ref('dcat:themeTaxonomy', VOCAB.themeTaxonomy),
      facts.firstSigned ? date('dcterms:issued', facts.firstSigned) : null,
      facts.lastSigned ? date('dcterms:modified', facts.lastSigned) : null,
      datasets.map((d) => ref('dcat:dataset', d.iri)),
      ref('dcat:service', apiService),
    ),
    el('foaf:Agent', { 'rdf:about': publisherIri }, lit('foaf:name', publisher.name)),
    el(
      'vcard:Organization',
      { 'rdf:about': contactIri },
      lit('vcard:fn', publisher.name),
      publisher.contactEmail ? ref('vcard:hasEmail', `mailto:${publisher.contactEmail}`) : ref('vcard:hasURL', `${base}/`),
    ),
    el('rdf:Description', { 'rdf:about': VOCAB.sweden }, lit('rdfs:label', 'Sverige', 'sv'), lit('rdfs:label', 'Sweden', 'en')),
    el(
      'dcat:DataService',
      { 'rdf:about': apiService },
      both('dcterms:title', { sv: 'Medborgarlöften JSON-API', en: 'Citizen pledges JSON API' }),
      ref('dcat:endpointURL', `${base}/api/v1`),
      ref('dcat:endpointDescription', `${base}/api/v1/openapi.json`),
      ref('dcat:servesDataset', iri('medborgarloften')),
      ref('dcterms:publisher', publisherIri),
      ref('dcat:contactPoint', contactIri),
      ref('dcterms:license', LICENSE_URI),
      ref('dcterms:accessRights', VOCAB.publicAccess),
    ),
    datasets.map(dataset),
    datasets.flatMap((d) => d.distributions.map(distribution)),
  );
  return xmlDocument(root);
}

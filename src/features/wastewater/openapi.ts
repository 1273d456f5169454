/** The wastewater endpoint's part of the OpenAPI document (merged in features/api/openapi.ts). */
const errorRef = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: errorRef } } });

const mean = { $ref: '#/components/schemas/WastewaterMean' };
const period = {
  type: 'object',
  required: ['population', 'weekday', 'weekend', 'week'],
  properties: {
    population: { type: 'integer', description: 'Anslutna invånare som värdena gäller.' },
    weekday: mean,
    weekend: mean,
    week: mean,
  },
};

export const wastewaterPaths = {
  '/municipalities/{kommunkod}/wastewater': {
    get: {
      operationId: 'getWastewater',
      summary: 'Narkotika i avloppsvatten för en kommun: per ämne och mätvecka, för kommunen och för kommundelarna',
      description:
        'Medelvärden per mätvecka (tisdag–måndag): vardag (tis–tor), helg (fre–mån) och hela veckan, som normaliserad belastning (mg/dygn per 1 000 invånare) eller skattad konsumtion. Kommundelar med färre anslutna invånare än kommunens publiceringsgräns (minst 2 000) finns aldrig med. Värden under LOQ räknas som 0; är alla dygn under LOQ är value null och belowLoq true. Inga rangordningar, inga antal användare eller doser.',
      parameters: [
        { name: 'kommunkod', in: 'path', required: true, description: 'Kommunkod med fyra siffror, t.ex. 0486.', schema: { type: 'string', pattern: '^\\d{4}$' } },
        { name: 'substance', in: 'query', required: false, description: 'Ett eller flera ämnen, kommaseparerade, t.ex. amfetamin,bensoylekgonin.', schema: { type: 'string' } },
        { name: 'from', in: 'query', required: false, description: 'Första provdatum som tas med.', schema: { type: 'string', format: 'date' } },
        { name: 'to', in: 'query', required: false, description: 'Sista provdatum som tas med.', schema: { type: 'string', format: 'date' } },
        { name: 'measure', in: 'query', required: false, schema: { type: 'string', enum: ['pnl', 'consumption'], default: 'pnl' } },
        { name: 'belowLoq', in: 'query', required: false, description: 'zero (EUDA:s konvention) eller half-loq (känslighetsanalys).', schema: { type: 'string', enum: ['zero', 'half-loq'], default: 'zero' } },
        { name: 'amphetamineCorrection', in: 'query', required: false, description: 'Dra av 0,09 × metamfetaminbelastningen från amfetaminet.', schema: { type: 'string', enum: ['true', 'false'], default: 'false' } },
      ],
      responses: {
        '200': { description: 'Resultaten', content: { 'application/json': { schema: { $ref: '#/components/schemas/Wastewater' } } } },
        '400': errorResponse('En parameter har fel format (invalid_parameter).'),
        '404': errorResponse('Ingen kommun med den kommunkoden (not_found).'),
      },
    },
  },
} as const;

export const wastewaterSchemas = {
  WastewaterMean: {
    type: 'object',
    required: ['value', 'days', 'belowLoq'],
    properties: {
      value: { type: ['number', 'null'], description: 'null när inga dygn finns, eller när alla dygn var under LOQ.' },
      days: { type: 'integer', description: 'Antal provdygn i medelvärdet; saknade dygn räknas inte.' },
      belowLoq: { type: 'boolean', description: 'Alla dygn var under kvantifieringsgränsen: visa "< LOQ", aldrig 0.' },
    },
  },
  Wastewater: {
    type: 'object',
    required: ['municipality', 'measure', 'unit', 'publicationThreshold', 'substances', 'caveats'],
    properties: {
      municipality: { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' }, slug: { type: 'string' } } },
      isExampleData: { type: 'boolean' },
      audience: { type: 'string', enum: ['public'] },
      measure: { type: 'string', enum: ['pnl', 'consumption'] },
      unit: { type: 'string' },
      belowLoq: { type: 'string', enum: ['zero', 'half-loq'] },
      amphetamineCorrection: { type: 'boolean' },
      correctionFactorSet: { type: ['object', 'null'], properties: { code: { type: 'string' }, name: { type: 'string' } } },
      publicationThreshold: { type: 'integer' },
      from: { type: ['string', 'null'], format: 'date' },
      to: { type: ['string', 'null'], format: 'date' },
      weekdays: { type: 'string' },
      weekend: { type: 'string' },
      substances: {
        type: 'array',
        items: {
          type: 'object',
          required: ['code', 'name', 'weeks'],
          properties: {
            code: { type: 'string', enum: ['benzoylecgonine', 'amphetamine', 'methamphetamine', 'mdma', 'thc_cooh', 'ketamine', 'cocaine', 'morphine'] },
            name: { type: 'string' },
            indicates: { type: 'string' },
            available: { type: 'boolean', description: 'false när skattad konsumtion begärdes och ämnet saknar korrektionsfaktor.' },
            correctionFactor: {
              type: ['object', 'null'],
              properties: { cf: { type: 'number' }, excretionFraction: { type: 'number' }, parentDrug: { type: 'string' }, source: { type: 'string' } },
            },
            uncorrectedDays: { type: 'integer' },
            weeks: {
              type: 'array',
              items: {
                type: 'object',
                required: ['week', 'label', 'municipality', 'districts'],
                properties: {
                  week: { type: 'string', format: 'date', description: 'Mätveckans tisdag.' },
                  label: { type: 'string', examples: ['v. 18 2023'] },
                  municipality: { oneOf: [{ type: 'null' }, period] },
                  districts: { type: 'array', items: { allOf: [period, { type: 'object', properties: { district: { type: 'string' } } }] } },
                  districtsNotShown: { type: 'integer', description: 'Kommundelar under publiceringsgränsen, som inte visas.' },
                  notShownIncludedInTotal: { type: 'boolean' },
                },
              },
            },
            nationalReference: {
              type: ['object', 'null'],
              properties: { source: { type: 'string' }, year: { type: 'integer' }, cities: { type: 'array', items: { type: 'string' } }, weekday: mean, weekend: mean, week: mean },
            },
          },
        },
      },
      caveats: { type: 'array', items: { type: 'string' } },
      referenceSource: { type: 'string' },
    },
  },
} as const;

import { errorStatus } from '../../platform/errors.js';
import { openDataPaths, openDataSchemas } from '../publishing/open-data/openapi.js';
import { wastewaterPaths, wastewaterSchemas } from '../wastewater/openapi.js';

/** The read-only API as OpenAPI 3.1; a test checks every path here against the live routes. */
const errorRef = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: errorRef } } });

export const openapiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Medborgarlöften API',
    version: '1.0.0',
    description:
      'Öppna data om polisens och kommunernas medborgarlöften. Bara undertecknade och arkiverade löften visas; utkast finns aldrig i API:t. ' +
      'Allt här får läsas från vilken webbplats som helst (CORS: Access-Control-Allow-Origin: *, utan credentials). Nedladdningar, flöden och DCAT-katalogen ligger utanför /api/v1 (se servers per sökväg).',
    license: { name: 'CC0-1.0', identifier: 'CC0-1.0' },
  },
  servers: [{ url: '/api/v1' }],
  paths: {
    '/pledges': {
      get: {
        operationId: 'listPledges',
        summary: 'Publicerade medborgarlöften, nyaste först',
        parameters: [
          {
            name: 'municipality',
            in: 'query',
            required: false,
            description: 'Kommunkod med fyra siffror, t.ex. 0486 för Strängnäs.',
            schema: { type: 'string', pattern: '^\\d{4}$' },
          },
        ],
        responses: {
          '200': {
            description: 'Löften',
            content: {
              'application/json': {
                schema: { type: 'object', required: ['data'], properties: { data: { type: 'array', items: { $ref: '#/components/schemas/PledgeSummary' } } } },
              },
            },
          },
          '400': errorResponse('Kommunkoden har fel format (invalid_parameter).'),
          '404': errorResponse('Ingen kommun med den kommunkoden (not_found).'),
        },
      },
    },
    '/pledges/{id}': {
      get: {
        operationId: 'getPledge',
        summary: 'Ett helt medborgarlöfte med parter, undertecknare, fokusområden, löften och aktiviteter',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        responses: {
          '200': { description: 'Löftet', content: { 'application/json': { schema: { $ref: '#/components/schemas/Pledge' } } } },
          '400': errorResponse('Id:t är inte ett UUID (invalid_id).'),
          '404': errorResponse('Inget publicerat löfte med det id:t (not_found).'),
        },
      },
    },
    ...openDataPaths,
    ...wastewaterPaths,
  },
  components: {
    schemas: {
      ...openDataSchemas,
      ...wastewaterSchemas,
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: {
              code: { type: 'string', enum: Object.keys(errorStatus) },
              message: { type: 'string' },
              fields: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } } },
            },
          },
        },
      },
      PledgeSummary: {
        type: 'object',
        required: ['id', 'title', 'startsOn', 'endsOn', 'period', 'state', 'municipalities', 'href'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          title: { type: 'string' },
          startsOn: { type: 'string', format: 'date' },
          endsOn: { type: 'string', format: 'date' },
          period: { type: 'string', examples: ['2022-2023'] },
          state: { type: 'string', enum: ['signed', 'archived'] },
          isExampleData: { type: 'boolean' },
          municipalities: {
            type: 'array',
            items: { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' }, slug: { type: 'string' } } },
          },
          href: { type: 'string' },
          pages: { type: 'array', items: { type: 'string' } },
        },
      },
      Party: {
        type: 'object',
        properties: {
          id: { type: 'string', format: 'uuid' },
          kind: { type: 'string', enum: ['municipality', 'police_area', 'partner'] },
          name: { type: 'string' },
          slug: { type: 'string' },
          municipalityCode: { type: ['string', 'null'] },
          county: { type: ['string', 'null'] },
          websiteUrl: { type: ['string', 'null'] },
        },
      },
      Activity: {
        type: 'object',
        properties: {
          id: { type: 'string', format: 'uuid' },
          ownerPartyId: { type: 'string', format: 'uuid' },
          description: { type: 'string' },
          target: {
            oneOf: [
              { type: 'null' },
              { type: 'object', properties: { kind: { const: 'numeric' }, value: { type: 'number' }, unit: { type: 'string' } } },
              { type: 'object', properties: { kind: { const: 'text' }, text: { type: 'string' } } },
            ],
          },
          schedule: {
            oneOf: [
              { type: 'null' },
              { type: 'object', properties: { startsOn: { type: ['string', 'null'] }, endsOn: { type: ['string', 'null'] }, text: { type: ['string', 'null'] } } },
            ],
          },
          status: { type: 'string', enum: ['planned', 'in_progress', 'done', 'delayed', 'cancelled'] },
        },
      },
      Pledge: {
        allOf: [
          { $ref: '#/components/schemas/PledgeSummary' },
          {
            type: 'object',
            properties: {
              background: { type: 'string' },
              updatedAt: { type: 'string', format: 'date-time', description: 'When the version shown was signed.' },
              version: { type: 'integer', description: 'The number of the signed version shown.' },
              signedVersion: {
                type: 'object',
                description: 'The signed version this document is. The hash is SHA-256 over its RFC 8785 canonical content; see /verifiera.',
                properties: {
                  number: { type: 'integer' },
                  contentHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
                  signedAt: { type: 'string', format: 'date-time' },
                  verifyUrl: { type: 'string' },
                  meeting: { oneOf: [{ type: 'null' }, { type: 'object', properties: { on: { type: 'string', format: 'date' }, kind: { type: 'string', enum: ['digital', 'physical'] } } }] },
                  signatures: {
                    type: 'array',
                    items: { type: 'object', properties: { name: { type: 'string' }, roleTitle: { type: 'string' }, partyId: { type: 'string' }, signedAt: { type: 'string', format: 'date-time' }, method: { type: 'string' } } },
                  },
                },
              },
              parties: { type: 'array', items: { $ref: '#/components/schemas/Party' } },
              signatories: {
                type: 'array',
                items: { type: 'object', properties: { id: { type: 'string' }, partyId: { type: 'string' }, name: { type: 'string' }, roleTitle: { type: 'string' } } },
              },
              focusAreas: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string' },
                    title: { type: 'string' },
                    description: { type: 'string' },
                    commitments: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: {
                          id: { type: 'string' },
                          title: { type: 'string' },
                          description: { type: 'string' },
                          activities: { type: 'array', items: { $ref: '#/components/schemas/Activity' } },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        ],
      },
    },
  },
} as const;

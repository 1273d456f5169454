import type { PartyInput } from '../pledges/pledge.js';

/**
 * Demo pledges, written from public sources (see docs/decisions/demo-data.md for what each line
 * rests on). Parties are referred to by slug here and resolved to ids when seeding.
 */

export interface DemoActivity {
  owner: string;
  description: string;
  target?: { kind: 'numeric'; value: number; unit: string } | { kind: 'text'; text: string };
  schedule?: { startsOn?: string; endsOn?: string; text?: string };
}

export interface DemoPledge {
  title: string;
  startsOn: string;
  endsOn: string;
  background: string;
  /** How the signing meeting was held, where the source says. */
  signingMeetingKind?: 'digital' | 'physical';
  parties: string[];
  signatories: { party: string; name: string; roleTitle: string }[];
  focusAreas: {
    title: string;
    description?: string;
    commitments: { title: string; description?: string; activities: DemoActivity[] }[];
  }[];
}

export const demoParties: PartyInput[] = [
  { kind: 'municipality', name: 'Strängnäs kommun', slug: 'strangnas', municipalityCode: '0486', county: 'Södermanlands län', websiteUrl: 'https://www.strangnas.se/', isDemo: true },
  { kind: 'police_area', name: 'Lokalpolisområde Strängnäs', slug: 'lpo-strangnas', isDemo: true, websiteUrl: 'https://polisen.se/' },
  { kind: 'municipality', name: 'Vingåkers kommun', slug: 'vingaker', municipalityCode: '0428', county: 'Södermanlands län', websiteUrl: 'https://www.vingaker.se/', isDemo: true },
  { kind: 'police_area', name: 'Lokalpolisområde Katrineholm', slug: 'lpo-katrineholm', isDemo: true, websiteUrl: 'https://polisen.se/' },
  { kind: 'municipality', name: 'Strömsunds kommun', slug: 'stromsund', municipalityCode: '2313', county: 'Jämtlands län', websiteUrl: 'https://www.stromsund.se/', isDemo: true },
  { kind: 'police_area', name: 'Polisen i Strömsund', slug: 'polisen-stromsund', isDemo: true, websiteUrl: 'https://polisen.se/' },
];

const WHOLE_PERIOD = { text: 'Löpande under perioden' };

export const strangnas2022: DemoPledge = {
  title: 'Medborgarlöfte för Strängnäs kommun 2022–2023',
  startsOn: '2022-01-01',
  endsOn: '2023-12-31',
  background:
    'Polisen och Strängnäs kommun arbetar gemensamt med fokus på ungdomar och kriminalitet. För 2022 och 2023 gäller löftet för första gången i två år, och två nya områden har tillkommit: våld i nära relation samt sexuell exploatering och kränkningar. Löftena ska göra det lättare att tidigt upptäcka narkotikabruk hos unga och våld i hemmet, som ofta är grundorsaken till annan kriminalitet och till otrygghet hos invånarna. Polisen har ökat bemanningen av poliser i yttre tjänst i kommunen. Löftet undertecknades i januari 2022 vid ett digitalt möte och följs upp vid kommunens och polisens centrala Brå-möten under året.',
  signingMeetingKind: 'digital',
  parties: ['strangnas', 'lpo-strangnas'],
  signatories: [
    { party: 'lpo-strangnas', name: 'Christer Sjökvist', roleTitle: 'Lokalpolisområdeschef' },
    { party: 'strangnas', name: 'Lars Ekström', roleTitle: 'Kommundirektör' },
  ],
  focusAreas: [
    {
      title: 'Ökad trygghet och minskad brottslighet',
      description:
        'Fokus på ungdomar och kriminalitet, med två nya områden för perioden: våld i nära relation samt sexuell exploatering och kränkningar.',
      commitments: [
        {
          title: 'Dialogmöten i kommundelarna',
          description: 'Polisen och kommunen möter invånarna i kommundelarna för att höra vad som skapar otrygghet.',
          activities: [],
        },
        {
          title: 'Skydda unga från narkotika och kriminalitet',
          activities: [
            { owner: 'lpo-strangnas', description: 'Polisen fortsätter med täta kontakter med skolor och fritidsgårdar.', schedule: WHOLE_PERIOD },
            { owner: 'lpo-strangnas', description: 'Polisen genomför narkotikasök med hund på skolor i kommunen.', schedule: WHOLE_PERIOD },
            {
              owner: 'strangnas',
              description: 'Kommunen mäter avloppsvattnet i olika kommundelar för att se vilka narkotikapreparat som finns och i vilken omfattning.',
              target: { kind: 'text', text: 'Mätningar i flera kommundelar' },
              schedule: WHOLE_PERIOD,
            },
          ],
        },
        {
          title: 'Förebygga våld i nära relation',
          description: 'Nytt fokusområde 2022. Våld i nära relation är en grogrund för otrygghet, både för de som drabbas och för barn som växer upp i den miljön.',
          activities: [
            { owner: 'strangnas', description: 'Kommunen bjuder i samverkan med polisen in till informationsmöten och utbildningar om våld i nära relation.', schedule: WHOLE_PERIOD },
            { owner: 'strangnas', description: 'Extra fokus under den nationella kampanjveckan En vecka fri från våld.', schedule: { text: 'Varje år vecka 47–48' } },
          ],
        },
        {
          title: 'Motverka sexuell exploatering och kränkningar av unga',
          description: 'Nytt fokusområde 2022.',
          activities: [
            { owner: 'strangnas', description: 'Kommunen utbildar fler medarbetare som har kontakt med barn och ungdomar om sexuella trakasserier och kränkningar.', schedule: WHOLE_PERIOD },
          ],
        },
      ],
    },
    {
      title: 'Trygg trafikmiljö',
      commitments: [
        { title: 'Öka tryggheten för oskyddade trafikanter', activities: [] },
        { title: 'Trafiksäkerhetsrådet arbetar med trafiksäkerheten i kommunen', activities: [] },
        {
          title: 'Polisen agerar mot trimmade mopeder och A-traktorer',
          activities: [{ owner: 'lpo-strangnas', description: 'Polisen kontrollerar trimmade mopeder och A-traktorer.', schedule: WHOLE_PERIOD }],
        },
      ],
    },
  ],
};

export const vingaker2022: DemoPledge = {
  title: 'Medborgarlöfte för Vingåkers kommun 2022',
  startsOn: '2022-01-01',
  endsOn: '2022-12-31',
  background:
    'Exempel på ett löfte där polisen, kommunen och båda tillsammans står för olika aktiviteter. Trafiken och tryggheten i centrum är de återkommande frågorna i kommunens medborgardialog.',
  parties: ['vingaker', 'lpo-katrineholm'],
  signatories: [],
  focusAreas: [
    {
      title: 'Trafiksäkerhet',
      commitments: [
        {
          title: 'Sänka hastigheterna där människor rör sig',
          activities: [
            { owner: 'lpo-katrineholm', description: 'Polisen genomför hastighetskontroller.', schedule: WHOLE_PERIOD },
            { owner: 'vingaker', description: 'Kommunen sätter upp digitala hastighetsskyltar.', schedule: WHOLE_PERIOD },
          ],
        },
      ],
    },
    {
      title: 'Trygghet i offentlig miljö',
      commitments: [
        {
          title: 'Göra centrum tryggare',
          activities: [
            { owner: 'vingaker', description: 'Kommunen genomför en trygghetsvandring.', target: { kind: 'numeric', value: 1, unit: 'trygghetsvandring per år' }, schedule: { text: 'En gång per år' } },
            { owner: 'vingaker', description: 'Kommunen anställer trygghetsvärdar under sommaren.', schedule: { startsOn: '2022-06-01', endsOn: '2022-08-31' } },
            { owner: 'vingaker', description: 'Kommunen och polisen involverar det lokala näringslivet i trygghetsarbetet (gemensam aktivitet; kommunen samordnar).', schedule: WHOLE_PERIOD },
          ],
        },
      ],
    },
    {
      title: 'Unga',
      commitments: [
        {
          title: 'Finnas där unga är',
          activities: [
            { owner: 'lpo-katrineholm', description: 'Polisen genomför ungdomsinsatser.', schedule: WHOLE_PERIOD },
            { owner: 'lpo-katrineholm', description: 'Polisen har kontakt med skolorna.', schedule: WHOLE_PERIOD },
          ],
        },
      ],
    },
  ],
};

export const stromsund2021: DemoPledge = {
  title: 'Medborgarlöfte för Strömsunds kommun 2021–2022',
  startsOn: '2021-01-01',
  endsOn: '2022-12-31',
  background:
    'Ett löfte som följs upp med indikatorer. Enligt CAN-undersökningen 2019 ville 13 % av eleverna i årskurs 9 prova narkotika och 17 % såg låg risk med att röka hasch varje vecka. Löftet följs upp med CAN-undersökningen 2023.',
  parties: ['stromsund', 'polisen-stromsund'],
  signatories: [],
  focusAreas: [
    {
      title: 'Ungdomar och narkotika',
      commitments: [
        {
          title: 'Färre unga ska vilja prova narkotika',
          activities: [
            {
              owner: 'stromsund',
              description: 'Kommunen följer upp CAN-undersökningen i årskurs 9 och jämför med 2019.',
              target: { kind: 'text', text: 'Lägre än 13 % i åk 9 som vill prova narkotika (CAN 2019)' },
              schedule: { text: 'CAN-undersökningen 2023' },
            },
            {
              owner: 'polisen-stromsund',
              description: 'Polisen informerar elever och föräldrar om riskerna med cannabis.',
              target: { kind: 'text', text: 'Lägre än 17 % som ser låg risk med att röka hasch varje vecka (CAN 2019)' },
              schedule: WHOLE_PERIOD,
            },
          ],
        },
      ],
    },
  ],
};

export const demoPledges: DemoPledge[] = [strangnas2022, vingaker2022, stromsund2021];

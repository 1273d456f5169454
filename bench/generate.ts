import type { Executor } from '../src/db/executor.js';
import { createParty, createPledge, type ChangedBy } from '../src/features/pledges/pledge-service.js';
import type { ActivityStatus, PledgeInput } from '../src/features/pledges/pledge.js';
import { demoParties } from '../src/features/demo/demo-data.js';
import { slugify } from '../src/platform/text.js';

/**
 * Load data for the benchmark: N municipalities, each with its own police area and one signed
 * pledge per calendar year, created through the real use-cases (createParty / createPledge), so
 * validation, the overlap check and the insert path are exactly what production runs.
 *
 * Deterministic (seeded PRNG): the same options give the same names and texts on every run.
 */

export interface GenerateOptions {
  municipalities: number;
  periods: number;
  /** First calendar year; pledge k covers firstYear + k, one calendar year each. */
  firstYear?: number;
  focusAreas?: number;
  commitmentsPerFocusArea?: number;
  activitiesPerCommitment?: number;
  seed?: number;
}

export interface GenerateResult {
  parties: number;
  pledges: number;
  activities: number;
  ms: number;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STEMS = [
  'Björk', 'Ek', 'Gran', 'Lind', 'Sjö', 'Berg', 'Al', 'Ask', 'Hag', 'Mal', 'Norr', 'Söder', 'Väster', 'Öster',
  'Hol', 'Fal', 'Kvarn', 'Sand', 'Sten', 'Ström', 'Fors', 'Dal', 'Tall', 'Rön', 'Hammar', 'Mör', 'Ny', 'Ljung',
  'Vik', 'Bro', 'Hed', 'Käll', 'Myr', 'Gull', 'Ulv', 'Tor', 'Frö', 'Ängel', 'Lid', 'Kung', 'Ram', 'Borg',
];
const ENDINGS = [
  'by', 'köping', 'holm', 'sund', 'vik', 'berg', 'dal', 'hamn', 'torp', 'ryd', 'stad', 'näs', 'fors', 'ås',
  'lund', 'hult', 'inge', 'tuna', 'sjö', 'måla', 'åker', 'bro', 'ed', 'falla',
];

/** The 21 counties with their real county codes; municipality codes are county code + two digits. */
const COUNTIES: [string, string][] = [
  ['01', 'Stockholms län'], ['03', 'Uppsala län'], ['04', 'Södermanlands län'], ['05', 'Östergötlands län'],
  ['06', 'Jönköpings län'], ['07', 'Kronobergs län'], ['08', 'Kalmar län'], ['09', 'Gotlands län'],
  ['10', 'Blekinge län'], ['12', 'Skåne län'], ['13', 'Hallands län'], ['14', 'Västra Götalands län'],
  ['17', 'Värmlands län'], ['18', 'Örebro län'], ['19', 'Västmanlands län'], ['20', 'Dalarnas län'],
  ['21', 'Gävleborgs län'], ['22', 'Västernorrlands län'], ['23', 'Jämtlands län'], ['24', 'Västerbottens län'],
  ['25', 'Norrbottens län'],
];

const FIRST_NAMES = ['Anna', 'Lars', 'Maria', 'Karin', 'Erik', 'Johan', 'Eva', 'Per', 'Sara', 'Mikael', 'Lena', 'Anders', 'Sofia', 'Peter', 'Ingrid', 'Magnus'];
const LAST_NAMES = ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson', 'Svensson', 'Gustafsson', 'Lindberg', 'Sjöberg', 'Åberg', 'Holmström'];

interface Theme {
  title: string;
  description: string;
  commitments: string[];
  activities: { owner: 'police' | 'municipality'; text: string }[];
}

const THEMES: Theme[] = [
  {
    title: 'Ungdomar och kriminalitet',
    description: 'Tidiga insatser för unga som riskerar att dras in i kriminalitet, i samverkan mellan skola, socialtjänst och polis.',
    commitments: ['Finnas där unga är på kvällar och helger', 'Tidigt upptäcka unga i riskzon', 'Minska nyrekryteringen till kriminella nätverk'],
    activities: [
      { owner: 'police', text: 'Polisen genomför riktade ungdomsinsatser på fredags- och lördagskvällar.' },
      { owner: 'municipality', text: 'Kommunen utökar fältverksamheten med fältassistenter under skollov.' },
      { owner: 'police', text: 'Polisen besöker högstadieskolor och håller samtal om konsekvenser av brott.' },
      { owner: 'municipality', text: 'Socialtjänsten och skolan arbetar enligt en gemensam rutin för orosanmälningar.' },
      { owner: 'municipality', text: 'Kommunen håller fritidsgårdarna öppna längre under sommarlovet.' },
    ],
  },
  {
    title: 'Trygghet i offentlig miljö',
    description: 'Centrum, stationer och parker ska kännas trygga att röra sig i, även när det är mörkt.',
    commitments: ['Göra centrum tryggare kvällstid', 'Åtgärda otrygga platser som invånarna pekar ut', 'Synas mer i bostadsområdena'],
    activities: [
      { owner: 'municipality', text: 'Kommunen genomför trygghetsvandringar tillsammans med fastighetsägare och föreningar.' },
      { owner: 'municipality', text: 'Kommunen förbättrar belysningen på gång- och cykelvägar som pekats ut som otrygga.' },
      { owner: 'police', text: 'Polisen patrullerar till fots i centrum under helgkvällar.' },
      { owner: 'municipality', text: 'Kommunen anställer trygghetsvärdar under sommarmånaderna.' },
      { owner: 'police', text: 'Polisen håller öppna medborgardialoger i kommundelarna.' },
    ],
  },
  {
    title: 'Våld i nära relation',
    description: 'Våld i hemmet drabbar både vuxna och barn och är ofta en grogrund för annan brottslighet.',
    commitments: ['Fler ska våga söka hjälp', 'Stärka kunskapen hos dem som möter barn'],
    activities: [
      { owner: 'municipality', text: 'Kommunen utbildar personal i förskola och skola i att upptäcka våld i hemmet.' },
      { owner: 'police', text: 'Polisen och kommunen håller informationsmöten under kampanjveckan En vecka fri från våld.' },
      { owner: 'municipality', text: 'Kommunen sprider information om stödlinjer på flera språk.' },
      { owner: 'police', text: 'Polisen följer upp varje anmälan med ett erbjudande om stödsamtal.' },
    ],
  },
  {
    title: 'Trafiksäkerhet',
    description: 'Lägre hastigheter där människor rör sig och färre olyckor med oskyddade trafikanter.',
    commitments: ['Sänka hastigheterna vid skolor', 'Motverka trimmade mopeder och A-traktorer'],
    activities: [
      { owner: 'police', text: 'Polisen genomför hastighetskontroller vid skolor och förskolor.' },
      { owner: 'municipality', text: 'Kommunen sätter upp digitala hastighetsskyltar på utpekade gator.' },
      { owner: 'police', text: 'Polisen kontrollerar mopeder och A-traktorer vid skolstart.' },
      { owner: 'municipality', text: 'Kommunen ser över skolvägarna tillsammans med föräldraföreningar.' },
    ],
  },
  {
    title: 'Narkotika',
    description: 'Färre unga ska prova narkotika, och tillgången i kommunen ska minska.',
    commitments: ['Minska tillgången till narkotika', 'Informera föräldrar om riskerna'],
    activities: [
      { owner: 'police', text: 'Polisen genomför narkotikasök med hund på skolor i kommunen.' },
      { owner: 'municipality', text: 'Kommunen mäter avloppsvattnet för att följa vilka preparat som används.' },
      { owner: 'municipality', text: 'Kommunen bjuder in till föräldramöten om cannabis och nätdroger.' },
      { owner: 'police', text: 'Polisen samarbetar med tullen och kommunen om försäljning via sociala medier.' },
    ],
  },
  {
    title: 'Bedrägerier mot äldre',
    description: 'Äldre invånare ska känna igen bedragarnas metoder och veta vart de kan vända sig.',
    commitments: ['Förebygga telefon- och nätbedrägerier', 'Nå äldre som bor ensamma'],
    activities: [
      { owner: 'police', text: 'Polisen föreläser om bedrägerier på träffpunkter för seniorer.' },
      { owner: 'municipality', text: 'Hemtjänsten delar ut information om vanliga bedrägeriförsök.' },
      { owner: 'municipality', text: 'Kommunen och banken håller gemensamma informationsdagar på biblioteket.' },
    ],
  },
];

const SCHEDULE_TEXTS = ['Löpande under perioden', 'Varje vecka under terminerna', 'En gång per kvartal', 'Varje år vecka 47–48', 'Under sommarlovet'];
const UNITS = ['insatser per månad', 'trygghetsvandringar per år', 'skolbesök per termin', 'informationsmöten', 'kontroller per kvartal'];
const STATUSES: ActivityStatus[] = ['planned', 'in_progress', 'in_progress', 'done', 'done', 'delayed'];

/** Audit rows written by the generator say where they came from, like the demo seed's. */
const BENCH: ChangedBy = { actor: null, label: 'belastningstest' };

function genitive(name: string): string {
  return /[saeiouyåäö]$/i.test(name) ? name : `${name}s`;
}

export async function generateLoad(db: Executor, opts: GenerateOptions): Promise<GenerateResult> {
  const started = performance.now();
  const firstYear = opts.firstYear ?? 2022;
  const nFocus = opts.focusAreas ?? 3;
  const nCommit = opts.commitmentsPerFocusArea ?? 2;
  const nAct = opts.activitiesPerCommitment ?? 3;
  const rnd = mulberry32(opts.seed ?? 20240486);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

  // Names: stem + ending, shuffled, skipping anything that would collide with the demo's slugs/codes.
  const takenSlugs = new Set(demoParties.map((p) => p.slug));
  const takenCodes = new Set(demoParties.map((p) => p.municipalityCode).filter(Boolean));
  const combos = STEMS.flatMap((s) => ENDINGS.map((e) => s + e.replace(/^(.)/, (c) => (s.endsWith(c) ? '' : c))));
  for (let i = combos.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [combos[i], combos[j]] = [combos[j]!, combos[i]!];
  }
  const towns: string[] = [];
  for (const town of combos) {
    if (towns.length === opts.municipalities) break;
    const slug = slugify(town);
    if (takenSlugs.has(slug) || takenSlugs.has(`lpo-${slug}`)) continue;
    takenSlugs.add(slug).add(`lpo-${slug}`);
    towns.push(town);
  }
  if (towns.length < opts.municipalities) throw new Error(`generateLoad: only ${towns.length} distinct names available`);

  let parties = 0;
  let pledges = 0;
  let activities = 0;
  for (const [i, town] of towns.entries()) {
    const [countyCode, county] = COUNTIES[i % COUNTIES.length]!;
    let serial = 50 + Math.floor(i / COUNTIES.length);
    while (takenCodes.has(`${countyCode}${serial}`)) serial++;
    const code = `${countyCode}${String(serial).padStart(2, '0')}`;
    takenCodes.add(code);
    const slug = slugify(town);
    const municipality = await createParty(db, {
      kind: 'municipality',
      name: `${genitive(town)} kommun`,
      slug,
      municipalityCode: code,
      county,
      websiteUrl: `https://www.${slug}.se/`,
    }, BENCH);
    const police = await createParty(db, { kind: 'police_area', name: `Lokalpolisområde ${town}`, slug: `lpo-${slug}`, websiteUrl: 'https://polisen.se/' }, BENCH);
    parties += 2;
    const person = () => `${pick(FIRST_NAMES)} ${pick(LAST_NAMES)}`;

    for (let k = 0; k < opts.periods; k++) {
      const year = firstYear + k;
      const themes = [...THEMES].sort(() => rnd() - 0.5).slice(0, nFocus);
      const input: PledgeInput = {
        title: `Medborgarlöfte för ${genitive(town)} kommun ${year}`,
        startsOn: `${year}-01-01`,
        endsOn: `${year}-12-31`,
        background:
          `Polisen och ${genitive(town)} kommun har tagit fram löftet utifrån medborgardialoger, ` +
          `trygghetsmätningen ${year - 1} och den gemensamma lägesbilden. ` +
          `Arbetet följs upp vid de gemensamma Brå-mötena under året och redovisas för kommunstyrelsen. ` +
          `Fokus för ${year} är ${themes.map((t) => t.title.toLocaleLowerCase('sv')).join(', ')}.`,
        state: 'signed',
        partyIds: [municipality.id, police.id],
        signatories: [
          { partyId: police.id, name: person(), roleTitle: 'Lokalpolisområdeschef' },
          { partyId: municipality.id, name: person(), roleTitle: 'Kommundirektör' },
        ],
        focusAreas: themes.map((t) => ({
          title: t.title,
          description: t.description,
          commitments: Array.from({ length: nCommit }, (_, c) => ({
            title: t.commitments[c % t.commitments.length]!,
            description: rnd() < 0.5 ? `${t.commitments[c % t.commitments.length]} i ${town}.` : '',
            activities: Array.from({ length: nAct }, () => {
              const a = pick(t.activities);
              const r = rnd();
              return {
                ownerPartyId: a.owner === 'police' ? police.id : municipality.id,
                description: a.text,
                target:
                  r < 0.3
                    ? { kind: 'numeric' as const, value: 1 + Math.floor(rnd() * 20), unit: pick(UNITS) }
                    : r < 0.5
                      ? { kind: 'text' as const, text: 'Fler invånare känner sig trygga enligt trygghetsmätningen' }
                      : null,
                schedule:
                  rnd() < 0.3
                    ? { startsOn: `${year}-0${1 + Math.floor(rnd() * 6)}-01`, endsOn: `${year}-12-31`, text: null }
                    : { startsOn: null, endsOn: null, text: pick(SCHEDULE_TEXTS) },
                status: pick(STATUSES),
              };
            }),
          })),
        })),
      };
      await createPledge(db, input, BENCH);
      pledges++;
      activities += nFocus * nCommit * nAct;
    }
  }
  return { parties, pledges, activities, ms: performance.now() - started };
}

/** Swedish is the source catalogue; en.ts must have exactly the same keys (the type checks it). */
export const sv = {
  lang: 'sv',
  otherLang: { code: 'en', label: 'English', hrefLang: 'en' },
  siteName: 'Medborgarlöften',
  skipToContent: 'Hoppa till innehållet',
  tagline: 'Polisens och kommunernas gemensamma löften om trygghet, och hur det går.',
  footer: {
    about:
      'Medborgarlöften tas fram gemensamt av kommunen och polisen utifrån en lägesbild, och följs upp vid lokala Brå-möten.',
    accessibility: 'Tillgänglighetsredogörelse',
    api: 'Öppna data (API)',
  },
  index: {
    title: 'Medborgarlöften i Sveriges kommuner',
    heading: 'Medborgarlöften i Sveriges kommuner',
    intro:
      'Här finns de medborgarlöften som kommuner och polisen har undertecknat. Sök på kommunens namn för att läsa löftet, vilka aktiviteter som ingår och vem som ansvarar för dem.',
    searchLabel: 'Sök kommun',
    searchButton: 'Sök',
    onlyInForce: 'Visa bara kommuner med ett löfte som gäller i dag',
    resultsCount: (n: number) => (n === 1 ? '1 kommun' : `${n} kommuner`),
    resultsFor: (q: string) => `för ”${q}”`,
    noResults: 'Ingen kommun matchade sökningen. Kontrollera stavningen eller sök på en del av namnet.',
    empty: 'Det finns inga publicerade medborgarlöften ännu.',
    colMunicipality: 'Kommun',
    colCounty: 'Län',
    colPeriod: 'Period',
    colStatus: 'Läge',
    inForce: 'Gäller nu',
    latest: 'Senaste löftet',
  },
  pledge: {
    periodLabel: 'Period',
    partiesHeading: 'Parter',
    signatoriesHeading: 'Undertecknare',
    noSignatories: 'Inga undertecknare är registrerade för det här löftet.',
    backgroundHeading: 'Bakgrund',
    focusAreasHeading: 'Fokusområden',
    commitmentsHeading: 'Löften',
    activitiesCaption: (commitment: string) => `Aktiviteter för löftet ”${commitment}”`,
    colActivity: 'Aktivitet',
    colOwner: 'Ansvarig',
    colTarget: 'Mål',
    colSchedule: 'När',
    colStatus: 'Status',
    noActivities: 'Inga aktiviteter är registrerade för det här löftet.',
    noTarget: '–',
    noSchedule: 'Under perioden',
    followUpHeading: 'Uppföljning',
    followUpNone:
      'Ingen uppföljning är publicerad ännu. Uppföljningen görs vid de lokala Brå-mötena och publiceras här.',
    inForceNotice: 'Det här löftet gäller nu.',
    notInForceNotice: (period: string) =>
      `Det finns inget medborgarlöfte som gäller i dag. Här visas det senaste, för ${period}.`,
    pastNotice: (period: string) => `Det här löftet gällde ${period} och är avslutat.`,
    futureNotice: (period: string) => `Det här löftet börjar gälla ${period}.`,
    archivedNotice: 'Löftet är arkiverat.',
    otherPeriodsHeading: 'Alla löften för kommunen',
    demoNotice:
      'Exempeldata: innehållet är en demonstration, sammanställd ur offentliga källor. Det är inte ett officiellt dokument.',
    summary: (focusAreas: number, activities: number) =>
      `${focusAreas} fokusområden och ${activities} aktiviteter.`,
    downloadJson: 'Hämta löftet som JSON',
    municipalityWord: 'kommun',
  },
  partyKind: {
    municipality: 'Kommun',
    police_area: 'Lokalpolisområde',
    partner: 'Samverkanspart',
  },
  status: {
    planned: 'Planerad',
    in_progress: 'Pågår',
    done: 'Genomförd',
    delayed: 'Försenad',
    cancelled: 'Inställd',
  },
  accessibility: {
    title: 'Tillgänglighetsredogörelse',
    body: [
      'Den här webbplatsen ska gå att använda för alla, enligt lagen (2018:1937) om tillgänglighet till digital offentlig service. Vi följer WCAG 2.1 på nivå AA.',
      'Sidorna fungerar utan JavaScript, går att använda med tangentbord och skärmläsare och går att skriva ut.',
      'Varje sida kontrolleras automatiskt med axe-core i en riktig webbläsare innan en ändring publiceras.',
    ],
    reportHeading: 'Rapportera brister',
    report:
      'Om du upptäcker något som inte fungerar, kontakta kommunens brottsförebyggande samordnare eller kommunpolisen. Du kan också anmäla till Myndigheten för digital förvaltning (Digg).',
  },
  notFound: {
    title: 'Sidan finns inte',
    body: 'Vi kunde inte hitta sidan du letade efter. Den kan ha flyttats, eller så är adressen felstavad.',
    home: 'Till startsidan med alla kommuner',
  },
  serverError: {
    title: 'Något gick fel',
    body: 'Ett tekniskt fel uppstod. Försök igen om en stund.',
    unavailable: 'Tjänsten är tillfälligt otillgänglig. Försök igen om en stund.',
  },
  errors: {
    not_found: 'Det du sökte finns inte.',
    invalid_id: 'Id:t har fel format. Ett id är ett UUID.',
    invalid_parameter: 'En parameter har fel format.',
    validation_failed: 'Uppgifterna är inte giltiga.',
    pledge_in_force_overlap: 'Kommunen har redan ett undertecknat löfte som gäller under en del av perioden.',
    database_unavailable: 'Databasen är inte tillgänglig just nu.',
    internal: 'Ett oväntat fel uppstod.',
  },
  months: [
    'januari', 'februari', 'mars', 'april', 'maj', 'juni',
    'juli', 'augusti', 'september', 'oktober', 'november', 'december',
  ],
};

export type Messages = typeof sv;

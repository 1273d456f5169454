import { readFile } from 'node:fs/promises';
import type { Executor } from '../../db/executor.js';
import { messages } from '../../platform/i18n/index.js';
import { findPartyByMunicipalityCode, findPartyBySlug } from '../pledges/pledge-repo.js';
import { decodeUpload } from './indicator-csv.js';
import { ImportRefusedError, describeIssue, type ImportPlan, type ValueChange } from './indicator-import.js';
import { listIndicatorsOfParty } from './indicator-repo.js';
import { importIndicatorValues, importSummary, type ImportResult } from './indicator-service.js';
import { formatReading } from './indicator-text.js';
import { fetchKolada } from './kolada-fetch.js';

/**
 * `loften indicators …`: the same imports as the admin pages, for the operator's terminal and for
 * scheduled jobs. Returns lines and an exit code instead of printing, so tests can call it too.
 */

export interface IndicatorsArgs {
  sub: string | undefined;
  file: string | undefined;
  municipality?: string;
  party?: string;
  kpi?: string;
  dryRun: boolean;
}

export interface CommandOutput {
  code: number;
  out: string[];
  err: string[];
}

export const INDICATORS_HELP = `Användning: loften indicators import-kolada FIL --municipality KOMMUNKOD [--dry-run]
       loften indicators import-csv FIL --party KORTNAMN [--dry-run]
       loften indicators fetch-kolada --municipality KOMMUNKOD [--kpi N07540,N07403] [--dry-run]

Importerar värden till indikatorer. Allt eller inget: en fil med ett enda fel sparas
inte alls, och varje fel skrivs ut med rad (eller post) och kolumn. Samma fil två
gånger ändrar ingenting; ett ändrat värde rapporteras som en rättelse.

  import-kolada FIL    Svaret från Koladas API (JSON). Filen får bara ha värden för
                       kommunen i --municipality; varje nyckeltal måste finnas som
                       indikator (med Kolada-id) för kommunen.
  import-csv FIL       CSV med kolumnerna indicator, period, value, gender, status
                       (gender och status får utelämnas). indicator är indikatorns kod.
  fetch-kolada         Hämtar från Koladas API och importerar. Avstängt om inte
                       KOLADA_API_URL är satt, t.ex. KOLADA_API_URL=https://api.kolada.se/v2.
                       Utan --kpi hämtas kommunens alla Kolada-indikatorer.

  --municipality KOD   Kommunkoden, fyra siffror, t.ex. 0486
  --party KORTNAMN     Partens kortnamn (som i adressen), t.ex. strangnas
  --dry-run            Visa vad som skulle ändras, utan att spara`;

const sv = messages('sv');

function usage(message: string): CommandOutput {
  return { code: 2, out: [], err: [`${message} Skriv "loften indicators --help".`] };
}

function changeLine(code: string, c: ValueChange, unit: Parameters<typeof formatReading>[1]): string {
  const show = (v: ValueChange['after']) => `${formatReading(v, unit, sv)}${v.status === 'preliminary' ? ' (preliminärt)' : ''}`.replace(/\u00a0/g, ' ');
  return `  ${code} ${c.period}${c.gender === 'T' ? '' : ` (${c.gender})`}: ${c.before ? `${show(c.before)} → ` : ''}${show(c.after)}`;
}

function report(r: ImportResult, source: string): string[] {
  const lines = [`${r.party.name}, ${source}: ${importSummary(r.plan)}.`];
  const each = (pick: (p: ImportPlan['indicators'][number]) => ValueChange[], title: string) => {
    const rows = r.plan.indicators.flatMap((p) => pick(p).map((c) => changeLine(p.indicator.code, c, p.indicator.unit)));
    if (rows.length) lines.push(title, ...rows);
  };
  each((p) => p.corrections, 'Rättelser (tidigare värde → nytt):');
  each((p) => p.statusChanged, 'Ändrad status:');
  if (r.plan.duplicates) lines.push(`${r.plan.duplicates} upprepade rader räknades en gång.`);
  lines.push(r.dryRun ? 'Provkörning: inget sparades.' : r.changed ? 'Sparat.' : 'Inget nytt att spara.');
  return lines;
}

function refused(err: ImportRefusedError): CommandOutput {
  return { code: 1, out: [], err: ['Importen avbröts och inget sparades.', ...err.issues.map(describeIssue)] };
}

export async function indicatorsCommand(db: Executor, args: IndicatorsArgs, env: { koladaApiUrl?: string }, clock: () => Date = () => new Date()): Promise<CommandOutput> {
  const deps = { db, clock };
  const by = { actor: null, label: `loften indicators ${args.sub ?? ''}`.trim() };
  try {
    switch (args.sub) {
      case 'import-kolada':
      case 'fetch-kolada': {
        if (!args.municipality || !/^\d{4}$/.test(args.municipality)) return usage('Ange kommunen med --municipality och fyra siffror, t.ex. --municipality 0486.');
        const party = await findPartyByMunicipalityCode(db, args.municipality);
        if (!party) return { code: 1, out: [], err: [`Det finns ingen kommun med kommunkoden ${args.municipality} i registret.`] };
        let text: string;
        let source: string;
        if (args.sub === 'import-kolada') {
          if (!args.file) return usage('Ange filen: loften indicators import-kolada FIL --municipality 0486.');
          text = decodeUpload(await readFile(args.file));
          source = args.file;
        } else {
          if (args.file) return usage('fetch-kolada läser ingen fil; använd import-kolada för en nedladdad fil.');
          if (!env.koladaApiUrl)
            return { code: 2, out: [], err: ['Hämtning från Kolada är avstängd. Sätt KOLADA_API_URL, t.ex. KOLADA_API_URL=https://api.kolada.se/v2, eller ladda ner svaret och kör loften indicators import-kolada FIL.'] };
          const kpis = args.kpi ? args.kpi.split(',').map((k) => k.trim().toUpperCase()).filter(Boolean) : (await listIndicatorsOfParty(db, party.id)).map((i) => i.koladaKpi).filter((k): k is string => k !== null).sort();
          if (kpis.length === 0) return { code: 1, out: [], err: [`${party.name} har inga indikatorer med Kolada-id. Lägg till dem under Indikatorer först.`] };
          const fetched = await fetchKolada({ baseUrl: env.koladaApiUrl, municipalityCode: args.municipality, kpis });
          text = fetched.text;
          source = fetched.url;
        }
        const r = await importIndicatorValues(deps, by, { partyId: party.id, format: 'kolada', text, fileName: source, dryRun: args.dryRun });
        return { code: 0, out: report(r, source), err: [] };
      }
      case 'import-csv': {
        if (!args.file) return usage('Ange filen: loften indicators import-csv FIL --party strangnas.');
        if (!args.party) return usage('Ange parten med --party och dess kortnamn, t.ex. --party strangnas.');
        const party = await findPartyBySlug(db, args.party);
        if (!party) return { code: 1, out: [], err: [`Det finns ingen part med kortnamnet ${args.party}.`] };
        const text = decodeUpload(await readFile(args.file));
        const r = await importIndicatorValues(deps, by, { partyId: party.id, format: 'csv', text, fileName: args.file, dryRun: args.dryRun });
        return { code: 0, out: report(r, args.file), err: [] };
      }
      default:
        return usage(args.sub ? `Okänt underkommando: ${args.sub}.` : 'Ange vad som ska göras: import-kolada, import-csv eller fetch-kolada.');
    }
  } catch (err) {
    if (err instanceof ImportRefusedError) return refused(err);
    if ((err as { code?: string }).code === 'ENOENT') return { code: 1, out: [], err: [`Filen finns inte: ${args.file}`] };
    throw err;
  }
}

import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Executor } from '../../db/executor.js';
import { AppError } from '../../platform/errors.js';
import { listCorrections, previewCorrections } from './import-repo.js';
import { applyImport, discardImport, readImport, settleInterruptedImports, startImport, type Progress } from './import-service.js';
import { presentWastewater } from './presenter.js';
import { SUBSTANCE_INFO, type SubstanceCode } from './substances.js';
import { findMunicipality, viewQueryFromApi, wastewaterView } from './wastewater-service.js';

/** `loften wastewater import|summary`: the same use-cases as the admin pages and the API. Help text: cli-help.ts. */



export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
  /** Whether progress may overwrite its own line (a terminal). */
  tty: boolean;
}

const n = (v: number) => v.toLocaleString('sv-SE');

function progressPrinter(o: CliOutput) {
  return (p: Progress) => {
    const pct = p.bytesTotal ? ` (${Math.min(100, Math.round((p.bytesRead / p.bytesTotal) * 100))} %)` : '';
    const line = `Läser: ${n(p.rowsRead)} rader${pct}`;
    if (o.tty) process.stderr.write(`\r${line}`);
    else o.err(line);
  };
}

export async function importFromCli(db: Executor, o: CliOutput, v: { file: string; municipality: string; dryRun: boolean; staleAfterMs?: number }): Promise<void> {
  const deps = { db, clock: () => new Date(), staleAfterMs: v.staleAfterMs };
  // An earlier run that was killed left its import running: close it before starting again.
  await settleInterruptedImports(deps);
  const party = await findMunicipality(db, { code: v.municipality }).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'not_found') throw new AppError('not_found', `Ingen kommun med kommunkod ${v.municipality}.`);
    throw err;
  });
  let size: number;
  try {
    size = statSync(v.file).size;
  } catch {
    throw new AppError('not_found', `Filen ${v.file} finns inte eller går inte att läsa.`);
  }
  const id = await startImport(deps, {
    partyId: party.id,
    filename: basename(v.file),
    source: 'cli',
    isDryRun: v.dryRun,
    bytesTotal: size,
    actor: null,
    actorLabel: 'loften wastewater import',
  });
  const read = await readImport(deps, id, createReadStream(v.file, { highWaterMark: 256 * 1024 }), progressPrinter(o));
  if (o.tty) process.stderr.write('\n');
  if (read.status === 'failed') throw new AppError('validation_failed', `${basename(v.file)}: ${read.error_message} Inget sparades.`);

  o.out(`${party.name}: ${n(read.rows_read)} rader lästa från ${basename(v.file)} (provdatum ${read.first_date}–${read.last_date}).`);
  o.out(`  nya mätvärden:        ${n(read.rows_new)}`);
  o.out(`  oförändrade:          ${n(read.rows_unchanged)}`);
  o.out(`  rättelser:            ${n(read.rows_corrected)} mätvärden, ${n(read.samples_corrected)} prov (flöde eller invånare)`);
  o.out(`  nya prov:             ${n(read.samples_new)}`);
  o.out(`  nya mätpunkter:       ${n(read.sites_new)}`);
  const corrections = v.dryRun ? await previewCorrections(db, id, party.id, 20) : [];

  if (v.dryRun) {
    printCorrections(o, corrections, read.rows_corrected + read.samples_corrected);
    await discardImport(deps, id, null, { skipAuthorization: true });
    o.out('Provkörning: inget sparades.');
    return;
  }
  const done = await applyImport(deps, id, null, { actorLabel: 'loften wastewater import', skipAuthorization: true });
  printCorrections(o, await listCorrections(db, id, 20), done.rows_corrected + done.samples_corrected);
  o.out(`Sparat (import ${id}).`);
}

function printCorrections(o: CliOutput, list: Awaited<ReturnType<typeof listCorrections>>, total: number): void {
  if (list.length === 0) return;
  o.out(`Rättelser${total > list.length ? ` (de första ${list.length} av ${n(total)})` : ''}:`);
  for (const c of list) {
    if (c.substance === '') o.out(`  rad ${c.line}: ${c.siteCode} ${c.sampleDate} flöde ${c.oldFlow} → ${c.newFlow} m³/dygn, anslutna ${c.oldPopulation} → ${c.newPopulation}`);
    else {
      const fmt = (x: number | null, below: boolean | null) => (below ? (x === null ? '<LOQ' : `${x} (<LOQ)`) : String(x));
      o.out(`  rad ${c.line}: ${c.siteCode} ${c.sampleDate} ${SUBSTANCE_INFO[c.substance as SubstanceCode]?.name ?? c.substance} ${fmt(c.oldConcentration, c.oldBelowLoq)} → ${fmt(c.newConcentration, c.newBelowLoq)} ng/L`);
    }
  }
}

export async function summaryFromCli(
  db: Executor,
  v: { municipality: string; substance?: string; from?: string; to?: string; measure?: string; belowLoq?: string; amphetamineCorrection?: boolean },
): Promise<string> {
  const party = await findMunicipality(db, { code: v.municipality }).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'not_found') throw new AppError('not_found', `Ingen kommun med kommunkod ${v.municipality}.`);
    throw err;
  });
  const query = viewQueryFromApi({
    substance: v.substance,
    from: v.from,
    to: v.to,
    measure: v.measure,
    belowLoq: v.belowLoq,
    amphetamineCorrection: v.amphetamineCorrection ? 'true' : undefined,
  });
  return `${JSON.stringify(presentWastewater(await wastewaterView(db, party, 'public', query)), null, 2)}\n`;
}

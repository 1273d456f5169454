/**
 * The "PDF" section of `npm run bench`: how long the Strängnäs signed PDF takes to render, in this
 * process (one core: rendering is synchronous JavaScript), against a baseline measured in the same
 * run: pdfkit rendering a one-page document with the same embedded DejaVu Sans, which is about the
 * least any PDF with that font can cost here. App and baseline renders alternate, so a noisy
 * neighbour slows both alike.
 *
 *   BENCH_PDF_RUNS     measured renders of each (default 40)
 *   BENCH_PDF_WARMUP   unmeasured renders of each first (default 5)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';
import { connect } from '../src/db/connect.js';
import { findSignedVersionForPdf, renderSignedPdf } from '../src/features/publishing/pdf/signed-pdf.js';

export const PDF_TARGET_MS = 300;

export interface PdfTimings {
  median: number;
  p95: number;
  min: number;
  max: number;
}

export interface PdfBenchResult {
  runs: number;
  warmup: number;
  bytes: number;
  pages: number;
  app: PdfTimings;
  baseline: PdfTimings & { bytes: number };
  /** app median / baseline median */
  ratio: number;
  targetMs: number;
  pass: boolean;
}

function timings(ms: number[]): PdfTimings {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  const mid = s.length / 2;
  const median = s.length % 2 ? s[Math.floor(mid)]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, p95: at(0.95), min: s[0]!, max: s[s.length - 1]! };
}

const fontDir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const regular = readFileSync(join(fontDir, 'DejaVuSans.ttf'));
const bold = readFileSync(join(fontDir, 'DejaVuSans-Bold.ttf'));

/** The baseline: stock pdfkit, one A4 page, a heading and a paragraph in embedded DejaVu Sans. */
function baselinePdf(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 56, pdfVersion: '1.7', font: null as unknown as string });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.registerFont('bold', bold).registerFont('regular', regular);
    doc.font('bold').fontSize(20).text('Strängnäs kommun och Lokalpolisområde Strängnäs');
    doc.font('regular').fontSize(10).text('Medborgarlöfte för Strängnäs kommun 2022–2023. Polisen och kommunen möter invånarna i kommundelarna för att höra vad som skapar otrygghet.');
    doc.end();
  });
}

async function time(fn: () => Promise<Buffer>): Promise<{ ms: number; bytes: number }> {
  const start = performance.now();
  const buf = await fn();
  return { ms: performance.now() - start, bytes: buf.length };
}

export async function benchPdf(dbUrl: string, opts: { runs?: number; warmup?: number; log?: (line: string) => void } = {}): Promise<PdfBenchResult> {
  const runs = opts.runs ?? 40;
  const warmup = opts.warmup ?? 5;
  const log = opts.log ?? (() => {});
  const database = await connect(dbUrl);
  let version;
  try {
    version = await findSignedVersionForPdf(database.db, { slug: 'strangnas', period: '2022-2023' }, '2026-01-01');
  } finally {
    await database.close();
  }
  const base = 'https://medborgarloften.example.se';
  const render = () => renderSignedPdf(version, base);

  const sample = await render();
  const pages = (sample.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
  const baselineBytes = (await baselinePdf()).length;
  for (let i = 0; i < warmup; i++) {
    await render();
    await baselinePdf();
  }
  const app: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < runs; i++) {
    app.push((await time(render)).ms);
    baseline.push((await time(baselinePdf)).ms);
    if ((i + 1) % 10 === 0) log(`  pdf ${i + 1}/${runs}: app median so far ${timings(app).median.toFixed(1)} ms, baseline ${timings(baseline).median.toFixed(1)} ms`);
  }
  const a = timings(app);
  const b = timings(baseline);
  return {
    runs,
    warmup,
    bytes: sample.length,
    pages,
    app: a,
    baseline: { ...b, bytes: baselineBytes },
    ratio: b.median > 0 ? a.median / b.median : 0,
    targetMs: PDF_TARGET_MS,
    pass: a.median < PDF_TARGET_MS,
  };
}

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';

/**
 * The building blocks of the app's accessible PDFs (the signed pledge, follow-up reports): A4,
 * tagged (PDF/UA-minded, see docs/decisions/signed-pdf.md), DejaVu Sans embedded, a structure
 * tree with headings, paragraphs, lists, tables whose header repeats as a pagination artifact,
 * links whose annotation belongs to their Link element, and running headers and footers as
 * artifacts. A document writer extends TaggedPdf and adds its own content.
 */

// ---------------------------------------------------------------------------------------------
// Fonts: DejaVu Sans (TTF, not woff2, which crashes fontkit's subsetter), read and parsed once per process.

type FontName = 'regular' | 'bold';

interface ParsedFonts {
  files: Record<FontName, Buffer>;
  /**
   * fontkit's parsed fonts and pdfkit's EmbeddedFont class, shared by every document. Parsing a
   * TTF's tables (cmap, GSUB, GPOS, …) is most of the work pdfkit would otherwise repeat for each
   * PDF: sharing cut the Strängnäs PDF from about 75 to 35 ms. Each document still gets its own
   * EmbeddedFont, and so its own subset; fontkit only caches decoded tables and glyphs.
   */
  shared: { EmbeddedFont: new (doc: Doc, font: unknown, id: string) => unknown; parsed: Record<FontName, unknown> } | null;
}

let fonts: ParsedFonts | null = null;

function loadFonts(): ParsedFonts {
  if (fonts) return fonts;
  const dir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  const files = { regular: readFileSync(join(dir, 'DejaVuSans.ttf')), bold: readFileSync(join(dir, 'DejaVuSans-Bold.ttf')) };
  let shared: ParsedFonts['shared'] = null;
  try {
    const probe = new PDFDocument({ autoFirstPage: false, font: null as unknown as string });
    const internals = probe as unknown as { _font: { constructor: unknown; font: unknown } };
    const parsed = {} as Record<FontName, unknown>;
    for (const name of ['regular', 'bold'] as const) {
      probe.registerFont(name, files[name]).font(name);
      parsed[name] = internals._font.font;
    }
    shared = { EmbeddedFont: internals._font.constructor as NonNullable<ParsedFonts['shared']>['EmbeddedFont'], parsed };
  } catch {
    shared = null; // pdfkit's internals moved: every document parses the fonts itself, slower but the same
  }
  fonts = { files, shared };
  return fonts;
}

/** Registers both fonts on a new document, handing it the shared parsed fonts where possible. */
function useFonts(doc: Doc): void {
  const { files, shared } = loadFonts();
  const internals = doc as unknown as { _fontFamilies: Record<string, unknown>; _fontCount: number };
  // Bold first: the heading is the first text, so these are the ids pdfkit would give them itself.
  for (const name of ['bold', 'regular'] as const) {
    doc.registerFont(name, files[name]);
    if (shared) internals._fontFamilies[name] = new shared.EmbeddedFont(doc, shared.parsed[name], `F${++internals._fontCount}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Page and type

export const PAGE = { width: 595.28, height: 841.89 }; // A4
export const MARGIN = { top: 72, bottom: 68, left: 56, right: 56 };
export const LEFT = MARGIN.left;
export const WIDTH = PAGE.width - MARGIN.left - MARGIN.right;

export const COLOR = {
  text: '#1a1a1a',
  muted: '#4d4d4d', // 8.5:1 on white
  accent: '#0f3057', // headings and links, 13:1 on white
  rule: '#9aa7b5',
  headerFill: '#e4eaf1',
  zebra: '#f4f6f9',
  demoFill: '#fff3cd',
  demoBorder: '#b58900',
  demoText: '#5c4400',
};

export interface Style {
  font: 'regular' | 'bold';
  size: number;
  color: string;
  lineGap: number;
  /** Space after the block. */
  after: number;
}

export const STYLE = {
  h1: { font: 'bold', size: 20, color: COLOR.accent, lineGap: 2, after: 6 },
  subtitle: { font: 'regular', size: 13, color: COLOR.text, lineGap: 2, after: 8 },
  h2: { font: 'bold', size: 15, color: COLOR.accent, lineGap: 2, after: 6 },
  h3: { font: 'bold', size: 11.5, color: COLOR.text, lineGap: 1.5, after: 5 },
  body: { font: 'regular', size: 10, color: COLOR.text, lineGap: 2.5, after: 7 },
  meta: { font: 'regular', size: 9.5, color: COLOR.muted, lineGap: 2, after: 4 },
  cell: { font: 'regular', size: 8.5, color: COLOR.text, lineGap: 1.5, after: 0 },
  th: { font: 'bold', size: 8.5, color: COLOR.text, lineGap: 1.5, after: 0 },
  hash: { font: 'bold', size: 9.5, color: COLOR.text, lineGap: 2, after: 8 },
  running: { font: 'regular', size: 7.5, color: COLOR.muted, lineGap: 0, after: 0 },
} satisfies Record<string, Style>;

export const CELL_PAD = { x: 5, y: 4 };

export type Struct = PDFKit.PDFStructureElement;
export type Doc = PDFKit.PDFDocument;

/** pdfkit's own object behind a structure element; @types/pdfkit leaves it out. */
interface StructDictionary {
  data: Record<string, unknown> & { K: unknown[] };
  end(...args: unknown[]): void;
}
export const dictionaryOf = (el: Struct) => (el as unknown as { dictionary: StructDictionary }).dictionary;

export interface Column {
  header: string;
  width: number;
}

/** A swedish list of names: "A", "A och B", "A, B och C". */
export function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} och ${names.at(-1)}`;
}

/** Paragraphs of stored free text: blank lines or single line breaks both start a new one. */
export function paragraphs(text: string): string[] {
  return text
    .split(/\n+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

// XMP metadata is interpolated unescaped by pdfkit 0.17; a title with "&" or "<" would break it.
const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function escapeXmpInfo(doc: Doc): void {
  const target = doc as unknown as { _addInfo(): void; info: Record<string, unknown> };
  const original = target._addInfo.bind(target);
  target._addInfo = () => {
    const saved = target.info;
    target.info = Object.fromEntries(Object.entries(saved).map(([k, v]) => [k, typeof v === 'string' ? xmlEscape(v) : v]));
    try {
      original();
    } finally {
      target.info = saved;
    }
  };
}

export interface TaggedPdfInfo {
  title: string;
  author: string;
  subject: string;
  keywords: string;
  creator: string;
  /** CreationDate and ModDate: a fixed moment of the content, never the clock, so the same content renders to the same bytes. */
  date: Date;
}

export interface PageFurniture {
  header: string;
  /** Printed at the right of the header on every page of example data; null otherwise. */
  demoLabel: string | null;
  footer: string;
  pageLabel: (page: number, pages: number) => string;
}

export class TaggedPdf {
  readonly doc: Doc;
  readonly root: Struct;

  constructor(info: TaggedPdfInfo) {
    this.doc = new PDFDocument({
      size: 'A4',
      margins: MARGIN,
      pdfVersion: '1.7',
      tagged: true,
      lang: 'sv-SE',
      displayTitle: true,
      bufferPages: true,
      autoFirstPage: false,
      // No default Helvetica: every glyph comes from the embedded DejaVu Sans.
      font: null as unknown as string,
      info: {
        Title: info.title,
        Author: info.author,
        Subject: info.subject,
        Keywords: info.keywords,
        Creator: info.creator,
        Producer: info.creator,
        CreationDate: info.date,
        ModDate: info.date,
      },
    });
    escapeXmpInfo(this.doc);
    useFonts(this.doc);
    this.doc.addPage();
    this.root = this.doc.struct('Document');
    this.doc.addStructure(this.root);
  }

  get maxY(): number {
    return PAGE.height - MARGIN.bottom;
  }

  /** Starts a new page unless `height` points still fit on this one. Only between blocks, never inside marked content. */
  ensure(height: number): void {
    if (this.doc.y + height > this.maxY) this.doc.addPage();
  }

  use(style: Style): Doc {
    return this.doc.font(style.font).fontSize(style.size).fillColor(style.color);
  }

  textOptions(style: Style, width = WIDTH): PDFKit.Mixins.TextOptions {
    return { width, lineGap: style.lineGap, align: 'left' };
  }

  height(text: string, style: Style, width = WIDTH): number {
    this.use(style);
    return this.doc.heightOfString(text, this.textOptions(style, width));
  }

  lineHeight(style: Style): number {
    this.use(style);
    return this.doc.currentLineHeight(true) + style.lineGap;
  }

  /** Decoration that a screen reader must skip: rules, fills, borders. */
  artifact(draw: () => void, type: 'Layout' | 'Pagination' = 'Layout', attached?: string[]): void {
    this.doc.markContent('Artifact', { type, ...(attached ? { attached } : {}) });
    this.doc.save();
    draw();
    this.doc.restore();
    this.doc.endMarkedContent();
  }

  /** One block of text as one structure element (P, H1, …); pdfkit carries it over page breaks. */
  block(parent: Struct, type: string, text: string, style: Style, opts: { keepWithNext?: number; x?: number; width?: number } = {}): void {
    const width = opts.width ?? WIDTH;
    const x = opts.x ?? LEFT;
    // Never a heading alone at the foot of a page, nor a paragraph's first line alone.
    const first = Math.min(this.height(text, style, width), 2 * this.lineHeight(style));
    this.ensure(first + (opts.keepWithNext ?? 0));
    parent.add(
      this.doc.struct(type, {}, [
        () => {
          this.use(style).text(text, x, this.doc.y, this.textOptions(style, width));
        },
      ]),
    );
    this.doc.x = LEFT;
    this.doc.y += style.after;
  }

  heading(parent: Struct, level: 1 | 2 | 3, text: string, bookmark = level <= 2): void {
    const style = level === 1 ? STYLE.h1 : level === 2 ? STYLE.h2 : STYLE.h3;
    // Space above, unless the heading opens a page.
    if (this.doc.y > MARGIN.top + 1) this.doc.y += level === 2 ? 8 : 4;
    this.block(parent, `H${level}`, text, style, { keepWithNext: level === 3 ? 70 : 60 });
    if (bookmark) this.doc.outline.addItem(text);
  }

  rule(): void {
    const y = this.doc.y;
    this.artifact(() => this.doc.moveTo(LEFT, y).lineTo(LEFT + WIDTH, y).lineWidth(0.75).strokeColor(COLOR.rule).stroke());
    this.doc.y += 10;
  }

  list(parent: Struct, items: string[], style: Style = STYLE.body): void {
    const l = this.doc.struct('L');
    parent.add(l);
    const indent = 14;
    for (const item of items) {
      this.ensure(this.height(item, style, WIDTH - indent));
      const y = this.doc.y;
      const li = this.doc.struct('LI');
      l.add(li);
      li.add(this.doc.struct('Lbl', {}, [() => void this.use(style).text('•', LEFT + 2, y, { lineBreak: false })]));
      li.add(this.doc.struct('LBody', {}, [() => void this.use(style).text(item, LEFT + indent, y, this.textOptions(style, WIDTH - indent))]));
      li.end();
      this.doc.x = LEFT;
      this.doc.y += 2;
    }
    l.end();
    this.doc.y += style.after;
  }

  /**
   * The longest start of `text` that fits in `maxHeight`, cut at a space where there is one, and
   * the rest. Only for rows taller than a page, which must continue on the next one.
   */
  splitToFit(text: string, style: Style, width: number, maxHeight: number): [string, string] {
    if (this.height(text, style, width) <= maxHeight) return [text, ''];
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.height(text.slice(0, mid), style, width) <= maxHeight) lo = mid;
      else hi = mid - 1;
    }
    let cut = lo;
    const space = text.lastIndexOf(' ', cut);
    if (space > 0 && text[cut] !== ' ') cut = space;
    return [text.slice(0, cut).trimEnd(), text.slice(cut).trimStart()];
  }

  /**
   * A table that breaks between rows and repeats its header row on every page it continues on.
   * The repeated header is a pagination artifact, so the header is read once, from THead. A row
   * goes whole to the next page when it does not fit; only a row taller than a page is split,
   * its cells continuing in the same TR and TD elements on the next page.
   */
  table(parent: Struct, title: string, columns: Column[], rows: string[][]): void {
    const widths = columns.map((c) => c.width);
    const xs = widths.map((_, i) => LEFT + widths.slice(0, i).reduce((a, b) => a + b, 0));
    const textWidth = (i: number) => widths[i]! - 2 * CELL_PAD.x;
    const rowHeight = (cells: string[], style: Style) => Math.max(...cells.map((c, i) => this.height(c, style, textWidth(i)))) + 2 * CELL_PAD.y;
    const headerCells = columns.map((c) => c.header);
    const headerHeight = rowHeight(headerCells, STYLE.th);

    const table = this.doc.struct('Table', { title });
    parent.add(table);

    /** One row (or the part of one on this page); `cell` wraps each cell's drawing in its structure element. */
    const drawRow = (cells: string[], style: Style, height: number, fill: string | null, cell: ((i: number, draw: () => void) => void) | null) => {
      const y = this.doc.y;
      const decorate = () => {
        this.doc.save();
        if (fill) this.doc.rect(LEFT, y, WIDTH, height).fill(fill);
        this.doc.moveTo(LEFT, y + height).lineTo(LEFT + WIDTH, y + height).lineWidth(0.5).strokeColor(COLOR.rule).stroke();
        this.doc.restore();
      };
      // Inside the repeated header (cell === null) everything is one artifact already; nesting would close it.
      if (cell) this.artifact(decorate);
      else decorate();
      cells.forEach((text, i) => {
        if (!text) return;
        const draw = () => void this.use(style).text(text, xs[i]! + CELL_PAD.x, y + CELL_PAD.y, this.textOptions(style, textWidth(i)));
        if (cell) cell(i, draw);
        else draw();
      });
      this.doc.x = LEFT;
      this.doc.y = y + height;
    };

    const continueOnNextPage = () => {
      this.doc.addPage();
      this.doc.markContent('Artifact', { type: 'Pagination' });
      drawRow(headerCells, STYLE.th, headerHeight, COLOR.headerFill, null);
      this.doc.endMarkedContent();
    };

    const fullPage = this.maxY - MARGIN.top - headerHeight - 2;
    const minimum = 3 * this.lineHeight(STYLE.cell) + 2 * CELL_PAD.y;
    // The header row and the first body row (or, if taller than a page, its first lines) go together.
    const firstHeight = rows[0] ? rowHeight(rows[0], STYLE.cell) : 0;
    this.ensure(headerHeight + (firstHeight <= fullPage ? firstHeight : minimum) + 2);
    const thead = this.doc.struct('THead');
    table.add(thead);
    const headerRow = this.doc.struct('TR');
    thead.add(headerRow);
    drawRow(headerCells, STYLE.th, headerHeight, COLOR.headerFill, (_i, draw) => {
      const th = this.doc.struct('TH');
      dictionaryOf(th).data.A = { O: 'Table', Scope: 'Column' };
      headerRow.add(th);
      th.add(draw);
      th.end();
    });
    headerRow.end();
    thead.end();

    const tbody = this.doc.struct('TBody');
    table.add(tbody);
    rows.forEach((cells, r) => {
      const fill = r % 2 === 1 ? COLOR.zebra : null;
      const tr = this.doc.struct('TR');
      tbody.add(tr);
      const tds = cells.map(() => {
        const td = this.doc.struct('TD');
        tr.add(td);
        return td;
      });
      const intoCell = (i: number, draw: () => void) => void tds[i]!.add(draw);
      let rest = cells;
      for (;;) {
        const height = rowHeight(rest, STYLE.cell);
        const room = this.maxY - this.doc.y - 2;
        if (height <= room) {
          drawRow(rest, STYLE.cell, height, fill, intoCell);
          break;
        }
        if (room < minimum || (rest === cells && height <= fullPage)) {
          continueOnNextPage();
          continue;
        }
        const parts = rest.map((text, i) => this.splitToFit(text, STYLE.cell, textWidth(i), room - 2 * CELL_PAD.y));
        drawRow(parts.map(([head]) => head), STYLE.cell, room, fill, intoCell);
        rest = parts.map(([, tail]) => tail);
        continueOnNextPage();
      }
      for (const td of tds) td.end();
      tr.end();
    });
    tbody.end();
    table.end();
    this.doc.y += 10;
  }

  /** A paragraph that is a link: the Link element holds both the text and the annotation (PDF/UA 7.18.5). */
  link(parent: Struct, url: string, contents: string, style: Style = STYLE.body): void {
    this.ensure(this.height(url, style));
    const p = this.doc.struct('P');
    parent.add(p);
    const link = this.doc.struct('Link');
    p.add(link);
    const x = LEFT;
    const y = this.doc.y;
    const page = this.doc.page;
    link.add(() => void this.use({ ...style, color: COLOR.accent }).text(url, x, y, { ...this.textOptions(style), underline: true }));
    const height = this.doc.y - y;
    const width = Math.min(WIDTH, this.doc.widthOfString(url));
    // The annotation belongs to the Link element through the parent tree and an object reference.
    const key = this.doc.createStructParentTreeNextKey();
    const tree = (this.doc.getStructTreeRoot().data as unknown as { ParentTree: { add(k: number, v: unknown): void } }).ParentTree;
    tree.add(key, dictionaryOf(link));
    this.doc.link(x, y, width, height, url, { StructParent: key, Contents: new String(contents) } as Record<string, unknown>);
    const annotations = (page as unknown as { annotations: PDFKit.PDFKitReference[] }).annotations;
    const annotation = annotations[annotations.length - 1]!;
    const dictionary = dictionaryOf(link);
    const end = dictionary.end.bind(dictionary);
    dictionary.end = (...a: unknown[]) => {
      dictionary.data.K.push({ Type: 'OBJR', Obj: annotation, Pg: page.dictionary });
      end(...a);
    };
    link.end();
    p.end();
    this.doc.x = LEFT;
    this.doc.y += style.after;
  }

  /** The example-data notice: a framed paragraph at the top of the first page. */
  demoNotice(text: string): void {
    const style: Style = { ...STYLE.body, color: COLOR.demoText, font: 'bold', size: 9.5 };
    const pad = 8;
    const height = this.height(text, style, WIDTH - 2 * pad) + 2 * pad;
    const y = this.doc.y;
    this.artifact(() => this.doc.rect(LEFT, y, WIDTH, height).lineWidth(1).fillAndStroke(COLOR.demoFill, COLOR.demoBorder));
    this.doc.y = y + pad;
    this.block(this.root, 'P', text, style, { x: LEFT + pad, width: WIDTH - 2 * pad });
    this.doc.y = y + height + 14;
  }

  /** Added last, when the page count is known; pagination artifacts, so a screen reader skips them. */
  pageFurniture(o: PageFurniture): void {
    const { start, count } = this.doc.bufferedPageRange();
    const header = o.header;
    for (let i = start; i < start + count; i++) {
      this.doc.switchToPage(i);
      const margins = this.doc.page.margins;
      const bottom = margins.bottom;
      // Text below the bottom margin would otherwise start a new page.
      margins.bottom = 0;
      this.artifact(
        () => {
          const y = 32;
          if (o.demoLabel) {
            this.use({ ...STYLE.running, font: 'bold', color: COLOR.demoText }).text(o.demoLabel, LEFT, y, { width: WIDTH, align: 'right', lineBreak: false });
          }
          this.use(STYLE.running).text(header, LEFT, y, { width: o.demoLabel ? WIDTH * 0.6 : WIDTH, height: 10, ellipsis: true, lineBreak: false });
          this.doc.moveTo(LEFT, y + 13).lineTo(LEFT + WIDTH, y + 13).lineWidth(0.5).strokeColor(COLOR.rule).stroke();
        },
        'Pagination',
        ['Top'],
      );
      this.artifact(
        () => {
          const y = PAGE.height - 44;
          this.doc.moveTo(LEFT, y - 6).lineTo(LEFT + WIDTH, y - 6).lineWidth(0.5).strokeColor(COLOR.rule).stroke();
          this.use(STYLE.running).text(o.footer, LEFT, y, { width: WIDTH, lineBreak: false });
          this.use(STYLE.running).text(o.pageLabel(i - start + 1, count), LEFT, y, { width: WIDTH, align: 'right', lineBreak: false });
        },
        'Pagination',
        ['Bottom'],
      );
      margins.bottom = bottom;
    }
  }

  finish(): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      this.doc.on('data', (c: Buffer) => chunks.push(c));
      this.doc.on('end', () => resolve(Buffer.concat(chunks)));
      this.doc.on('error', reject);
      this.root.end();
      this.doc.end();
    });
  }
}

import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** Reading PDFs back through pdf.js, as a reader and a screen reader would: shared by the PDF suites. */

export interface ReadPdf {
  /** Each page's visible text, running heads and page numbers included. */
  pages: string[];
  /** All pages' visible text with whitespace collapsed, so wrapped lines read as one. */
  flat: string;
  /** Only the tagged content, in order, without artifacts: what a screen reader reads. */
  content: string;
  marked: boolean;
  info: Record<string, unknown>;
  /** dc:title from the XMP metadata stream. */
  xmpTitle: unknown;
  roles: Set<string>;
  links: { url: string; contents: string }[];
  raw: string;
}

/** Wrapped lines joined; a line ending in a hyphen ("A-" + "traktorer") joined without a space. */
export const collapse = (s: string) => s.replace(/-[ \t]*\n\s*/g, '-').replace(/\s+/g, ' ').trim();

type TextItem = { str?: string; hasEOL?: boolean; type?: string; tag?: string };

/** What a reader (and a screen reader) gets out of the PDF, through pdf.js. */
export async function readPdf(bytes: Buffer): Promise<ReadPdf> {
  const pdf = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, useSystemFonts: false }).promise;
  try {
    const pages: string[] = [];
    let content = '';
    const roles = new Set<string>();
    const links: ReadPdf['links'] = [];
    const walk = (node: { role?: string; children?: unknown[] } | null) => {
      if (!node) return;
      if (node.role) roles.add(node.role);
      for (const c of node.children ?? []) walk(c as { role?: string; children?: unknown[] });
    };
    for (let i = 1; i <= pdf.numPages; i++) {
      const page = await pdf.getPage(i);
      const items = (await page.getTextContent({ includeMarkedContent: true })).items as TextItem[];
      let visible = '';
      const open: string[] = [];
      for (const it of items) {
        if (it.type === 'beginMarkedContent' || it.type === 'beginMarkedContentProps') open.push(it.tag ?? '');
        else if (it.type === 'endMarkedContent') open.pop();
        else if (it.str !== undefined) {
          const text = it.str + (it.hasEOL ? '\n' : ' ');
          visible += text;
          if (!open.includes('Artifact')) content += text;
        }
      }
      pages.push(visible);
      walk((await page.getStructTree()) as never);
      for (const a of await page.getAnnotations()) if (a.subtype === 'Link') links.push({ url: a.url, contents: a.contentsObj?.str ?? '' });
    }
    const marked = Boolean((await pdf.getMarkInfo())?.Marked);
    const { info, metadata } = await pdf.getMetadata();
    const xmpTitle = metadata?.get('dc:title');
    return { pages, flat: collapse(pages.join(' ')), content: collapse(content), marked, info: info as Record<string, unknown>, xmpTitle, roles, links, raw: bytes.toString('latin1') };
  } finally {
    await pdf.destroy();
  }
}

/** Every word of `needle`, in order, somewhere in `haystack` (other text may come between). */
export function wordsInOrder(haystack: string, needle: string): boolean {
  const words = haystack.split(' ');
  let at = 0;
  for (const w of collapse(needle).split(' ')) {
    at = words.indexOf(w, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}

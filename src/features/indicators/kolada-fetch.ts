import { ImportRefusedError } from './indicator-import.js';

/**
 * Reads values from Kolada's public API (v2: /data/kpi/{ids}/municipality/{code}), following
 * `next_page`, and hands back one answer in the shape the Kolada import reads. Only used when an
 * operator set KOLADA_API_URL; nothing in the app reaches the internet otherwise.
 */

export interface KoladaFetchOptions {
  baseUrl: string;
  municipalityCode: string;
  kpis: readonly string[];
  /** Injected so tests can count requests; defaults to the global fetch. */
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** Kolada answers at most 5 000 values a page; a municipality's few KPIs never need this many pages. */
const MAX_PAGES = 20;

export async function fetchKolada(opts: KoladaFetchOptions): Promise<{ text: string; url: string; pages: number }> {
  const get = opts.fetch ?? fetch;
  const base = opts.baseUrl.replace(/\/+$/, '');
  const first = `${base}/data/kpi/${opts.kpis.map(encodeURIComponent).join(',')}/municipality/${encodeURIComponent(opts.municipalityCode)}`;
  const origin = new URL(base).origin;
  const values: unknown[] = [];
  let url: string | null = first;
  let pages = 0;
  while (url) {
    if (++pages > MAX_PAGES) throw new ImportRefusedError([{ ref: 'Kolada', column: null, message: `Svaret fortsatte över ${MAX_PAGES} sidor; avbröt.` }]);
    let res: Response;
    try {
      res = await get(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) });
    } catch (err) {
      throw new ImportRefusedError([{ ref: 'Kolada', column: null, message: `Kunde inte nå ${url}: ${(err as Error).message}` }]);
    }
    if (!res.ok) throw new ImportRefusedError([{ ref: 'Kolada', column: null, message: `${url} svarade ${res.status} ${res.statusText}.` }]);
    let page: { values?: unknown; next_page?: unknown };
    try {
      page = (await res.json()) as typeof page;
    } catch {
      throw new ImportRefusedError([{ ref: 'Kolada', column: null, message: `${url} svarade inte med JSON.` }]);
    }
    if (!Array.isArray(page.values)) throw new ImportRefusedError([{ ref: 'Kolada', column: null, message: `${url} svarade utan listan "values".` }]);
    values.push(...page.values);
    const next = typeof page.next_page === 'string' && page.next_page !== '' ? page.next_page : null;
    // Follow pages on the same server only: the answer decides the next address.
    url = next && new URL(next, base).origin === origin ? new URL(next, base).toString() : null;
  }
  return { text: JSON.stringify({ count: values.length, values }), url: first, pages };
}

import { createHash } from 'node:crypto';
import type { Executor } from '../../../db/executor.js';
import { AppError } from '../../../platform/errors.js';
import type { PledgeDocument } from '../../pledges/pledge.js';
import { municipalityPeriod } from '../../pledges/pledge-service.js';
import { loadPublishedVersion } from '../../signing/published.js';

/**
 * Which signed version a PDF address means, and the PDF itself: shared by the HTTP routes and
 * `loften export pdf`. Reads only through the public accessors, so a draft, a version awaiting
 * signatures or a withdrawn one has no PDF: it is "not found", like any other unknown address.
 */

/** Bump whenever a change to pledge-pdf.ts changes the bytes of a PDF: it is part of the ETag. */
export const PDF_LAYOUT_REVISION = 1;

export interface SignedPdfRef {
  slug: string;
  period: string;
  /** A specific signed version (current or superseded); without it, the current signed version. */
  version?: number;
}

export interface SignedVersionForPdf {
  document: PledgeDocument & { signing: NonNullable<PledgeDocument['signing']> };
  versionId: string;
  number: number;
  contentHash: string;
  /** Whether this is the version in force for its pledge, rather than one replaced by an amendment. */
  current: boolean;
  filename: string;
}

export function pdfFilename(slug: string, period: string, version: number): string {
  return `medborgarlofte-${slug}-${period}-v${version}.pdf`;
}

/** `date` (YYYY-MM-DD) only feeds the public view's "in force" label, which the PDF does not show. */
export async function findSignedVersionForPdf(db: Executor, ref: SignedPdfRef, date: string): Promise<SignedVersionForPdf> {
  const view = await municipalityPeriod(db, ref.slug, ref.period, date);
  let document = view.pledge;
  let current = true;
  if (ref.version !== undefined && ref.version !== document.signing?.versionNumber) {
    const found = await loadPublishedVersion(db, view.pledge.id, ref.version);
    if (!found) throw new AppError('not_found', `Det finns ingen undertecknad version ${ref.version} av löftet.`);
    document = found.document;
    current = found.version.state === 'signed';
  }
  const signing = document.signing;
  if (!signing) throw new AppError('not_found', 'Löftet har ingen undertecknad version.');
  return {
    document: { ...document, signing },
    versionId: signing.versionId,
    number: signing.versionNumber,
    contentHash: signing.contentHash,
    current,
    filename: pdfFilename(ref.slug, ref.period, signing.versionNumber),
  };
}

/**
 * A strong validator: the bytes are a function of the signed content (its hash), the layout
 * revision and the verification address printed in it, and of nothing else.
 */
export function pdfEtag(contentHash: string, publicBaseUrl: string): string {
  const render = createHash('sha256').update(`${PDF_LAYOUT_REVISION}\n${publicBaseUrl}`).digest('hex').slice(0, 8);
  return `"${contentHash}.${render}"`;
}

/**
 * pdfkit and fontkit are loaded on the first rendering, not when the app or the CLI starts: they
 * cost about half a second, which every `loften` command would otherwise pay.
 */
export async function renderSignedPdf(v: SignedVersionForPdf, publicBaseUrl: string): Promise<Buffer> {
  const { renderPledgePdf } = await import('./pledge-pdf.js');
  return renderPledgePdf(v.document, { publicBaseUrl });
}

/**
 * Rendered PDFs by version and base URL. A signed version never changes, so nothing is ever
 * invalidated, only evicted (least recently used, by count and bytes). Concurrent requests for
 * the same PDF share one rendering: it costs a few hundred milliseconds of CPU.
 */
export class RenderedPdfCache {
  readonly #entries = new Map<string, Buffer>();
  readonly #pending = new Map<string, Promise<Buffer>>();
  #bytes = 0;

  constructor(readonly limits: { maxEntries: number; maxBytes: number } = { maxEntries: 64, maxBytes: 16 * 1024 * 1024 }) {}

  get size(): number {
    return this.#entries.size;
  }

  async get(key: string, render: () => Promise<Buffer>): Promise<Buffer> {
    const hit = this.#entries.get(key);
    if (hit) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = render().finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
      pending.then((buf) => this.#store(key, buf), () => {});
    }
    return pending;
  }

  #store(key: string, buf: Buffer): void {
    if (buf.length > this.limits.maxBytes || this.#entries.has(key)) return;
    this.#entries.set(key, buf);
    this.#bytes += buf.length;
    while (this.#entries.size > this.limits.maxEntries || this.#bytes > this.limits.maxBytes) {
      const [oldest, b] = this.#entries.entries().next().value as [string, Buffer];
      this.#entries.delete(oldest);
      this.#bytes -= b.length;
    }
  }
}

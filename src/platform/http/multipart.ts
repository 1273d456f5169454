import multipart, { type MultipartFile, type Multipart } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

/**
 * File uploads (multipart/form-data) without buffering the file and without weakening CSRF.
 *
 * The CSRF check reads `_csrf` from the parsed body, but a multipart body is a stream that
 * nothing has parsed by then. `readMultipartFields` runs just before the CSRF check on every
 * form POST (see auth.ts): it reads the form's plain fields up to the first file into
 * `req.body`, and stops there. So the token is checked before a single byte of the file is
 * read, and the route then streams the file itself with `takeUpload`. Forms must therefore put
 * `<Csrf>` (and any other fields the route needs first) before the file input, which is where
 * the form components put it anyway.
 *
 * Routes opt in with `config: { upload: { maxBytes } }`; every other route refuses multipart.
 */

declare module 'fastify' {
  interface FastifyContextConfig {
    upload?: { maxBytes: number };
  }
}

interface PendingUpload {
  file: MultipartFile | null;
  parts: AsyncIterableIterator<Multipart>;
  taken: boolean;
}

const pending = new WeakMap<FastifyRequest, PendingUpload>();

export async function registerMultipart(app: FastifyInstance): Promise<void> {
  await app.register(multipart, {
    throwFileSizeLimit: true,
    limits: { fields: 50, fieldSize: 64 * 1024, files: 1, parts: 60, fileSize: 10 * 1024 * 1024, headerPairs: 100 },
  });
  // A route that refused the request (bad CSRF token, no permission) never read the file: drain
  // it, so the client's upload completes and the connection can be reused. Only upload routes get
  // the hook: every other response would pay for it.
  const drain = async (req: FastifyRequest) => {
    const p = pending.get(req);
    if (p?.file && !p.taken) p.file.file.resume();
  };
  app.addHook('onRoute', (route) => {
    if (!(route.config as { upload?: unknown } | undefined)?.upload) return;
    const existing = route.onSend ? (Array.isArray(route.onSend) ? route.onSend : [route.onSend]) : [];
    route.onSend = [...existing, drain];
  });
}

/** preHandler: a multipart form's fields up to its first file, as `req.body`. */
export async function readMultipartFields(req: FastifyRequest): Promise<void> {
  if (!req.isMultipart()) return;
  const upload = req.routeOptions.config.upload;
  if (!upload) throw new AppError('invalid_parameter', 'Här kan inga filer laddas upp.');
  const parts = req.parts({ limits: { fileSize: upload.maxBytes } });
  const fields: Record<string, string> = {};
  let file: MultipartFile | null = null;
  // next() by hand: leaving a for-await loop early would end the whole multipart stream.
  for (;;) {
    const r = await parts.next();
    if (r.done) break;
    if (r.value.type === 'file') {
      file = r.value;
      break;
    }
    fields[r.value.fieldname] = String(r.value.value ?? '');
  }
  req.body = fields;
  pending.set(req, { file, parts, taken: false });
}

export interface Upload {
  /** The fields before the file, the same object as req.body. */
  fields: Record<string, string>;
  /** The file part, or null when the form had no file or the user chose none. */
  file: { fieldname: string; filename: string; mimetype: string; stream: AsyncIterable<Buffer> } | null;
  /**
   * Call once the file stream has been read: reads any fields after the file and drains any
   * further files. Returns every field of the form.
   */
  finish(): Promise<Record<string, string>>;
}

/** The multipart form of an upload route, after the CSRF check passed. */
export function takeUpload(req: FastifyRequest): Upload {
  const p = pending.get(req);
  if (!p) throw new AppError('invalid_parameter', 'Välj en fil att ladda upp.');
  if (p.taken) throw new Error('takeUpload called twice for one request');
  p.taken = true;
  const fields = (req.body ?? {}) as Record<string, string>;
  // Browsers send an empty part with no file name when no file was chosen.
  const chosen = p.file && p.file.filename !== '' ? p.file : null;
  if (p.file && !chosen) p.file.file.resume();
  // busboy ends a file that hits the size limit quietly (marking it truncated) and reports the
  // error on the parts iterator; a reader of the file must see it as a failed read instead.
  async function* read(stream: MultipartFile['file']): AsyncGenerator<Buffer> {
    for await (const chunk of stream) yield chunk as Buffer;
    if (stream.truncated) throw new UploadTooLargeError();
  }
  return {
    fields,
    file: chosen ? { fieldname: chosen.fieldname, filename: chosen.filename, mimetype: chosen.mimetype, stream: read(chosen.file) } : null,
    async finish() {
      if (chosen && !chosen.file.readableEnded) chosen.file.resume();
      for (;;) {
        let r: IteratorResult<Multipart>;
        try {
          r = await p.parts.next();
        } catch (err) {
          // Already reported by the file's reader.
          if (isFileTooLarge(err) && chosen?.file.truncated) break;
          throw err;
        }
        if (r.done) break;
        if (r.value.type === 'file') r.value.file.resume();
        else fields[r.value.fieldname] = String(r.value.value ?? '');
      }
      return fields;
    },
  };
}

export class UploadTooLargeError extends Error {
  readonly code = 'FST_REQ_FILE_TOO_LARGE';
  readonly statusCode = 413;
  constructor() {
    super('Filen är större än vad som får laddas upp här.');
  }
}

/** Whether an error is the upload exceeding the route's maxBytes. */
export function isFileTooLarge(err: unknown): boolean {
  return (err as { code?: string })?.code === 'FST_REQ_FILE_TOO_LARGE';
}

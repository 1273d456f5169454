import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { storageProblem } from '../../db/executor.js';
import { AppError, RateLimitedError, errorStatus, type ErrorCode } from '../errors.js';
import { localeFrom, messages } from '../i18n/index.js';
import { NotFoundPage, NotSavedPage, RefusedPage, ServerErrorPage } from '../views/error-pages.js';
import { renderPage } from '../views/render.js';

function wantsJson(req: FastifyRequest): boolean {
  return req.url.startsWith('/api/');
}

function sendJsonError(reply: FastifyReply, code: ErrorCode, message: string, fields: AppError['fields'] = []) {
  const body: { error: { code: ErrorCode; message: string; fields?: AppError['fields'] } } = { error: { code, message } };
  if (fields.length > 0) body.error.fields = fields;
  // A failure of ours (the database down) must not be kept by shared caches for the API's minute.
  if (errorStatus[code] >= 500) reply.header('Cache-Control', 'no-store');
  return reply.status(errorStatus[code]).type('application/json; charset=utf-8').send(body);
}

/** A throttled client is told when to come back; forms that catch their own errors call this too. */
export function setRetryAfter(reply: FastifyReply, err: unknown): void {
  if (err instanceof RateLimitedError) reply.header('Retry-After', String(err.retryAfterSeconds));
}

/** Connection-level failures of either driver: the database is down, not the request wrong. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? '';
  const msg = (err as Error)?.message ?? '';
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08006', '08001', 'SQLITE_CANTOPEN', 'SQLITE_BUSY'].includes(code) ||
    /Connection terminated|timeout exceeded when trying to connect|database system is (starting|shutting) up/i.test(msg)
  );
}

const STORAGE_LOG = {
  database_read_only: 'write refused: the database is read-only (check the file, its directory and their owner, or the server’s read-only mode)',
  storage_full: 'write refused: no space left for the database (disk full or file-size limit)',
} as const;

/** Form fields worth giving back after a refused write: typed text, never secrets or tokens. */
function keptInput(req: FastifyRequest): [string, string][] {
  const body = req.body;
  if (req.method !== 'POST' || !body || typeof body !== 'object' || Buffer.isBuffer(body)) return [];
  return Object.entries(body as Record<string, unknown>)
    .filter(([k, v]) => typeof v === 'string' && v.trim() !== '' && !/csrf|password|losenord|token|secret|contentHash|version/i.test(k))
    .map(([k, v]) => [k, v as string]);
}

/**
 * Text PostgreSQL refuses to store or compare (a NUL byte, invalid UTF-8) that reached a query
 * from a request: the client's input is wrong, not the server. A safety net behind the routes'
 * own validation, which the public query fuzz test found missing on one route.
 */
export function isUnacceptableText(err: unknown): boolean {
  const code = (err as { code?: string })?.code ?? '';
  return code === '22021' || code === '22P05';
}

/** Maps every failure once: AppError codes to their status, everything else to 500 or 503. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, req, reply) => {
    const locale = localeFrom(req.query);
    const m = messages(locale);
    let code: ErrorCode;
    let message: string;
    let fields: AppError['fields'] = [];
    if (err instanceof AppError) {
      setRetryAfter(reply, err);
      code = err.code;
      message = err.message;
      fields = err.fields;
    } else if (storageProblem(err)) {
      code = storageProblem(err)!;
      req.log.error({ err, code }, STORAGE_LOG[code as keyof typeof STORAGE_LOG]);
      message = m.errors[code];
      reply.header('Retry-After', '60');
    } else if (isDatabaseUnavailable(err)) {
      req.log.error({ err }, 'database unavailable');
      code = 'database_unavailable';
      message = m.errors.database_unavailable;
      reply.header('Retry-After', '5');
    } else if (isUnacceptableText(err)) {
      req.log.warn({ code: (err as { code?: string }).code, route: req.routeOptions.url }, 'text the database cannot hold');
      code = 'invalid_parameter';
      message = m.errors.invalid_parameter;
    } else if ((err as FastifyError).code?.startsWith('FST_CSRF_')) {
      code = 'csrf_invalid';
      message = m.errors.csrf_invalid;
    } else if ((err as FastifyError).statusCode && (err as FastifyError).statusCode! < 500) {
      // Fastify's own 4xx (bad JSON, body too large): pass through under a stable code.
      const status = (err as FastifyError).statusCode!;
      if (wantsJson(req)) return reply.status(status).send({ error: { code: 'invalid_parameter', message: err.message } });
      code = 'invalid_parameter';
      message = err.message;
    } else {
      req.log.error({ err }, 'unhandled error');
      code = 'internal';
      message = m.errors.internal;
    }
    if (code === 'forbidden' || code === 'csrf_invalid') req.log.warn({ code, url: req.url, user: req.actor?.userId }, 'refused');
    if (wantsJson(req)) return sendJsonError(reply, code, message, fields);
    if (code === 'unauthenticated' && req.method === 'GET') return reply.redirect(`/logga-in?next=${encodeURIComponent(req.url)}`, 303);
    const ctx = { locale, m, url: req.url };
    const page =
      code === 'database_read_only' || code === 'storage_full'
        ? NotSavedPage({ ctx, message, input: keptInput(req) })
        : code === 'not_found'
        ? NotFoundPage({ ctx })
        : errorStatus[code] >= 500
          ? ServerErrorPage({ ctx, unavailable: code === 'database_unavailable' })
          : RefusedPage({ ctx, message: m.errors[code] });
    return reply
      .status(errorStatus[code])
      .header('Cache-Control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(renderPage(page));
  });

  app.setNotFoundHandler((req, reply) => {
    const locale = localeFrom(req.query);
    if (wantsJson(req)) return sendJsonError(reply, 'not_found', messages(locale).errors.not_found);
    return reply
      .status(404)
      .type('text/html; charset=utf-8')
      .send(renderPage(NotFoundPage({ ctx: { locale, m: messages(locale), url: req.url } })));
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';

/**
 * CORS for open data only: the read-only API under /api/v1 and the routes registered with
 * `openDataGet` (downloads, feeds, the DCAT catalogue). Anyone's web page may read those, so
 * `Access-Control-Allow-Origin: *` on GET and HEAD, and preflights are answered with 204. Never
 * with credentials (the wildcard forbids them anyway), and never on anything else: /admin, the
 * login pages and the HTML pages get no CORS headers at all, so a browser keeps other sites
 * from reading them. A hook of our own rather than @fastify/cors, because that plugin adds an
 * `OPTIONS *` route for the whole app and decides per request in a delegator; here the routes
 * say themselves that they are open, and everything else is closed by default.
 * See docs/decisions/open-data.md.
 */

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by openDataGet: the route's responses may be read by any origin. */
    openData?: boolean;
  }
}

const API = /^\/api\/v1(?:[/?]|$)/;

export const ALLOWED_METHODS = 'GET, HEAD';
/** Headers a script may read beyond the CORS-safelisted ones. */
const EXPOSED = 'ETag, Content-Disposition';
const MAX_AGE = '86400';

function isOpen(req: FastifyRequest): boolean {
  return req.routeOptions.config?.openData === true || API.test(req.url);
}

async function preflight(_req: FastifyRequest, reply: FastifyReply) {
  return reply
    .code(204)
    .header('Access-Control-Allow-Origin', '*')
    .header('Access-Control-Allow-Methods', ALLOWED_METHODS)
    // No credentials are ever allowed, so the wildcard is valid and lets a client send
    // If-None-Match or Accept-Language without us keeping a list.
    .header('Access-Control-Allow-Headers', '*')
    .header('Access-Control-Max-Age', MAX_AGE)
    .header('Cache-Control', `public, max-age=${MAX_AGE}`)
    .send();
}

export function registerOpenCors(app: FastifyInstance): void {
  app.addHook('onSend', (req, reply, payload, done) => {
    if ((req.method === 'GET' || req.method === 'HEAD') && isOpen(req)) {
      reply.header('Access-Control-Allow-Origin', '*');
      reply.header('Access-Control-Expose-Headers', EXPOSED);
    }
    done(null, payload);
  });
  // The API's preflight: every /api/v1 resource is read-only and open.
  app.options('/api/v1/*', { config: { openData: true } }, preflight);
}

/** A GET (and HEAD) route whose responses any origin may read, with its CORS preflight. */
export function openDataGet<P extends Record<string, string> = Record<string, string>>(
  app: FastifyInstance,
  path: string,
  handler: RouteHandlerMethod<any, any, any, { Params: P }>,
): void {
  app.get<{ Params: P }>(path, { config: { openData: true } }, handler);
  app.options(path, { config: { openData: true } }, preflight);
}

import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest, FastifyServerOptions } from 'fastify';

/**
 * Structured JSON logs (pino, Fastify's logger): one object a line, a request id on every line a
 * request writes, and nothing an attacker could use. Bodies are never logged (passwords, tokens);
 * headers are not logged by the serializers, and the redact paths are there for whoever one day
 * logs `req.headers` by hand.
 */

/** What a proxy or a client may hand us as a request id; anything else could forge log lines or bloat them. */
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export const REQUEST_ID_HEADER = 'x-request-id';

/** The caller's X-Request-Id when it is a sane token (so a proxy's id follows the request), else a new UUID. */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Query parameters whose values are credentials: OIDC's callback (code, state) and any token in a link. */
const SECRET_PARAMS = new Set(['code', 'state', 'token', 'id_token', 'access_token', 'refresh_token', 'session_state', 'password', 'losenord']);

/**
 * The URL as it may be logged: the password-reset token in /aterstall/{token} and credential-like
 * query values replaced by "***". A reset link in a log file is a way into someone's account.
 */
export function loggableUrl(url: string): string {
  const q = url.indexOf('?');
  const path = (q === -1 ? url : url.slice(0, q)).replace(/^\/aterstall\/[^/]+/, '/aterstall/***');
  if (q === -1) return path;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // A malformed name is logged as sent.
      }
      return eq !== -1 && SECRET_PARAMS.has(decoded.toLowerCase()) ? `${name}=***` : pair;
    })
    .join('&');
  return `${path}?${query}`;
}

const REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.cookie',
  'headers.authorization',
  'body',
  'req.body',
  'password',
  '*.password',
];

/** Fastify logger options for a log level; `false` when the level is "silent". */
export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  if (level === 'silent') return false;
  return {
    level,
    redact: { paths: REDACT, censor: '[REDACTED]' },
    // "level":"info" rather than 30, and an ISO time: what log shippers and people read without a table.
    formatters: { level: (label: string) => ({ level: label }) },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    serializers: {
      req: (req: FastifyRequest) => ({
        method: req.method,
        url: loggableUrl(req.url),
        host: req.host,
        remoteAddress: req.ip,
      }),
    },
  };
}

import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';

/**
 * Strict by default: no scripts at all, styles only from our own origin, and no framing.
 * Routes that must be framed (the embeds, features/publishing/embed) loosen frame-ancestors per
 * route by setting their own Content-Security-Policy header (reply.header overrides the default here).
 */
export const helmetOptions: FastifyHelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      formAction: ["'self'"],
      baseUri: ["'none'"],
      frameAncestors: ["'none'"],
    },
  },
  // Sent only on requests that came over TLS (see registerSecurityHeaders): on plain http it means nothing.
  strictTransportSecurity: { maxAge: 31536000, includeSubDomains: true },
  // Nothing of ours is framed except the embeds, which drop this header and name their hosts in frame-ancestors.
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  crossOriginEmbedderPolicy: false,
};

export const PERMISSIONS_POLICY = 'camera=(), microphone=(), geolocation=(), interest-cohort=()';

/** Headers every response has anyway, which are not helmet's to set. */
const NOT_HELMETS = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive', 'transfer-encoding']);

/**
 * The headers helmet sends with these options, computed once by helmet itself on a throwaway
 * instance. @fastify/helmet rebuilds helmet (and re-parses the CSP) on every request, which was
 * a fifth of the CPU time of a cached page; with no nonces the result never varies, so we set the
 * very same headers from a constant instead.
 */
export async function helmetHeaders(options: FastifyHelmetOptions = helmetOptions): Promise<Record<string, string>> {
  const probe = Fastify({ logger: false });
  try {
    await probe.register(helmet, options);
    probe.get('/', async (_req, reply) => reply.type('text/plain').send('probe'));
    const res = await probe.inject({ method: 'GET', url: '/' });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) {
      if (NOT_HELMETS.has(name) || value === undefined) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    if (!headers['content-security-policy']) throw new Error('helmet set no Content-Security-Policy');
    return headers;
  } finally {
    await probe.close();
  }
}

/** The options are a constant, so every app in the process shares one probe. */
let defaultHeaders: Promise<Readonly<Record<string, string>>> | null = null;

export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  defaultHeaders ??= helmetHeaders().then((h) => Object.freeze(h));
  const headers = await defaultHeaders.catch((err: unknown) => {
    defaultHeaders = null;
    throw err;
  });
  const { 'strict-transport-security': hsts, ...always } = headers;
  app.addHook('onRequest', (req, reply, done) => {
    reply.headers(always);
    // HSTS only over TLS: directly, or through a proxy trusted by TRUST_PROXY that says
    // X-Forwarded-Proto: https. Browsers ignore it on http, and a misconfigured proxy that sends
    // it to every client would pin hosts that never served https.
    if (hsts && req.protocol === 'https') reply.header('strict-transport-security', hsts);
    done();
  });
  app.addHook('onSend', (_req, reply, payload, done) => {
    reply.header('Permissions-Policy', PERMISSIONS_POLICY);
    done(null, payload);
  });
}

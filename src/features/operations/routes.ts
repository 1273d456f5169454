import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../platform/errors.js';
import { checkReadiness } from './health.js';
import { requestIdFor } from './logging.js';
import { AppMetrics } from './metrics.js';

/**
 * /healthz, /readyz and /metrics (docs/decisions/operations.md). On the main port /metrics needs
 * METRICS_TOKEN as a bearer token and does not exist without one; the optional admin listener
 * (ADMIN_PORT) serves the three without a token, for a scraper on the host or cluster network.
 */
declare module 'fastify' {
  interface FastifyInstance {
    operations: Operations;
  }
  interface FastifyContextConfig {
    /**
     * A probe: no session lookup (liveness must not touch the database, whatever cookie a browser
     * sends), and `rateLimit: false` for @fastify/rate-limit should one be registered.
     */
    probe?: boolean;
    rateLimit?: false;
  }
}

export interface Operations {
  metrics: AppMetrics;
  /** True from the moment close() starts: readiness then says so, so a load balancer stops sending. */
  stopping(): boolean;
}

interface ProbeDeps {
  db: Kysely<DB>;
  operations: Operations;
  /** Main port: the token /metrics requires, or undefined for "no /metrics here". Admin port: null, no token. */
  metricsToken: string | undefined | null;
}

/** Probes are polled every few seconds: their successes are not worth a log line each. */
const QUIET = { logLevel: 'warn' as const, config: { probe: true, rateLimit: false as const } };

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time, and by hashing first also independent of the length of what was sent. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m !== null && timingSafeEqual(digest(m[1]!), digest(token));
}

function probeRoutes(app: FastifyInstance, deps: ProbeDeps): void {
  app.get('/healthz', QUIET, async (_req, reply) => reply.header('Cache-Control', 'no-store').send({ status: 'ok' }));

  app.get('/readyz', QUIET, async (_req, reply) => {
    const r = await checkReadiness(deps.db, { stopping: deps.operations.stopping() });
    return reply
      .status(r.status === 'ready' ? 200 : 503)
      .header('Cache-Control', 'no-store')
      .send(r);
  });

  app.get('/metrics', QUIET, async (req: FastifyRequest, reply: FastifyReply) => {
    const token = deps.metricsToken;
    // Without a token the endpoint is indistinguishable from any unknown address.
    if (token === undefined) throw new AppError('not_found');
    if (token !== null && !bearerMatches(req.headers.authorization, token)) {
      req.log.warn('metrics: missing or wrong bearer token');
      return reply.status(401).header('WWW-Authenticate', 'Bearer realm="metrics"').header('Cache-Control', 'no-store').type('text/plain; charset=utf-8').send('Unauthorized\n');
    }
    const text = await deps.operations.metrics.text();
    return reply.header('Cache-Control', 'no-store').type(deps.operations.metrics.contentType).send(text);
  });
}

/**
 * Call first in buildApp, before any hook that may answer a request early (the page cache answers
 * in onRequest): the request id header and the metrics must see every response.
 */
export function registerOperations(app: FastifyInstance, deps: { db: Kysely<DB>; metricsToken?: string }): Operations {
  const metrics = new AppMetrics();
  let stopping = false;
  const operations: Operations = { metrics, stopping: () => stopping };
  app.decorate('operations', operations);
  app.addHook('preClose', (done) => {
    stopping = true;
    done();
  });
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('X-Request-Id', req.id);
    done();
  });
  app.addHook('onSend', (_req, reply, payload, done) => {
    // A request that was in flight when shutdown began: its keep-alive connection (a load
    // balancer's, say) must end with it, or server.close() waits out the keep-alive timeout (72 s).
    if (stopping) reply.header('Connection', 'close');
    done(null, payload);
  });
  app.addHook('onResponse', (req, reply, done) => {
    // The route pattern, never the URL: every distinct label value is a time series kept forever.
    metrics.recordRequest(req.method, req.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  probeRoutes(app, { db: deps.db, operations, metricsToken: deps.metricsToken });
  return operations;
}

/** The admin listener: the probes and /metrics of `main`, without a token, and nothing else. */
export async function buildAdminApp(main: FastifyInstance, db: Kysely<DB>): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: main.log.child({ listener: 'admin' }), genReqId: requestIdFor });
  app.addHook('onRequest', (req, reply, done) => {
    reply.header('X-Request-Id', req.id);
    done();
  });
  probeRoutes(app, { db, operations: main.operations, metricsToken: null });
  app.setErrorHandler((err, req, reply) => {
    if (err instanceof AppError) return reply.status(err.status).send({ error: { code: err.code } });
    req.log.error({ err }, 'admin listener error');
    return reply.status(500).send({ error: { code: 'internal' } });
  });
  await app.ready();
  return app;
}

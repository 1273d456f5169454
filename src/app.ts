import compress from '@fastify/compress';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from './db/schema.js';
import { apiRoutes } from './features/api/routes.js';
import { directoryRoutes } from './features/directory/routes.js';
import { pledgeRoutes } from './features/pledges/routes.js';
import { registerErrorHandling } from './platform/http/errors.js';
import { registerSecurityHeaders } from './platform/http/security.js';

export interface AppDeps {
  db: Kysely<DB>;
  /** Injected so tests can ask "what is in force on 2023-05-01?" without touching the system clock. */
  clock: () => Date;
}

export async function buildApp(
  deps: Omit<AppDeps, 'clock'> & Partial<Pick<AppDeps, 'clock'>>,
  opts: { logger?: FastifyServerOptions['logger'] } = {},
): Promise<FastifyInstance> {
  const full: AppDeps = { clock: () => new Date(), ...deps };
  const app = Fastify({
    logger: opts.logger ?? false,
    trustProxy: true,
    routerOptions: { ignoreTrailingSlash: true },
  });
  await registerSecurityHeaders(app);
  await app.register(compress, { global: true, threshold: 1024, encodings: ['br', 'gzip'] });
  registerErrorHandling(app);
  directoryRoutes(app, full);
  pledgeRoutes(app, full);
  apiRoutes(app, full);
  return app;
}

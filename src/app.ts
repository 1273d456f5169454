import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from './db/schema.js';
import { accountAdminRoutes } from './features/accounts/admin-routes.js';
import { accountRoutes } from './features/accounts/routes.js';
import { adminRoutes } from './features/admin/routes.js';
import { partyAdminRoutes } from './features/admin/party-routes.js';
import { pledgeCreateRoutes } from './features/admin/pledge-create-routes.js';
import { structureRoutes } from './features/admin/structure-routes.js';
import { ssoRoutes } from './features/sso/routes.js';
import type { SignatureProvider } from './features/signing/signature-provider.js';
import { signingPublicRoutes } from './features/signing/public-routes.js';
import { signingRoutes } from './features/signing/routes.js';
import { apiRoutes } from './features/api/routes.js';
import type { OpenDataPublisher } from './features/publishing/open-data/dcat.js';
import { openDataRoutes } from './features/publishing/open-data/routes.js';
import { updateRoutes } from './features/follow-up/update-routes.js';
import { calendarRoutes } from './features/follow-up/calendar-routes.js';
import { reportRoutes } from './features/follow-up/report-routes.js';
import { meetingRoutes } from './features/follow-up/meeting-routes.js';
import { DEFAULT_FOLLOW_UP, type FollowUpSettings } from './features/follow-up/settings.js';
import { createMailer, type Mailer } from './features/mail/mailer.js';
import { registerAuth } from './platform/http/auth.js';
import { directoryRoutes } from './features/directory/routes.js';
import { pledgeRoutes } from './features/pledges/routes.js';
import { embedRoutes } from './features/publishing/embed/routes.js';
import { indicatorRoutes } from './features/indicators/routes.js';
import { indicatorAdminRoutes } from './features/indicators/admin-routes.js';
import { overviewRoutes } from './features/overview/routes.js';
import { registerOpenCors } from './platform/http/cors.js';
import { signedPdfRoutes } from './features/publishing/pdf/routes.js';
import { wastewaterRoutes } from './features/wastewater/routes.js';
import { wastewaterAdminRoutes } from './features/wastewater/admin-routes.js';
import { registerErrorHandling } from './platform/http/errors.js';
import { registerPageDelivery } from './platform/http/page-cache.js';
import { registerSecurityHeaders } from './platform/http/security.js';
import { requestIdFor } from './features/operations/logging.js';
import { registerOperations } from './features/operations/routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** `upload`: the route takes a multipart file (config.upload), so a test posts to it as a browser would. */
    routeTable: { method: string; url: string; upload: boolean }[];
    /** AppDeps.publicBaseUrl without a trailing slash, or null: read by pageContext for absolute links. */
    publicBaseUrl: string | null;
  }
}

export interface AppDeps {
  db: Kysely<DB>;
  /** Injected so tests can ask "what is in force on 2023-05-01?" without touching the system clock. */
  clock: () => Date;
  mailer: Mailer;
  cookieSecure: boolean;
  /** Used in links that leave the site, e.g. in e-mail. */
  publicBaseUrl?: string;
  /** How signatories prove who they are when signing; the built-in one asks for the password again. */
  signatureProvider?: SignatureProvider;
  /** Publisher and contact point of the DCAT catalogue at /dcat. */
  openData?: OpenDataPublisher;
  /** When an activity counts as not followed up, and when reminders go out. */
  followUp: FollowUpSettings;
  /** Bearer token for /metrics on this port; without one /metrics is a 404 here (docs/decisions/operations.md). */
  metricsToken?: string;
  /** When a silent wastewater import counts as interrupted (default: import-service's STALE_AFTER_MS). */
  importStaleMs?: number;
  /**
   * How long after a write anonymous readers may still get a cached page or open-data file
   * (PAGE_CACHE_GRACE_MS). Absent: 0, every write is seen by the next reader, as tests expect.
   */
  pageCacheGraceMs?: number;
}

export async function buildApp(
  deps: Pick<AppDeps, 'db'> & Partial<AppDeps>,
  opts: { logger?: FastifyServerOptions['logger']; trustProxy?: boolean | string } = {},
): Promise<FastifyInstance> {
  const full: AppDeps = {
    clock: () => new Date(),
    mailer: createMailer({ from: 'Medborgarlöften <no-reply@medborgarloften.invalid>' }),
    cookieSecure: true,
    followUp: DEFAULT_FOLLOW_UP,
    ...deps,
  };
  const app = Fastify({
    logger: opts.logger ?? false,
    // Only trusted proxies may set the client IP that the login throttle counts.
    trustProxy: opts.trustProxy ?? 'loopback',
    routerOptions: { ignoreTrailingSlash: true },
    // A proxy's X-Request-Id when it is sane, else a UUID: on every log line and echoed in the response.
    genReqId: requestIdFor,
  });
  // Every route, as registered: the permission matrix test checks that no admin route escapes it.
  const routes: { method: string; url: string; upload: boolean }[] = [];
  app.decorate('routeTable', routes);
  app.decorate('publicBaseUrl', full.publicBaseUrl ? full.publicBaseUrl.replace(/\/+$/, '') : null);
  app.addHook('onRoute', (r) => {
    const upload = Boolean((r.config as { upload?: unknown } | undefined)?.upload);
    for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, url: r.url, upload });
  });
  registerOperations(app, full); // request id header, HTTP metrics, /healthz /readyz /metrics: before anything answers early
  await registerSecurityHeaders(app);
  await registerPageDelivery(app, full); // compression (@fastify/compress) and the public page cache
  registerErrorHandling(app);
  await registerAuth(app, full);
  registerOpenCors(app); // Access-Control-Allow-Origin on /api/v1 and open-data routes only
  directoryRoutes(app, full);
  accountRoutes(app, full);
  accountAdminRoutes(app, full);
  ssoRoutes(app, full);
  adminRoutes(app, full);
  partyAdminRoutes(app, full);
  pledgeCreateRoutes(app, full);
  structureRoutes(app, full);
  updateRoutes(app, full);
  signingRoutes(app, full);
  signingPublicRoutes(app, full);
  pledgeRoutes(app, full);
  indicatorRoutes(app, full);
  indicatorAdminRoutes(app, full);
  overviewRoutes(app, full);
  signedPdfRoutes(app, full);
  calendarRoutes(app, full);
  reportRoutes(app, full);
  meetingRoutes(app, full);
  apiRoutes(app, full);
  embedRoutes(app, full);
  openDataRoutes(app, full);
  wastewaterRoutes(app, full);
  wastewaterAdminRoutes(app, full);
  return app;
}

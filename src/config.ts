import { z } from 'zod';

/**
 * Configuration comes from the environment only, validated once at boot so that a typo
 * stops the process with a readable message instead of failing on the first request.
 */
const Schema = z.object({
  DATABASE_URL: z
    .string()
    .default('sqlite:./data/loften.db')
    .refine((v) => /^(sqlite:|postgres(ql)?:\/\/)/.test(v), {
      message: 'måste börja med sqlite: eller postgres:// (t.ex. sqlite:./data/loften.db)',
    }),
  /**
   * PostgreSQL connections per instance (plus one for LISTEN). Instances × (this + 1) must stay
   * below the server's max_connections; see docs/decisions/scaling.md. Ignored on SQLite.
   */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_BASE_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** nodemailer transport URL, e.g. smtp://user:pass@smtp.kommun.se:587. Unset: mail waits in the outbox. */
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'måste börja med smtp:// eller smtps://').optional(),
  MAIL_FROM: z.string().min(3).default('Medborgarlöften <no-reply@medborgarloften.invalid>'),
  /** Cookies are Secure unless this is "false" (only for plain-http development off localhost). */
  COOKIE_SECURE: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /**
   * Which reverse proxies may set X-Forwarded-For (the client IP the login throttle counts):
   * "loopback" (a proxy on the same host), a comma-separated list of addresses/CIDRs, "true" or "false".
   */
  TRUST_PROXY: z.string().default('loopback'),
  /** Days without an update after which the public page says "ingen uppföljning sedan …". */
  FOLLOW_UP_STALE_DAYS: z.coerce.number().int().min(1).max(3650).default(120),
  /** Days before each planned Brå meeting on which reminders go out, comma-separated. */
  REMINDER_DAYS: z
    .string()
    .default('14,3')
    .refine((v) => /^\s*[1-9]\d{0,2}(\s*,\s*[1-9]\d{0,2})*\s*$/.test(v), { message: 'måste vara dagar före mötet, t.ex. 14,3' })
    .transform((v) => [...new Set(v.split(',').map((d) => Number(d.trim())))].sort((a, b) => b - a)),
  /** How often the server looks for reminders to send; 0 turns the periodic run off (the CLI still works). */
  REMINDER_INTERVAL_MINUTES: z.coerce.number().int().min(0).max(1440).default(60),
  /**
   * Seconds a running wastewater import may go without its worker's heartbeat before any instance
   * treats it as interrupted (its process died). Longer than the longest pause of a busy worker.
   */
  IMPORT_STALE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  /** "false" starts without the demo pledges even on an empty database. */
  LOFTEN_DEMO: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /** Kolada's API, e.g. https://api.kolada.se/v2, for `loften indicators fetch-kolada`. Unset: no fetching (the default). */
  KOLADA_API_URL: z.url('måste vara en fullständig adress, t.ex. https://api.kolada.se/v2').optional(),
  /** Publisher of the open-data catalogue at /dcat: the organisation running this instance. */
  OPEN_DATA_PUBLISHER: z.string().trim().min(2).max(200).default('Medborgarlöften'),
  /** Its organisation number, ten digits, so Sveriges dataportal recognises the publisher. */
  OPEN_DATA_PUBLISHER_ORGNR: z.string().regex(/^\d{10}$/, 'ska vara ett organisationsnummer med tio siffror, utan bindestreck').optional(),
  /** Where readers report errors in the open data. */
  OPEN_DATA_CONTACT_EMAIL: z.email('ska vara en e-postadress').optional(),
  /** Bearer token that /metrics on the main port requires; unset: /metrics is not served there (404). */
  METRICS_TOKEN: z.string().regex(/^[\x21-\x7e]{16,200}$/, 'ska vara 16–200 tecken utan mellanslag, t.ex. från openssl rand -hex 32').optional(),
  /** A second listener with only /healthz, /readyz and /metrics (no token), for a scraper on the host or cluster network. */
  ADMIN_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  ADMIN_HOST: z.string().min(1).default('127.0.0.1'),
  /** How long a SIGTERM may take to finish requests in flight and background jobs before the process gives up (exit 1). */
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(25),
  /**
   * How long after a write anonymous readers may still get the page (or open-data file) cached
   * before it; 0 drops the caches at every write. See "Staleness grace" in docs/decisions/performance.md.
   */
  PAGE_CACHE_GRACE_MS: z.coerce.number().int().min(0).max(10_000).default(1000),
});

export type Config = {
  databaseUrl: string;
  databasePoolMax: number;
  host: string;
  port: number;
  publicBaseUrl: string | undefined;
  logLevel: z.infer<typeof Schema>['LOG_LEVEL'];
  demo: boolean;
  smtpUrl: string | undefined;
  mailFrom: string;
  cookieSecure: boolean;
  trustProxy: boolean | string;
  koladaApiUrl: string | undefined;
  openData: { name: string; orgNumber?: string; contactEmail?: string };
  followUpStaleDays: number;
  reminderDays: number[];
  reminderIntervalMinutes: number;
  metricsToken: string | undefined;
  /** undefined: no admin listener. */
  adminPort: number | undefined;
  adminHost: string;
  shutdownTimeoutSeconds: number;
  importStaleMs: number;
  pageCacheGraceMs: number;
};

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty variables count as unset: `PORT= npm start` should not mean port 0.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = Schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Ogiltig konfiguration: ${lines.join('; ')}`);
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    databasePoolMax: e.DATABASE_POOL_MAX,
    host: e.HOST,
    port: e.PORT,
    publicBaseUrl: e.PUBLIC_BASE_URL,
    logLevel: e.LOG_LEVEL,
    demo: e.LOFTEN_DEMO,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    cookieSecure: e.COOKIE_SECURE,
    trustProxy: e.TRUST_PROXY === 'true' ? true : e.TRUST_PROXY === 'false' ? false : e.TRUST_PROXY,
    koladaApiUrl: e.KOLADA_API_URL,
    openData: { name: e.OPEN_DATA_PUBLISHER, orgNumber: e.OPEN_DATA_PUBLISHER_ORGNR, contactEmail: e.OPEN_DATA_CONTACT_EMAIL },
    followUpStaleDays: e.FOLLOW_UP_STALE_DAYS,
    reminderDays: e.REMINDER_DAYS,
    reminderIntervalMinutes: e.REMINDER_INTERVAL_MINUTES,
    metricsToken: e.METRICS_TOKEN,
    adminPort: e.ADMIN_PORT,
    adminHost: e.ADMIN_HOST,
    shutdownTimeoutSeconds: e.SHUTDOWN_TIMEOUT_SECONDS,
    importStaleMs: e.IMPORT_STALE_SECONDS * 1000,
    pageCacheGraceMs: e.PAGE_CACHE_GRACE_MS,
  };
}

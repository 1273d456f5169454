import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { connect, type Database } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';
import { seedDemoIfEmpty } from './features/demo/seed.js';
import { createMailer } from './features/mail/mailer.js';
import { sendReminders, startReminderSchedule } from './features/follow-up/reminders.js';
import { loggerOptions } from './features/operations/logging.js';
import { buildAdminApp } from './features/operations/routes.js';
import { settleInterruptedImports } from './features/wastewater/import-service.js';

export interface RunningServer {
  app: FastifyInstance;
  database: Database;
  url: string;
  /** The admin listener (/healthz, /readyz, /metrics without a token), when ADMIN_PORT is set. */
  adminUrl: string | null;
  /** Graceful: stop accepting, finish requests in flight and background jobs, close the database. */
  stop(): Promise<void>;
}

/** Boot order: connect → migrate → (demo on an empty register) → listen. */
export async function startServer(config: Config, out: (line: string) => void = console.log): Promise<RunningServer> {
  const database = await connect(config.databaseUrl, { poolMax: config.databasePoolMax });
  try {
    await migrateToLatest(database);
    if (config.demo) {
      const seeded = await seedDemoIfEmpty(database.db);
      if (seeded) out(`Tom databas: lade in exempeldata (${seeded.pledges} medborgarlöften, ${seeded.parties} parter).`);
    }
    const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom });
    const followUp = { staleAfterDays: config.followUpStaleDays, reminderDays: config.reminderDays };
    const app = await buildApp(
      { db: database.db, mailer, cookieSecure: config.cookieSecure, publicBaseUrl: config.publicBaseUrl, openData: config.openData, followUp, metricsToken: config.metricsToken, importStaleMs: config.importStaleMs, pageCacheGraceMs: config.pageCacheGraceMs },
      { logger: loggerOptions(config.logLevel), trustProxy: config.trustProxy },
    );
    // Before the first request: another instance's write must reach this one's page cache (PostgreSQL).
    await database.hearOtherInstances();
    const address = await app.listen({ host: config.host, port: config.port });
    const url = config.publicBaseUrl ?? address.replace('[::1]', 'localhost');
    let admin: Awaited<ReturnType<typeof buildAdminApp>> | null = null;
    let adminUrl: string | null = null;
    if (config.adminPort !== undefined) {
      try {
        admin = await buildAdminApp(app, database.db);
        adminUrl = (await admin.listen({ host: config.adminHost, port: config.adminPort })).replace('[::1]', 'localhost');
      } catch (err) {
        await app.close();
        throw err;
      }
      out(`Drift (/healthz, /readyz, /metrics) på ${adminUrl}`);
    }
    // Reminders before Brå meetings; safe on any number of instances (one mail per person, by a unique key).
    const reminders =
      config.reminderIntervalMinutes > 0
        ? startReminderSchedule({
            intervalMs: config.reminderIntervalMinutes * 60_000,
            run: async () => {
              const r = await sendReminders({ db: database.db, mailer, publicBaseUrl: config.publicBaseUrl, followUp }, new Date());
              if (r.enqueued > 0) app.log.info({ enqueued: r.enqueued, delivered: r.delivered }, 'reminders sent');
            },
            onError: (err) => app.log.error({ err }, 'reminder run failed'),
          })
        : null;
    // Imports whose process died (a crash, a SIGKILL, a lost machine) are settled by whichever
    // instance sees them first, by their silent heartbeat; now, and then every staleness window.
    const importDeps = { db: database.db, clock: () => new Date(), staleAfterMs: config.importStaleMs };
    const settle = () =>
      settleInterruptedImports(importDeps).then(
        (n) => {
          if (n > 0) app.log.warn({ settled: n }, 'interrupted wastewater imports settled');
        },
        (err: unknown) => app.log.error({ err }, 'settling interrupted imports failed'),
      );
    await settle();
    const settler = setInterval(() => void settle(), Math.min(config.importStaleMs, 60_000));
    settler.unref();
    let stopping: Promise<void> | null = null;
    const stop = () =>
      (stopping ??= (async () => {
        clearInterval(settler);
        app.log.info('shutting down: no new connections, finishing requests in flight and background jobs');
        await reminders?.stop();
        // app.close(): /readyz turns 503 on the admin listener, the listener stops accepting, idle
        // keep-alive connections close, requests in flight finish, then the onClose hooks drain
        // the background jobs (imports). Only then may the pool go.
        await app.close();
        await admin?.close();
        await database.close();
        app.log.info('shut down cleanly');
      })());
    return { app, database, url, adminUrl, stop };
  } catch (err) {
    await database.close().catch(() => {});
    throw err;
  }
}

import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { seedDemo } from '../../src/features/demo/seed.js';
import type { Mailer } from '../../src/features/mail/mailer.js';
import type { TestDatabase, TestTarget } from './databases.js';

export interface TestApp {
  app: FastifyInstance;
  t: TestDatabase;
  close(): Promise<void>;
}

export interface OpenAppOptions {
  /** A fixed clock at noon UTC on this day (default 2026-11-27). */
  today?: string;
  /** Any clock, e.g. one a test moves forward; wins over `today`. */
  clock?: () => Date;
  /** Default: the app's own mailer without SMTP, so mail stays in the outbox. */
  mailer?: Mailer;
  publicBaseUrl?: string;
  demo?: boolean;
  /** AppDeps.pageCacheGraceMs; default none, i.e. 0: every write is seen by the next reader. */
  pageCacheGraceMs?: number;
}

/** A fresh database with the demo pledges, and the app on top of it, reached through inject(). */
export async function openApp(target: TestTarget, opts: OpenAppOptions = {}): Promise<TestApp> {
  const t = await target.open();
  if (opts.demo ?? true) await seedDemo(t.db);
  const clock = opts.clock ?? (() => new Date(`${opts.today ?? '2026-11-27'}T12:00:00Z`));
  const app = await buildApp({
    db: t.db,
    clock,
    ...(opts.mailer ? { mailer: opts.mailer } : {}),
    ...(opts.publicBaseUrl ? { publicBaseUrl: opts.publicBaseUrl } : {}),
    ...(opts.pageCacheGraceMs !== undefined ? { pageCacheGraceMs: opts.pageCacheGraceMs } : {}),
  });
  await app.ready();
  return {
    app,
    t,
    close: async () => {
      await app.close();
      await t.dispose();
    },
  };
}

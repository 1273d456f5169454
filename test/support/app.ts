import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { seedDemo } from '../../src/features/demo/seed.js';
import type { TestDatabase, TestTarget } from './databases.js';

export interface TestApp {
  app: FastifyInstance;
  t: TestDatabase;
  close(): Promise<void>;
}

/** A fresh database with the demo pledges, and the app on top of it, reached through inject(). */
export async function openApp(target: TestTarget, opts: { today?: string; demo?: boolean } = {}): Promise<TestApp> {
  const t = await target.open();
  if (opts.demo ?? true) await seedDemo(t.db);
  const clock = () => new Date(`${opts.today ?? '2026-11-27'}T12:00:00Z`);
  const app = await buildApp({ db: t.db, clock });
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

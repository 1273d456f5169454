import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { connect, type Database } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { unavailable } from './env.js';

/**
 * Every database-touching suite runs once per target. Each test database is brand new: a temp
 * SQLite file, or a freshly created PostgreSQL database that is dropped afterwards.
 */
export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestTarget {
  name: 'sqlite' | 'postgres';
  /** Set when the target cannot run here (only ever outside CI). */
  skip: string | false;
  /** A new, migrated, empty database. */
  open(): Promise<TestDatabase>;
}

export interface TestDatabase extends Database {
  url: string;
  /** Closes and deletes the database. */
  dispose(): Promise<void>;
}

async function postgresReachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    await client.end().catch(() => {});
  }
}

let seq = 0;

export async function createSqliteUrl(): Promise<{ url: string; cleanup(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'loften-test-'));
  return { url: `sqlite:${join(dir, 'loften.db')}`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function createPostgresUrl(): Promise<{ url: string; cleanup(): Promise<void> }> {
  const name = `loften_test_${process.pid}_${Date.now()}_${seq++}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    cleanup: async () => {
      const a = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

/** A brand-new database that has never been migrated (what an operator restores into). */
export async function blankDatabase(kind: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  const made = kind === 'sqlite' ? await createSqliteUrl() : await createPostgresUrl();
  const database = await connect(made.url);
  return {
    ...database,
    url: made.url,
    dispose: async () => {
      await database.close();
      await made.cleanup();
    },
  };
}

async function openTarget(kind: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  const database = await blankDatabase(kind);
  await migrateToLatest(database);
  return database;
}

const pgProblem = await postgresReachable();

export const targets: TestTarget[] = [
  { name: 'sqlite', skip: false, open: () => openTarget('sqlite') },
  {
    name: 'postgres',
    skip: pgProblem ? unavailable(`PostgreSQL på ${POSTGRES_ADMIN_URL}`, pgProblem) : false,
    open: () => openTarget('postgres'),
  },
];

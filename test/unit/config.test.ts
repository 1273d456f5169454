import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('config', () => {
  it('defaults to an embedded SQLite file on port 3000 with the demo', () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBe('sqlite:./data/loften.db');
    expect(c.port).toBe(3000);
    expect(c.demo).toBe(true);
  });

  it('reads PostgreSQL and treats empty variables as unset', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@db/x', PORT: '', LOFTEN_DEMO: 'false' });
    expect(c.databaseUrl).toBe('postgres://u@db/x');
    expect(c.port).toBe(3000);
    expect(c.demo).toBe(false);
  });

  it('sizes the PostgreSQL pool per instance, 10 unless told', () => {
    expect(loadConfig({}).databasePoolMax).toBe(10);
    expect(loadConfig({ DATABASE_POOL_MAX: '4' }).databasePoolMax).toBe(4);
    expect(() => loadConfig({ DATABASE_POOL_MAX: '0' })).toThrow(/DATABASE_POOL_MAX/);
  });

  it('gives anonymous readers a one-second staleness grace unless told, 0 turning it off', () => {
    expect(loadConfig({}).pageCacheGraceMs).toBe(1000);
    expect(loadConfig({ PAGE_CACHE_GRACE_MS: '0' }).pageCacheGraceMs).toBe(0);
    expect(loadConfig({ PAGE_CACHE_GRACE_MS: '' }).pageCacheGraceMs).toBe(1000);
    expect(() => loadConfig({ PAGE_CACHE_GRACE_MS: '10001' })).toThrow(/PAGE_CACHE_GRACE_MS/);
    expect(() => loadConfig({ PAGE_CACHE_GRACE_MS: '1.5' })).toThrow(/PAGE_CACHE_GRACE_MS/);
  });

  it('refuses bad values with a message naming each variable', () => {
    expect(() => loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x' })).toThrow(ConfigError);
    const bad = () => loadConfig({ PORT: '70000', DATABASE_URL: 'mysql://x' });
    expect(bad).toThrow(/PORT/);
    expect(bad).toThrow(/DATABASE_URL: måste börja med sqlite: eller postgres/);
  });

  it('reads the open-data publisher and refuses a malformed organisation number or e-mail', () => {
    expect(loadConfig({}).openData).toEqual({ name: 'Medborgarlöften', orgNumber: undefined, contactEmail: undefined });
    const c = loadConfig({ OPEN_DATA_PUBLISHER: 'Polismyndigheten', OPEN_DATA_PUBLISHER_ORGNR: '2021000076', OPEN_DATA_CONTACT_EMAIL: 'data@example.se' });
    expect(c.openData).toEqual({ name: 'Polismyndigheten', orgNumber: '2021000076', contactEmail: 'data@example.se' });
    expect(() => loadConfig({ OPEN_DATA_PUBLISHER_ORGNR: '202100-0076' })).toThrow(/OPEN_DATA_PUBLISHER_ORGNR: ska vara ett organisationsnummer/);
    expect(() => loadConfig({ OPEN_DATA_CONTACT_EMAIL: 'inte en adress' })).toThrow(/OPEN_DATA_CONTACT_EMAIL/);
  });

  it('reads the follow-up settings: stale days, reminder days (largest first) and the reminder interval', () => {
    expect(loadConfig({})).toMatchObject({ followUpStaleDays: 120, reminderDays: [14, 3], reminderIntervalMinutes: 60 });
    expect(loadConfig({ FOLLOW_UP_STALE_DAYS: '90', REMINDER_DAYS: '3, 21,7,3', REMINDER_INTERVAL_MINUTES: '0' })).toMatchObject({ followUpStaleDays: 90, reminderDays: [21, 7, 3], reminderIntervalMinutes: 0 });
    expect(() => loadConfig({ REMINDER_DAYS: 'fjorton' })).toThrow(/REMINDER_DAYS: måste vara dagar före mötet/);
    expect(() => loadConfig({ FOLLOW_UP_STALE_DAYS: '0' })).toThrow(/FOLLOW_UP_STALE_DAYS/);
  });

  it('reads the operations settings: metrics token, admin listener, shutdown deadline', () => {
    expect(loadConfig({})).toMatchObject({ metricsToken: undefined, adminPort: undefined, adminHost: '127.0.0.1', shutdownTimeoutSeconds: 25 });
    const c = loadConfig({ METRICS_TOKEN: 'a'.repeat(32), ADMIN_PORT: '9464', ADMIN_HOST: '10.0.0.5', SHUTDOWN_TIMEOUT_SECONDS: '10' });
    expect(c).toMatchObject({ metricsToken: 'a'.repeat(32), adminPort: 9464, adminHost: '10.0.0.5', shutdownTimeoutSeconds: 10 });
    expect(() => loadConfig({ METRICS_TOKEN: 'kort' })).toThrow(/METRICS_TOKEN: ska vara 16–200 tecken/);
    expect(() => loadConfig({ METRICS_TOKEN: 'ett token med mellanslag i sig' })).toThrow(/METRICS_TOKEN/);
    expect(() => loadConfig({ ADMIN_PORT: '70000' })).toThrow(/ADMIN_PORT/);
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT_SECONDS: '0' })).toThrow(/SHUTDOWN_TIMEOUT_SECONDS/);
  });
});

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

  it('refuses bad values with a message naming each variable', () => {
    expect(() => loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x' })).toThrow(ConfigError);
    const bad = () => loadConfig({ PORT: '70000', DATABASE_URL: 'mysql://x' });
    expect(bad).toThrow(/PORT/);
    expect(bad).toThrow(/DATABASE_URL: måste börja med sqlite: eller postgres/);
  });
});

import type { Migration } from 'kysely';
import type { Dialect } from '../connect.js';
import { pledgeRegister } from './0001_pledge_register.js';
import { accountsAndAudit } from './0002_accounts_and_audit.js';
import { signing } from './0003_signing.js';
import { wastewater } from './0004_wastewater.js';
import { indicators } from './0005_indicators.js';
import { followUp } from './0006_follow_up.js';
import { importHeartbeat } from './0007_import_heartbeat.js';

export interface MigrationContext {
  dialect: Dialect;
  /** PostgreSQL gets real timestamptz columns; SQLite stores the same ISO-8601 text. */
  timestamp: 'timestamptz' | 'text';
}

/**
 * Migrations are listed here rather than read from disk so that they run the same under tsx,
 * vitest and a compiled build. Append only: a migration that has shipped is never edited.
 */
export function migrationsFor(dialect: Dialect): Record<string, Migration> {
  const ctx: MigrationContext = { dialect, timestamp: dialect === 'postgres' ? 'timestamptz' : 'text' };
  return {
    '0001_pledge_register': pledgeRegister(ctx),
    '0002_accounts_and_audit': accountsAndAudit(ctx),
    '0003_signing': signing(ctx),
    '0004_wastewater': wastewater(ctx),
    '0005_indicators': indicators(ctx),
    '0006_follow_up': followUp(ctx),
    '0007_import_heartbeat': importHeartbeat(ctx),
  };
}

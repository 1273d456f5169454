import { randomUUID } from 'node:crypto';
import type { Executor } from '../../db/executor.js';
import type { AuditEventTable } from '../../db/schema.js';
import type { Actor } from '../access/policy.js';

/**
 * The audit trail: who changed what, when, from what to what. Written by the same transaction as
 * the change it describes, so there is never a change without its row nor a row without its change.
 * The table refuses UPDATE and DELETE at the database level (migration 0002).
 */

export type EntityType = 'party' | 'pledge' | 'pledge_version' | 'signature' | 'signatory' | 'focus_area' | 'commitment' | 'activity' | 'user' | 'party_sso' | 'indicator' | 'indicator_link' | 'wastewater_import' | 'wastewater_site' | 'wastewater_settings' | 'follow_up_meeting' | 'follow_up_report';

export interface AuditInput {
  actor: Actor | null;
  /** Shown when there is no user, e.g. "loften user add" or "system". */
  actorLabel?: string;
  action: string;
  entityType: EntityType;
  entityId: string;
  pledgeId?: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

export interface AuditEvent {
  id: string;
  occurredAt: string;
  actorUserId: string | null;
  actorLabel: string;
  action: string;
  entityType: EntityType;
  entityId: string;
  pledgeId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export async function recordAudit(trx: Executor, e: AuditInput, now = new Date()): Promise<void> {
  await trx
    .insertInto('audit_event')
    .values({
      id: randomUUID(),
      occurred_at: now.toISOString(),
      actor_user_id: e.actor?.userId ?? null,
      actor_label: e.actor ? `${e.actor.name} <${e.actor.email}>` : (e.actorLabel ?? 'system'),
      action: e.action,
      entity_type: e.entityType,
      entity_id: e.entityId,
      pledge_id: e.pledgeId ?? null,
      before_json: e.before ? JSON.stringify(e.before) : null,
      after_json: e.after ? JSON.stringify(e.after) : null,
    })
    .execute();
}

function toEvent(r: AuditEventTable): AuditEvent {
  return {
    id: r.id,
    occurredAt: r.occurred_at,
    actorUserId: r.actor_user_id,
    actorLabel: r.actor_label,
    action: r.action,
    entityType: r.entity_type as EntityType,
    entityId: r.entity_id,
    pledgeId: r.pledge_id,
    before: r.before_json ? JSON.parse(r.before_json) : null,
    after: r.after_json ? JSON.parse(r.after_json) : null,
  };
}

export async function historyOf(db: Executor, entityType: EntityType, entityId: string): Promise<AuditEvent[]> {
  const rows = await db
    .selectFrom('audit_event')
    .selectAll()
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', entityId)
    .orderBy('occurred_at', 'desc')
    .orderBy('id')
    .execute();
  return rows.map(toEvent);
}

export async function historyOfPledge(db: Executor, pledgeId: string, limit = 200): Promise<AuditEvent[]> {
  const rows = await db.selectFrom('audit_event').selectAll().where('pledge_id', '=', pledgeId).orderBy('occurred_at', 'desc').limit(limit).execute();
  return rows.map(toEvent);
}

/** What changed, field by field, in the order the fields appear: the readable diff of a history page. */
export function changes(e: Pick<AuditEvent, 'before' | 'after'>): FieldChange[] {
  const before = e.before ?? {};
  const after = e.after ?? {};
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return fields
    .filter((f) => f !== 'version' && JSON.stringify(before[f] ?? null) !== JSON.stringify(after[f] ?? null))
    .map((f) => ({ field: f, before: before[f] ?? null, after: after[f] ?? null }));
}

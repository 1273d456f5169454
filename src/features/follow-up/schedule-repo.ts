import type { Executor } from '../../db/executor.js';

/**
 * SQL for what reminders and the calendar need to know about Brå meetings (FollowUpMeeting) and
 * who to remind. The meetings themselves are created and closed by the meeting pages.
 */

export interface MeetingRow {
  id: string;
  pledgeId: string;
  heldOn: string;
  title: string;
  location: string | null;
  state: 'planned' | 'closed' | 'cancelled';
  updatedAt: string;
}

const columns = ['id', 'pledge_id', 'held_on', 'title', 'location', 'state', 'updated_at'] as const;
function toMeeting(r: { id: string; pledge_id: string; held_on: string; title: string; location: string | null; state: MeetingRow['state']; updated_at: string }): MeetingRow {
  return { id: r.id, pledgeId: r.pledge_id, heldOn: r.held_on, title: r.title, location: r.location, state: r.state, updatedAt: r.updated_at };
}

/**
 * Planned meetings held after `after` and no later than `until`, of pledges not archived. A pledge
 * in amendment is a draft again but its signed version still holds: callers check for that version.
 */
export async function listPlannedMeetingsBetween(db: Executor, after: string, until: string): Promise<MeetingRow[]> {
  const rows = await db
    .selectFrom('follow_up_meeting')
    .innerJoin('pledge', 'pledge.id', 'follow_up_meeting.pledge_id')
    .select(columns.map((c) => `follow_up_meeting.${c}` as const))
    .where('follow_up_meeting.state', '=', 'planned')
    .where('follow_up_meeting.held_on', '>', after)
    .where('follow_up_meeting.held_on', '<=', until)
    .where('pledge.state', '<>', 'archived')
    .orderBy('follow_up_meeting.held_on')
    .orderBy('follow_up_meeting.id')
    .execute();
  return rows.map(toMeeting);
}

/** The closed meeting of a pledge most recently held before a date: follow-up since then counts as fresh. */
export async function findPreviousClosedMeeting(db: Executor, pledgeId: string, before: string): Promise<MeetingRow | null> {
  const r = await db
    .selectFrom('follow_up_meeting')
    .select([...columns])
    .where('pledge_id', '=', pledgeId)
    .where('state', '=', 'closed')
    .where('held_on', '<', before)
    .orderBy('held_on', 'desc')
    .executeTakeFirst();
  return r ? toMeeting(r) : null;
}

/** A pledge's planned and closed meetings, for its public calendar. */
export async function listPublicMeetings(db: Executor, pledgeId: string): Promise<MeetingRow[]> {
  const rows = await db
    .selectFrom('follow_up_meeting')
    .select([...columns])
    .where('pledge_id', '=', pledgeId)
    .where('state', 'in', ['planned', 'closed'])
    .orderBy('held_on')
    .orderBy('id')
    .execute();
  return rows.map(toMeeting);
}

/** The report frozen when each of these meetings closed, by meeting: its date is its public address. */
export async function reportDatesOfMeetings(db: Executor, meetingIds: readonly string[]): Promise<Map<string, string>> {
  if (meetingIds.length === 0) return new Map();
  const rows = await db.selectFrom('follow_up_report').select(['meeting_id', 'report_date']).where('meeting_id', 'in', meetingIds).execute();
  return new Map(rows.filter((r) => r.meeting_id !== null).map((r) => [r.meeting_id!, r.report_date]));
}

export interface Recipient {
  id: string;
  email: string;
  name: string;
  partyId: string;
}

/** Active accounts of these parties that report on activities: admins, editors and reporters. */
export async function listReminderRecipients(db: Executor, partyIds: readonly string[]): Promise<Recipient[]> {
  if (partyIds.length === 0) return [];
  const rows = await db
    .selectFrom('app_user')
    .select(['id', 'email', 'name', 'party_id'])
    .where('party_id', 'in', partyIds)
    .where('role', 'in', ['admin', 'editor', 'reporter'])
    .where('disabled_at', 'is', null)
    .orderBy('email')
    .execute();
  return rows.map((r) => ({ id: r.id, email: r.email, name: r.name, partyId: r.party_id! }));
}

/** Which of these mail dedupe keys are already in the outbox. */
export async function existingDedupeKeys(db: Executor, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db.selectFrom('mail_outbox').select('dedupe_key').where('dedupe_key', 'in', keys).execute();
  return new Set(rows.map((r) => r.dedupe_key!));
}

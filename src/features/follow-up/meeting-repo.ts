import type { Selectable } from 'kysely';
import type { Executor } from '../../db/executor.js';
import type { FollowUpMeetingTable } from '../../db/schema.js';
import type { Attendee, Decision, Meeting, MeetingWithParts } from './meeting.js';

/**
 * SQL for Brå meetings, their attendees and decisions. Every write that changes a planned meeting
 * names `state = 'planned'` in its WHERE clause: a row that another request closed meanwhile
 * updates nothing, and the use-case refuses instead of changing a closed meeting.
 */

function toMeeting(r: Selectable<FollowUpMeetingTable>): Meeting {
  return {
    id: r.id,
    pledgeId: r.pledge_id,
    heldOn: r.held_on,
    title: r.title,
    location: r.location,
    state: r.state,
    minutes: r.minutes,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    closedAt: r.closed_at,
    version: r.version,
  };
}

export async function insertMeeting(db: Executor, m: Omit<Meeting, 'version'>): Promise<void> {
  await db
    .insertInto('follow_up_meeting')
    .values({
      id: m.id,
      pledge_id: m.pledgeId,
      held_on: m.heldOn,
      title: m.title,
      location: m.location,
      state: m.state,
      minutes: m.minutes,
      created_at: m.createdAt,
      updated_at: m.updatedAt,
      closed_at: m.closedAt,
    })
    .execute();
}

export async function findMeeting(db: Executor, id: string): Promise<Meeting | null> {
  const r = await db.selectFrom('follow_up_meeting').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toMeeting(r) : null;
}

export async function listMeetingsOfPledge(db: Executor, pledgeId: string): Promise<Meeting[]> {
  const rows = await db.selectFrom('follow_up_meeting').selectAll().where('pledge_id', '=', pledgeId).orderBy('held_on').orderBy('created_at').orderBy('id').execute();
  return rows.map(toMeeting);
}

/** Changes a planned meeting at the version the form was based on; false when stale or no longer planned. */
export async function updatePlannedMeeting(
  db: Executor,
  id: string,
  version: number,
  values: Partial<Pick<FollowUpMeetingTable, 'held_on' | 'title' | 'location' | 'state' | 'closed_at'> & { minutes: string }>,
  now: string,
): Promise<boolean> {
  const r = await db
    .updateTable('follow_up_meeting')
    .set({ ...values, updated_at: now, version: version + 1 })
    .where('id', '=', id)
    .where('version', '=', version)
    .where('state', '=', 'planned')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * Locks a planned meeting's row for the rest of the transaction without changing its version:
 * attendees and decisions are their own rows, and adding one must wait for (and then see) a
 * concurrent close. False when the meeting is not planned (any more).
 */
export async function claimPlannedMeeting(db: Executor, id: string, now: string): Promise<boolean> {
  const r = await db.updateTable('follow_up_meeting').set({ updated_at: now }).where('id', '=', id).where('state', '=', 'planned').executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function listAttendees(db: Executor, meetingIds: readonly string[]): Promise<Attendee[]> {
  if (meetingIds.length === 0) return [];
  const rows = await db.selectFrom('follow_up_attendee').selectAll().where('meeting_id', 'in', meetingIds).orderBy('position').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, meetingId: r.meeting_id, organisation: r.organisation, name: r.name, roleTitle: r.role_title, position: r.position }));
}

export async function listDecisions(db: Executor, meetingIds: readonly string[]): Promise<Decision[]> {
  if (meetingIds.length === 0) return [];
  const rows = await db.selectFrom('follow_up_decision').selectAll().where('meeting_id', 'in', meetingIds).orderBy('position').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, meetingId: r.meeting_id, activityId: r.activity_id, text: r.text, position: r.position }));
}

export async function findMeetingWithParts(db: Executor, id: string): Promise<MeetingWithParts | null> {
  const m = await findMeeting(db, id);
  if (!m) return null;
  const [attendees, decisions] = await Promise.all([listAttendees(db, [id]), listDecisions(db, [id])]);
  return { ...m, attendees, decisions };
}

async function nextPosition(db: Executor, table: 'follow_up_attendee' | 'follow_up_decision', meetingId: string): Promise<number> {
  const r = await db.selectFrom(table).select((eb) => eb.fn.max('position').as('max')).where('meeting_id', '=', meetingId).executeTakeFirst();
  return r?.max === null || r?.max === undefined ? 0 : Number(r.max) + 1;
}

export async function insertAttendee(db: Executor, a: Omit<Attendee, 'position'>): Promise<void> {
  const position = await nextPosition(db, 'follow_up_attendee', a.meetingId);
  await db.insertInto('follow_up_attendee').values({ id: a.id, meeting_id: a.meetingId, organisation: a.organisation, name: a.name, role_title: a.roleTitle, position }).execute();
}

export async function deleteAttendee(db: Executor, meetingId: string, id: string): Promise<Attendee | null> {
  const found = (await listAttendees(db, [meetingId])).find((a) => a.id === id) ?? null;
  if (found) await db.deleteFrom('follow_up_attendee').where('id', '=', id).where('meeting_id', '=', meetingId).execute();
  return found;
}

export async function insertDecision(db: Executor, d: Omit<Decision, 'position'>): Promise<void> {
  const position = await nextPosition(db, 'follow_up_decision', d.meetingId);
  await db.insertInto('follow_up_decision').values({ id: d.id, meeting_id: d.meetingId, activity_id: d.activityId, text: d.text, position }).execute();
}

export async function deleteDecision(db: Executor, meetingId: string, id: string): Promise<Decision | null> {
  const found = (await listDecisions(db, [meetingId])).find((d) => d.id === id) ?? null;
  if (found) await db.deleteFrom('follow_up_decision').where('id', '=', id).where('meeting_id', '=', meetingId).execute();
  return found;
}

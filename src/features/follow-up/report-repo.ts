import type { Selectable } from 'kysely';
import type { Executor } from '../../db/executor.js';
import type { FollowUpReportTable } from '../../db/schema.js';
import { parseSnapshot, type ReportKind, type ReportSnapshot } from './report.js';

/**
 * SQL for frozen follow-up reports. Only INSERT and SELECT: the table's triggers (migration 0006)
 * refuse UPDATE and DELETE in both databases, so no code path here could change a report.
 */

export interface StoredReport {
  id: string;
  pledgeId: string;
  meetingId: string | null;
  kind: ReportKind;
  reportDate: string;
  year: number | null;
  previousReportId: string | null;
  createdAt: string;
  createdBy: string;
  /** The JSON exactly as stored: its hash is the PDF's validator. */
  snapshotJson: string;
  snapshot: ReportSnapshot;
}

export type ReportListing = Omit<StoredReport, 'snapshot' | 'snapshotJson'>;

const listColumns = ['id', 'pledge_id', 'meeting_id', 'kind', 'report_date', 'year', 'previous_report_id', 'created_at', 'created_by'] as const;

function toListing(r: Pick<Selectable<FollowUpReportTable>, (typeof listColumns)[number]>): ReportListing {
  return {
    id: r.id,
    pledgeId: r.pledge_id,
    meetingId: r.meeting_id,
    kind: r.kind,
    reportDate: r.report_date,
    year: r.year === null ? null : Number(r.year),
    previousReportId: r.previous_report_id,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}

function toReport(r: Selectable<FollowUpReportTable>): StoredReport {
  return { ...toListing(r), snapshotJson: r.snapshot_json, snapshot: parseSnapshot(r.snapshot_json) };
}

export async function insertReport(db: Executor, r: Omit<StoredReport, 'snapshot'>): Promise<void> {
  await db
    .insertInto('follow_up_report')
    .values({
      id: r.id,
      pledge_id: r.pledgeId,
      meeting_id: r.meetingId,
      kind: r.kind,
      report_date: r.reportDate,
      year: r.year,
      previous_report_id: r.previousReportId,
      snapshot_json: r.snapshotJson,
      created_at: r.createdAt,
      created_by: r.createdBy,
    })
    .execute();
}

/** A pledge's reports, oldest first. */
export async function listReportsOfPledge(db: Executor, pledgeId: string): Promise<ReportListing[]> {
  const rows = await db.selectFrom('follow_up_report').select([...listColumns]).where('pledge_id', '=', pledgeId).orderBy('report_date').orderBy('kind').orderBy('id').execute();
  return rows.map(toListing);
}

export async function findReport(db: Executor, id: string): Promise<StoredReport | null> {
  const r = await db.selectFrom('follow_up_report').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toReport(r) : null;
}

export async function findReportOfMeeting(db: Executor, meetingId: string): Promise<StoredReport | null> {
  const r = await db.selectFrom('follow_up_report').selectAll().where('meeting_id', '=', meetingId).executeTakeFirst();
  return r ? toReport(r) : null;
}

/** A meeting report by its date, the public address of it. */
export async function findMeetingReportByDate(db: Executor, pledgeId: string, date: string): Promise<StoredReport | null> {
  const r = await db.selectFrom('follow_up_report').selectAll().where('pledge_id', '=', pledgeId).where('kind', '=', 'meeting').where('report_date', '=', date).executeTakeFirst();
  return r ? toReport(r) : null;
}

export async function findYearEndReport(db: Executor, pledgeId: string, year: number): Promise<StoredReport | null> {
  const r = await db.selectFrom('follow_up_report').selectAll().where('pledge_id', '=', pledgeId).where('kind', '=', 'year_end').where('year', '=', year).executeTakeFirst();
  return r ? toReport(r) : null;
}

/** The newest report of a kind dated before a day (or on it, with `inclusive`). */
export async function findLatestReportBefore(db: Executor, pledgeId: string, kind: ReportKind | null, date: string, inclusive = false): Promise<StoredReport | null> {
  let q = db.selectFrom('follow_up_report').selectAll().where('pledge_id', '=', pledgeId).where('report_date', inclusive ? '<=' : '<', date);
  if (kind) q = q.where('kind', '=', kind);
  const r = await q.orderBy('report_date', 'desc').orderBy('created_at', 'desc').executeTakeFirst();
  return r ? toReport(r) : null;
}

/** A pledge's reports with their snapshots, oldest first: for the public list. */
export async function listFullReportsOfPledge(db: Executor, pledgeId: string): Promise<StoredReport[]> {
  const rows = await db.selectFrom('follow_up_report').selectAll().where('pledge_id', '=', pledgeId).orderBy('report_date').orderBy('kind').orderBy('id').execute();
  return rows.map(toReport);
}

import type { Executor } from '../../db/executor.js';
import type { Messages } from '../../platform/i18n/index.js';
import { formatDate } from '../../platform/views/format.js';
import type { PledgeDocument } from '../pledges/pledge.js';
import { findMeetingReportByDate, findYearEndReport, listFullReportsOfPledge, type StoredReport } from './report-repo.js';
import type { ReportKind } from './report.js';

/**
 * The public read side of follow-up reports. Callers pass a published document (from
 * signing/published.ts via pledge-service), so a pledge without a signed version never gets here;
 * the reports themselves are frozen snapshots of signed versions only.
 *
 * Addresses: a meeting's report lives at /uppfoljning/{YYYY-MM-DD} (the meeting's day, one closed
 * meeting per day), a year-end report at /uppfoljning/ar-{YYYY}. See docs/decisions/follow-up-meetings.md.
 */

const DATE_KEY = /^(\d{4})-(\d{2})-(\d{2})$/;
const YEAR_KEY = /^ar-(\d{4})$/;

export function reportKey(r: { kind: ReportKind; reportDate: string; year: number | null }): string {
  return r.kind === 'year_end' ? `ar-${r.year}` : r.reportDate;
}

export function reportPath(slug: string, periodSlug: string, r: { kind: ReportKind; reportDate: string; year: number | null }): string {
  return `/kommun/${slug}/${periodSlug}/uppfoljning/${reportKey(r)}`;
}

export function reportLabel(r: { kind: ReportKind; reportDate: string; year: number | null }, m: Messages): string {
  return r.kind === 'year_end' ? m.reports.yearReport(r.year!) : m.reports.meetingReport(formatDate(r.reportDate, m));
}

function requirePublished(doc: PledgeDocument): void {
  if (!doc.signing) throw new Error('Public follow-up reports take a published (signed) document');
}

/** Every report of a published pledge, newest first. */
export async function publicReports(db: Executor, doc: PledgeDocument): Promise<StoredReport[]> {
  requirePublished(doc);
  return (await listFullReportsOfPledge(db, doc.id)).reverse();
}

/** One report by its address key, or null (also for keys that are not addresses at all). */
export async function publicReport(db: Executor, doc: PledgeDocument, key: string): Promise<StoredReport | null> {
  requirePublished(doc);
  if (DATE_KEY.test(key)) return findMeetingReportByDate(db, doc.id, key);
  const y = YEAR_KEY.exec(key);
  if (y) return findYearEndReport(db, doc.id, Number(y[1]));
  return null;
}

/** The report before this one in the public list (the one "what changed" compares with, for meeting reports). */
export function previousOf(all: readonly StoredReport[], r: StoredReport): StoredReport | null {
  return all.find((x) => x.id === r.previousReportId) ?? null;
}

import type { Messages } from '../../platform/i18n/index.js';
import { formatDate, formatNumber } from '../../platform/views/format.js';
import { percent, type ActivityProgress, type RolledUp } from './progress.js';
import type { ReportSnapshot, SnapshotActivity } from './report.js';

/**
 * The words of a follow-up report, shared by its web page and its PDF so they never say different
 * things: target → outcome like the Strängnäs 2019 follow-up ("Minst 4 trygghetsvandringar → 4").
 */

export function promisedText(a: Pick<SnapshotActivity, 'target'>, m: Messages): string {
  if (!a.target) return m.reports.noTarget;
  return a.target.kind === 'numeric' ? `${formatNumber(a.target.value, m)} ${a.target.unit}` : a.target.text;
}

/** The outcome in the target's unit; otherwise the status, with the latest counts when there are any. */
export function outcomeText(a: Pick<SnapshotActivity, 'outcome' | 'counts' | 'status'>, m: Messages): string {
  if (a.outcome) return `${formatNumber(a.outcome.value, m)} ${a.outcome.unit}`;
  const counts = a.counts.map((c) => `${c.label}: ${formatNumber(c.value, m)}`).join(', ');
  return counts ? `${m.status[a.status]} (${counts})` : m.status[a.status];
}

export function progressText(p: ActivityProgress, m: Messages): string {
  if (p.kind === 'excluded') return '–';
  if (p.kind === 'numeric') return m.followUp.progressOf(formatNumber(p.value, m), formatNumber(p.target, m), p.unit, percent(p.ratio));
  return m.followUp.progressPercent(percent(p.ratio));
}

export function rolledUpPercent(r: RolledUp, m: Messages): string {
  return r.ratio === null ? m.reports.noneCounted : m.followUp.progressPercent(percent(r.ratio));
}

export function lastReportText(a: Pick<SnapshotActivity, 'lastReportedOn' | 'noReport'>, m: Messages): string {
  const date = a.lastReportedOn ? formatDate(a.lastReportedOn, m) : '';
  if (a.noReport) return date ? `${m.reports.noReport} (${m.followUp.lastUpdate(date).toLocaleLowerCase(m.lang)})` : m.reports.noReport;
  return date || '–';
}

/** The chart's text alternative: every focus area's share, then the whole pledge's. */
export function chartDescription(s: ReportSnapshot, m: Messages): string {
  const parts = s.focusAreas.map((fa) => `${fa.title}: ${rolledUpPercent(fa.progress, m)}`).join('; ');
  return m.reports.chartDescription(parts, rolledUpPercent(s.total, m));
}

/** "Framsteg 45 %. 2 aktiviteter utan rapport." */
export function reportSummary(s: ReportSnapshot, m: Messages): string {
  return m.reports.summary(rolledUpPercent(s.total, m), s.tally.noReport);
}

export function outcomeChangeText(c: ReportSnapshot['changes']['newOutcomes'][number], m: Messages): string {
  const n = (v: number) => formatNumber(v, m);
  return m.reports.outcomeChange(c.from === null ? null : n(c.from), `${n(c.to)} ${c.unit}`, c.target === null ? null : `${n(c.target)} ${c.unit}`);
}

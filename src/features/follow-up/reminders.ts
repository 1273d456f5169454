import type { Executor } from '../../db/executor.js';
import { messages } from '../../platform/i18n/index.js';
import { formatDate } from '../../platform/views/format.js';
import type { Mailer } from '../mail/mailer.js';
import { activityStatuses, findPledgeSummary } from '../pledges/pledge-repo.js';
import { swedishDate } from '../pledges/pledge.js';
import { findSignedVersion } from '../signing/version-repo.js';
import { listUpdatesOfActivities } from './activity-update-repo.js';
import { addDays } from './public-progress.js';
import * as repo from './schedule-repo.js';
import type { FollowUpSettings } from './settings.js';

/**
 * Reminders before each Brå meeting: every reporting account (admin, editor, reporter) of each
 * party that owns activities in the pledge's signed version gets one mail per meeting and
 * reminder day, listing its party's activities that have no update since the previous closed
 * meeting (or since the period started). Done and cancelled activities need none.
 *
 * Idempotent through the database, not memory: each mail has the dedupe key
 * `reminder:{meeting}:{days}:{user}`, unique in mail_outbox, so two runs at once, on one instance
 * or two, store it once; delivery claims each row before sending it (mailer.ts).
 */

export interface ReminderDeps {
  db: Executor;
  mailer: Mailer;
  publicBaseUrl?: string;
  followUp: Pick<FollowUpSettings, 'reminderDays'>;
}

export interface PlannedReminder {
  key: string;
  to: string;
  userId: string;
  meetingId: string;
  heldOn: string;
  daysBefore: number;
  activities: { id: string; description: string }[];
  /** Already in the outbox from an earlier run (or, in a real run, from a run at the same time). */
  alreadySent: boolean;
}

export interface ReminderRun {
  reminders: PlannedReminder[];
  /** New mails stored in the outbox by this run. */
  enqueued: number;
  /** Mails delivered over SMTP by this run's flush (0 without SMTP). */
  delivered: number;
  dryRun: boolean;
}

const sv = messages('sv');

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * Which reminder day is due for a meeting `daysLeft` days away: the nearest reminder day not
 * yet passed. A run that missed the 14-day reminder (the server was down) sends the 3-day one
 * when its turn comes, not both at once.
 */
export function dueReminderDay(daysLeft: number, reminderDays: readonly number[]): number | null {
  const due = reminderDays.filter((d) => daysLeft > 0 && daysLeft <= d);
  return due.length === 0 ? null : Math.min(...due);
}

function mailText(r: { name: string; partyName: string; meetingTitle: string; pledgeTitle: string; heldOn: string; daysLeft: number; since: string; sinceMeeting: boolean; activities: { id: string; description: string; status: string }[]; base: string }): string {
  const lines = [
    `Hej ${r.name},`,
    '',
    `${r.meetingTitle} för ${r.pledgeTitle} hålls ${formatDate(r.heldOn, sv)}, om ${r.daysLeft === 1 ? 'en dag' : `${r.daysLeft} dagar`}.`,
    '',
    `De här aktiviteterna som ${r.partyName} ansvarar för har ingen uppföljning rapporterad sedan ${r.sinceMeeting ? `förra Brå-mötet ${formatDate(r.since, sv)}` : `periodens början ${formatDate(r.since, sv)}`}:`,
    '',
  ];
  for (const a of r.activities) {
    lines.push(`- ${a.description}`, `  Status nu: ${a.status}`, `  Rapportera: ${r.base}/admin/aktiviteter/${a.id}`, '');
  }
  lines.push(
    'Rapportera gärna före mötet, så kommer läget med i underlaget. En kort rapport räcker, även när inget har hänt.',
    '',
    `Det här är en automatisk påminnelse från Medborgarlöften. Du får den för att du rapporterar för ${r.partyName}.`,
  );
  return lines.join('\n');
}

/** Finds what is due on `now`'s Swedish date and, unless `dryRun`, stores the mails and delivers them. */
export async function sendReminders(deps: ReminderDeps, now: Date, opts: { dryRun?: boolean } = {}): Promise<ReminderRun> {
  const dryRun = opts.dryRun ?? false;
  const today = swedishDate(now);
  const base = (deps.publicBaseUrl ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const reminderDays = deps.followUp.reminderDays;
  const meetings = reminderDays.length === 0 ? [] : await repo.listPlannedMeetingsBetween(deps.db, today, addDays(today, Math.max(...reminderDays)));
  const planned: (PlannedReminder & { subject: string; text: string })[] = [];

  for (const meeting of meetings) {
    const daysLeft = daysBetween(today, meeting.heldOn);
    const day = dueReminderDay(daysLeft, reminderDays);
    if (day === null) continue;
    // Only the signed version's activities are promised; a draft amendment's new ones are not yet.
    const [version, pledge, previous] = await Promise.all([
      findSignedVersion(deps.db, meeting.pledgeId),
      findPledgeSummary(deps.db, meeting.pledgeId),
      repo.findPreviousClosedMeeting(deps.db, meeting.pledgeId, meeting.heldOn),
    ]);
    if (!version || !pledge) continue;
    const doc = version.document;
    const activities = doc.focusAreas.flatMap((fa) => fa.commitments.flatMap((c) => c.activities));
    const ids = activities.map((a) => a.id);
    const [statuses, updates] = await Promise.all([activityStatuses(deps.db, ids), listUpdatesOfActivities(deps.db, ids)]);
    const since = previous?.heldOn ?? pledge.startsOn;
    const fresh = new Set(updates.filter((u) => (previous ? u.reportedOn > since : u.reportedOn >= since)).map((u) => u.activityId));
    const missing = activities.filter((a) => {
      const status = statuses.get(a.id) ?? 'planned';
      return status !== 'done' && status !== 'cancelled' && !fresh.has(a.id);
    });
    const owners = [...new Set(missing.map((a) => a.ownerPartyId))];
    for (const user of await repo.listReminderRecipients(deps.db, owners)) {
      const theirs = missing.filter((a) => a.ownerPartyId === user.partyId);
      const partyName = doc.parties.find((p) => p.id === user.partyId)?.name ?? '';
      planned.push({
        key: `reminder:${meeting.id}:${day}:${user.id}`,
        to: user.email,
        userId: user.id,
        meetingId: meeting.id,
        heldOn: meeting.heldOn,
        daysBefore: day,
        activities: theirs.map((a) => ({ id: a.id, description: a.description })),
        alreadySent: false,
        subject: `Påminnelse: rapportera inför Brå-mötet ${formatDate(meeting.heldOn, sv)}`,
        text: mailText({
          name: user.name,
          partyName,
          meetingTitle: meeting.title,
          pledgeTitle: pledge.title,
          heldOn: meeting.heldOn,
          daysLeft,
          since,
          sinceMeeting: previous !== null,
          activities: theirs.map((a) => ({ id: a.id, description: a.description, status: sv.status[statuses.get(a.id) ?? 'planned'] })),
          base,
        }),
      });
    }
  }

  let enqueued = 0;
  if (dryRun) {
    const sent = await repo.existingDedupeKeys(deps.db, planned.map((p) => p.key));
    for (const p of planned) p.alreadySent = sent.has(p.key);
  } else {
    for (const p of planned) {
      const id = await deps.mailer.enqueue(deps.db, { to: p.to, subject: p.subject, text: p.text, dedupeKey: p.key }, now);
      if (id) enqueued++;
      else p.alreadySent = true;
    }
  }
  let delivered = 0;
  if (!dryRun && deps.mailer.smtp) {
    // Each flush sends up to 100; a bounded loop empties a large outbox without ever spinning.
    for (let i = 0; i < 20; i++) {
      const n = await deps.mailer.flush(deps.db);
      delivered += n;
      if (n === 0) break;
    }
  }
  return { reminders: planned.map(({ subject: _s, text: _t, ...rest }) => rest), enqueued, delivered, dryRun };
}

/**
 * The server's periodic run: now, then every `intervalMs`, never two at once, unref'd so it
 * never keeps the process alive. stop() waits for a run in progress.
 */
export function startReminderSchedule(opts: { run: () => Promise<unknown>; intervalMs: number; onError: (err: unknown) => void }): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = opts
      .run()
      .then(() => undefined, opts.onError)
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, opts.intervalMs);
  timer.unref();
  tick();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

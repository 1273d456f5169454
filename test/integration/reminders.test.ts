import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Database } from '../../src/db/connect.js';
import type { Executor } from '../../src/db/executor.js';
import type { Role } from '../../src/db/schema.js';
import { createUser } from '../../src/features/accounts/account-service.js';
import type { User } from '../../src/features/accounts/user.js';
import { recordActivityUpdateAs } from '../../src/features/follow-up/activity-updates.js';
import { sendReminders } from '../../src/features/follow-up/reminders.js';
import { createMailer } from '../../src/features/mail/mailer.js';
import { findActivityWithPledge } from '../../src/features/pledges/editing-repo.js';
import { createPledge } from '../../src/features/pledges/pledge-service.js';
import type { Party } from '../../src/features/pledges/pledge.js';
import { targets, type TestDatabase } from '../support/databases.js';
import { buildMunicipality, buildPoliceArea, pledgeInput } from '../support/factories.js';
import { startSmtp, type TestSmtp } from '../support/smtp-server.js';

const BASE = 'https://medborgarloften.example.se';
const settings = { reminderDays: [14, 3] };
/** Noon in Sweden on a date: what the periodic run or the CLI would see as "today". */
const on = (date: string) => new Date(`${date}T10:00:00Z`);

async function meeting(db: Executor, pledgeId: string, heldOn: string, state: 'planned' | 'closed' | 'cancelled', title = 'Brå-möte'): Promise<string> {
  const id = randomUUID();
  const now = new Date().toISOString();
  await db.insertInto('follow_up_meeting').values({ id, pledge_id: pledgeId, held_on: heldOn, title, location: null, state, created_at: now, updated_at: now, closed_at: state === 'closed' ? now : null }).execute();
  return id;
}

async function report(db: Executor, activityId: string, reportedOn: string, status: 'in_progress' | 'done'): Promise<void> {
  const row = await findActivityWithPledge(db, activityId);
  await recordActivityUpdateAs({ db, clock: () => on(reportedOn) }, { label: 'test', authorName: 'Test' }, activityId, { version: String(row!.version), reportedOn, status, statusReason: 'Test' });
}

for (const target of targets) {
  describe.skipIf(target.skip)(`reminders before Brå meetings on ${target.name}`, () => {
    let t: TestDatabase;
    let smtp: TestSmtp;
    let police: Party;
    let muni: Party;
    let pledgeId: string;
    let moped: string;
    let walk: string;
    let schools: string;
    let planned: string;
    const people: Record<string, User> = {};
    let n = 0;
    const person = async (key: string, party: Party, role: Role, disabled = false) => {
      const u = await createUser(t.db, { email: `${key}.${++n}@example.se`, name: `Person ${key}`, partyId: party.id, role }, null, { actorLabel: 'test' });
      if (disabled) await t.db.updateTable('app_user').set({ disabled_at: new Date().toISOString() }).where('id', '=', u.id).execute();
      people[key] = u;
    };
    const mailsTo = (key: string) => smtp.received.filter((m) => m.to.includes(people[key]!.email));

    beforeAll(async () => {
      t = await target.open();
      smtp = await startSmtp();
      police = await buildPoliceArea(t.db, { name: 'Lokalpolisområde Påminnelse' });
      muni = await buildMunicipality(t.db, { name: 'Påminnelse kommun' });
      const input = pledgeInput(muni, police, { title: 'Löfte med påminnelser', startsOn: '2024-01-01', endsOn: '2025-12-31' });
      input.focusAreas![0]!.commitments![0]!.activities!.push({ ownerPartyId: police.id, description: 'Polisen besöker skolor', schedule: { text: 'Varje termin' } });
      const pledge = await createPledge(t.db, input);
      pledgeId = pledge.id;
      [moped, walk, schools] = pledge.focusAreas[0]!.commitments[0]!.activities.map((a) => a.id) as [string, string, string];
      await person('polisRapportor', police, 'reporter');
      await person('polisAdmin', police, 'admin');
      await person('polisLasare', police, 'viewer');
      await person('polisSlutat', police, 'reporter', true);
      await person('kommunRedaktor', muni, 'editor');
      const outsider = await buildMunicipality(t.db, { name: 'Utomstående kommun' });
      await person('utomstaende', outsider, 'admin');
      // The previous Brå meeting was on 10 March; the next is planned for 20 June.
      await meeting(t.db, pledgeId, '2024-03-10', 'closed');
      planned = await meeting(t.db, pledgeId, '2024-06-20', 'planned', 'Brå-möte juni');
      await meeting(t.db, pledgeId, '2024-06-18', 'cancelled');
      // Police: the moped controls were reported before the last meeting (stale); the school visits are done.
      await report(t.db, moped, '2024-03-01', 'in_progress');
      await report(t.db, schools, '2024-02-01', 'done');
      // Municipality: the walk was reported after the last meeting (fresh): nothing to remind about.
      await report(t.db, walk, '2024-04-02', 'in_progress');
    });
    afterAll(async () => {
      await smtp?.close();
      await t?.dispose();
    });

    it('sends nothing when no reminder day is due', async () => {
      const mailer = createMailer({ smtpUrl: smtp.url, from: 'Medborgarlöften <no-reply@example.se>' });
      const run = await sendReminders({ db: t.db, mailer, publicBaseUrl: BASE, followUp: settings }, on('2024-06-01'));
      expect(run).toMatchObject({ reminders: [], enqueued: 0, delivered: 0 });
      expect(smtp.received).toHaveLength(0);
    });

    it('dry-runs without storing anything', async () => {
      const mailer = createMailer({ smtpUrl: smtp.url, from: 'Medborgarlöften <no-reply@example.se>' });
      const run = await sendReminders({ db: t.db, mailer, publicBaseUrl: BASE, followUp: settings }, on('2024-06-06'), { dryRun: true });
      expect(run.reminders.map((r) => [r.to, r.daysBefore, r.alreadySent, r.activities.map((a) => a.id)]).sort()).toEqual(
        [
          [people.polisAdmin!.email, 14, false, [moped]],
          [people.polisRapportor!.email, 14, false, [moped]],
        ].sort(),
      );
      expect(await t.db.selectFrom('mail_outbox').select('id').execute()).toHaveLength(0);
      expect(smtp.received).toHaveLength(0);
    });

    it('mails each reporting person of the owning party once, 14 days before, in Swedish with links to the activities', async () => {
      const mailer = createMailer({ smtpUrl: smtp.url, from: 'Medborgarlöften <no-reply@example.se>' });
      const run = await sendReminders({ db: t.db, mailer, publicBaseUrl: `${BASE}/`, followUp: settings }, on('2024-06-06'));
      expect(run).toMatchObject({ enqueued: 2, delivered: 2 });
      expect(mailsTo('polisRapportor')).toHaveLength(1);
      expect(mailsTo('polisAdmin')).toHaveLength(1);
      for (const nobody of ['polisLasare', 'polisSlutat', 'kommunRedaktor', 'utomstaende']) expect(mailsTo(nobody), nobody).toHaveLength(0);
      const mail = { ...mailsTo('polisRapportor')[0]!, text: mailsTo('polisRapportor')[0]!.text.replace(/\r\n/g, '\n') };
      expect(mail!.subject).toBe('Påminnelse: rapportera inför Brå-mötet 20 juni 2024');
      expect(mail!.text).toContain('Hej Person polisRapportor,');
      expect(mail!.text).toContain('Brå-möte juni för Löfte med påminnelser hålls 20 juni 2024, om 14 dagar.');
      expect(mail!.text).toContain('De här aktiviteterna som Lokalpolisområde Påminnelse ansvarar för har ingen uppföljning rapporterad sedan förra Brå-mötet 10 mars 2024:');
      expect(mail!.text).toContain(`- Mopedkontroller\n  Status nu: Pågår\n  Rapportera: ${BASE}/admin/aktiviteter/${moped}`);
      expect(mail!.text).not.toContain('Polisen besöker skolor');
      const rows = await t.db.selectFrom('mail_outbox').select(['dedupe_key', 'sent_at']).execute();
      expect(rows.map((r) => r.dedupe_key).sort()).toEqual([`reminder:${planned}:14:${people.polisAdmin!.id}`, `reminder:${planned}:14:${people.polisRapportor!.id}`].sort());
      expect(rows.every((r) => r.sent_at !== null)).toBe(true);
    });

    it('sends nothing more when run again the same day, or the next', async () => {
      const mailer = createMailer({ smtpUrl: smtp.url, from: 'Medborgarlöften <no-reply@example.se>' });
      const again = await sendReminders({ db: t.db, mailer, publicBaseUrl: BASE, followUp: settings }, on('2024-06-06'));
      expect(again.enqueued).toBe(0);
      expect(again.reminders.every((r) => r.alreadySent)).toBe(true);
      expect((await sendReminders({ db: t.db, mailer, publicBaseUrl: BASE, followUp: settings }, on('2024-06-07'))).enqueued).toBe(0);
      expect(mailsTo('polisRapportor')).toHaveLength(1);
    });

    it('sends one mail per person when two instances on two connections run at once, 3 days before', async () => {
      // Two "app instances": separate connections, separate mailers, the same database.
      const a: Database = await connect(t.url);
      const b: Database = await connect(t.url);
      try {
        const runOn = (d: Database) => sendReminders({ db: d.db, mailer: createMailer({ smtpUrl: smtp.url, from: 'Medborgarlöften <no-reply@example.se>' }), publicBaseUrl: BASE, followUp: settings }, on('2024-06-17'));
        const [ra, rb, rc] = await Promise.all([runOn(a), runOn(b), runOn(a)]);
        expect(ra.enqueued + rb.enqueued + rc.enqueued).toBe(2);
        expect(ra.delivered + rb.delivered + rc.delivered).toBe(2);
      } finally {
        await a.close();
        await b.close();
      }
      const keys = (await t.db.selectFrom('mail_outbox').select('dedupe_key').where('dedupe_key', 'like', `reminder:${planned}:3:%`).execute()).map((r) => r.dedupe_key);
      expect(keys).toHaveLength(2);
      expect(mailsTo('polisRapportor')).toHaveLength(2);
      expect(mailsTo('polisAdmin')).toHaveLength(2);
      expect(mailsTo('polisRapportor')[1]!.text).toContain('om 3 dagar');
    });

    it('keeps the mail in the outbox without SMTP, and stops reminding about an activity once it is reported', async () => {
      const other = await meeting(t.db, pledgeId, '2024-09-20', 'planned', 'Brå-möte september');
      await t.db.updateTable('follow_up_meeting').set({ state: 'closed' }).where('id', '=', planned).execute();
      await report(t.db, moped, '2024-09-01', 'in_progress');
      const mailer = createMailer({ from: 'Medborgarlöften <no-reply@example.se>' });
      // 19 days before the September meeting: nothing due; 14 days before: only the municipality's walk has gone stale.
      expect((await sendReminders({ db: t.db, mailer, followUp: settings }, on('2024-09-01'))).reminders).toHaveLength(0);
      const run = await sendReminders({ db: t.db, mailer, followUp: settings }, on('2024-09-06'));
      expect(run).toMatchObject({ enqueued: 1, delivered: 0 });
      const row = await t.db.selectFrom('mail_outbox').selectAll().where('dedupe_key', '=', `reminder:${other}:14:${people.kommunRedaktor!.id}`).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ to_address: people.kommunRedaktor!.email, sent_at: null });
      // The walk was reported in April, before the June meeting, which has now closed.
      expect(row.body_text).toContain('sedan förra Brå-mötet 20 juni 2024');
      expect(row.body_text).toContain(`http://127.0.0.1:3000/admin/aktiviteter/${walk}`);
    });
  });
}

const sqlite = targets.find((x) => x.name === 'sqlite')!;
const exec = promisify(execFile);

describe.skipIf(sqlite.skip)('loften reminders send', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await sqlite.open();
  });
  afterAll(async () => t?.dispose());

  it('dry-runs and then sends to the outbox, once', async () => {
    const police = await buildPoliceArea(t.db);
    const muni = await buildMunicipality(t.db);
    const pledge = await createPledge(t.db, pledgeInput(muni, police, { startsOn: '2020-01-01', endsOn: '2023-12-31' }));
    // The CLI runs on the real date: a meeting 3 days from now, whatever today is.
    const inThreeDays = new Date(Date.now() + 3 * 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Stockholm' });
    await meeting(t.db, pledge.id, inThreeDays, 'planned');
    await createUser(t.db, { email: 'cli-rapportor@example.se', name: 'Cli', partyId: police.id, role: 'reporter' }, null, { actorLabel: 'test' });
    const env = { ...process.env, DATABASE_URL: t.url, SMTP_URL: '', LOG_LEVEL: 'silent' };
    const dry = await exec('node', ['bin/loften.js', 'reminders', 'send', '--dry-run'], { env });
    expect(dry.stdout).toContain(`cli-rapportor@example.se: mötet ${inThreeDays} (3 dagar före), 1 aktivitet`);
    expect(dry.stdout).toContain('Torrkörning: 1 påminnelser skulle skickas, 0 är redan skickade. Inget skickades.');
    const first = await exec('node', ['bin/loften.js', 'reminders', 'send'], { env });
    expect(first.stdout).toContain('Påminnelser: 1 nya, 0 redan skickade tidigare.');
    expect(first.stdout).toContain('Utan SMTP_URL ligger de i utkorgen (/admin/utkorg).');
    const second = await exec('node', ['bin/loften.js', 'reminders', 'send'], { env });
    expect(second.stdout).toContain('Påminnelser: 0 nya, 1 redan skickade tidigare.');
    expect(await t.db.selectFrom('mail_outbox').select('id').execute()).toHaveLength(1);
    const usage = await exec('node', ['bin/loften.js', 'reminders', 'skicka'], { env }).catch((e: { code: number; stderr: string }) => e);
    expect(usage).toMatchObject({ code: 2, stderr: expect.stringContaining('Användning: loften reminders send [--dry-run]') });
  });
});

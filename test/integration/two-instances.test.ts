import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Database } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createUser } from '../../src/features/accounts/account-service.js';
import type { User } from '../../src/features/accounts/user.js';
import { addDays } from '../../src/features/follow-up/public-progress.js';
import { createPledge } from '../../src/features/pledges/pledge-service.js';
import { swedishDate, type Party } from '../../src/features/pledges/pledge.js';
import { SESSION_COOKIE } from '../../src/platform/http/auth.js';
import { signedInAs, type Session } from '../support/auth.js';
import { createPostgresUrl, targets } from '../support/databases.js';
import { buildMunicipality, buildPoliceArea, pledgeInput } from '../support/factories.js';
import { cookieHeader, eventually, formOn, request } from '../support/http-client.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { startSmtp, type TestSmtp } from '../support/smtp-server.js';

/**
 * Two real `loften serve` processes on two ports against one PostgreSQL database behave as one
 * (issue 8, "stateless instances"): sessions, CSRF, editing conflicts, the login throttle, imports,
 * reminders and the public page cache. PostgreSQL only: several processes on one SQLite file are
 * not a supported way to scale out (docs/decisions/scaling.md). In CI PostgreSQL must be there.
 */

const postgres = targets.find((t) => t.name === 'postgres')!;

const PASSWORD = 'en lång och bra lösenfras';
const LOCKED = 'Kontot är tillfälligt låst efter flera misslyckade försök.';
const CONFLICT = 'Någon annan har ändrat det här medan du redigerade';

const LAB_CSV = [
  'site_code;district;population;sample_date;flow_m3_per_day;substance;concentration_ng_per_l;loq_ng_per_l;below_loq',
  'N1;Norra;12000;2024-04-02;3600;amfetamin;400;5;',
  'N1;Norra;12000;2024-04-02;3600;bensoylekgonin;150,5;1;',
  'S1;Södra;1500;2024-04-02;450;amfetamin;300;5;',
].join('\n');

describe.skipIf(postgres.skip)('two instances on one PostgreSQL', () => {
  let made: Awaited<ReturnType<typeof createPostgresUrl>>;
  let db: Database;
  let smtp: TestSmtp;
  let a: ServerProcess;
  let b: ServerProcess;
  let muni: Party;
  let police: Party;
  let draftId: string;
  let muniEditor: Session;
  let policeEditor: Session;
  /** Everyone who reports for a party owning activities: each gets exactly one reminder. */
  const reminded: User[] = [];
  let xff = 0;
  /** Each login from its own client address, so the per-IP throttle does not mix the tests. */
  const fromNewAddress = () => ({ 'x-forwarded-for': `10.8.0.${++xff}` });

  beforeAll(async () => {
    made = await createPostgresUrl();
    db = await connect(made.url);
    await migrateToLatest(db);
    smtp = await startSmtp();

    muni = await buildMunicipality(db.db, { name: 'Tvåinstansers kommun' });
    police = await buildPoliceArea(db.db, { name: 'Lokalpolisområde Tvåinstans' });
    const signed = await createPledge(db.db, pledgeInput(muni, police, { title: 'Löftet som båda visar' }));
    const draft = await createPledge(db.db, pledgeInput(muni, police, { title: 'Utkastet som två redigerar', state: 'draft', startsOn: '2026-01-01', endsOn: '2027-12-31' }));
    draftId = draft.id;
    muniEditor = await signedInAs(db.db, { role: 'editor', partyId: muni.id });
    policeEditor = await signedInAs(db.db, { role: 'editor', partyId: police.id });
    reminded.push(muniEditor.user, policeEditor.user);
    for (const [party, role] of [[muni, 'reporter'], [police, 'admin']] as const)
      reminded.push(await createUser(db.db, { email: `paminns.${role}.${randomUUID().slice(0, 8)}@example.se`, name: `Påminns ${role}`, partyId: party.id, role }, null, { actorLabel: 'test' }));
    // A Brå meeting three days from today (Swedish date): the 3-day reminder is due now.
    const now = new Date().toISOString();
    await db.db
      .insertInto('follow_up_meeting')
      .values({ id: randomUUID(), pledge_id: signed.id, held_on: addDays(swedishDate(new Date()), 3), title: 'Brå-möte', location: null, state: 'planned', created_at: now, updated_at: now, closed_at: null })
      .execute();

    // Both with the periodic reminder run on, which runs once at boot: both run it at once.
    const env = { SMTP_URL: smtp.url, REMINDER_INTERVAL_MINUTES: '60' };
    [a, b] = await Promise.all([startServerProcess({ databaseUrl: made.url, env, timeoutMs: 90_000 }), startServerProcess({ databaseUrl: made.url, env, timeoutMs: 90_000 })]);
  }, 120_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await smtp?.close();
    await db?.close();
    await made?.cleanup();
  });

  it('are two processes on two ports', () => {
    expect(a.url).not.toBe(b.url);
    expect(a.child.pid).not.toBe(b.child.pid);
  });

  it('log in on A with a form from A, and the session works on B; a CSRF pair from A is accepted on B', async () => {
    await createUser(db.db, { email: 'kim@tvainstans.example.se', name: 'Kim Kvist', partyId: muni.id, role: 'viewer', password: PASSWORD }, null, { actorLabel: 'test' });
    // The form (token + CSRF cookie) comes from A, the post goes to B.
    const form = await formOn(a.url, '/logga-in');
    const res = await request(b.url, '/logga-in', { cookie: form.cookie, headers: fromNewAddress(), form: { email: 'kim@tvainstans.example.se', password: PASSWORD, _csrf: form.token } });
    expect(res.status).toBe(303);
    const session = res.cookies[SESSION_COOKIE];
    expect(session).toBeTruthy();
    // The session made by B is good on A and on B.
    for (const at of [a, b]) {
      const admin = await request(at.url, '/admin', { cookie: cookieHeader({ [SESSION_COOKIE]: session! }) });
      expect(admin.status).toBe(200);
      expect(admin.body).toContain('Kim Kvist');
    }
    // The check is real on B: the token without its cookie is refused.
    const bare = await request(b.url, '/logga-in', { headers: fromNewAddress(), form: { email: 'kim@tvainstans.example.se', password: PASSWORD, _csrf: form.token } });
    expect(bare.status).toBe(403);
    // Logging out on A ends the session on B too.
    const out = await formOn(a.url, '/admin', cookieHeader({ [SESSION_COOKIE]: session! }));
    expect((await request(a.url, '/logga-ut', { cookie: out.cookie, form: { _csrf: out.token } })).status).toBe(303);
    expect((await request(b.url, '/admin', { cookie: cookieHeader({ [SESSION_COOKIE]: session! }) })).status).toBe(303);
  });

  it('refuse the second of two saves based on the same version, whichever instance each goes to', async () => {
    const url = `/admin/loften/${draftId}/uppgifter`;
    const onA = await formOn(a.url, url, muniEditor.cookie);
    const onB = await formOn(b.url, url, policeEditor.cookie);
    const version = (html: string) => /name="version" value="(\d+)"/.exec(html)?.[1];
    expect(version(onA.page.body)).toBe(version(onB.page.body));
    const fields = { startsOn: '2026-01-01', endsOn: '2027-12-31', background: 'Bakgrund', version: version(onA.page.body)! };
    const first = await request(a.url, url, { cookie: onA.cookie, form: { ...fields, title: 'Kommunens rubrik', _csrf: onA.token } });
    expect(first.status).toBe(303);
    const second = await request(b.url, url, { cookie: onB.cookie, form: { ...fields, title: 'Polisens rubrik', _csrf: onB.token } });
    expect(second.status).toBe(409);
    expect(second.body).toContain(CONFLICT);
    expect(second.body).toContain('<dd>Kommunens rubrik</dd>');
    const row = await db.db.selectFrom('pledge').select('title').where('id', '=', draftId).executeTakeFirstOrThrow();
    expect(row.title).toBe('Kommunens rubrik');
  });

  it('count failed logins across both: five wrong passwords split over A and B lock the account on either', async () => {
    await createUser(db.db, { email: 'lo@tvainstans.example.se', name: 'Lo Lås', partyId: muni.id, role: 'viewer', password: PASSWORD }, null, { actorLabel: 'test' });
    const login = async (at: ServerProcess, password: string) => {
      const form = await formOn(at.url, '/logga-in');
      return request(at.url, '/logga-in', { cookie: form.cookie, headers: fromNewAddress(), form: { email: 'lo@tvainstans.example.se', password, _csrf: form.token } });
    };
    for (const at of [a, b, a, b, a]) expect((await login(at, 'fel lösenord här')).status).toBe(401);
    for (const at of [b, a]) {
      const locked = await login(at, PASSWORD);
      expect(locked.status).toBe(429);
      expect(locked.body).toContain(LOCKED);
    }
  }, 90_000); // seven argon2id verifications on a busy machine

  it('show an import started on A on B, where it can be saved, and its result back on A', async () => {
    const path = `/admin/avloppsvatten/${muni.id}/import`;
    const form = await formOn(a.url, path, muniEditor.cookie);
    const started = await request(a.url, path, { cookie: form.cookie, multipart: { fields: { _csrf: form.token }, file: { name: 'file', filename: 'labb.csv', content: LAB_CSV } } });
    expect(started.status).toBe(303);
    const page = started.headers.get('location')!;
    expect(page).toMatch(/^\/admin\/avloppsvatten\/import\/[0-9a-f-]{36}$/);
    // A reads the file in the background; B shows the progress and then the preview, from the database.
    const preview = await eventually('the preview on B', async () => {
      const r = await request(b.url, page, { cookie: muniEditor.cookie });
      expect(r.status).toBe(200);
      return r.body.includes('Det här sparas om du godkänner') ? r : null;
    }, 20_000);
    expect(preview.body).toMatch(/<dt>Nya mätvärden<\/dt><dd>3<\/dd>/);
    const save = await formOn(b.url, page, muniEditor.cookie);
    expect((await request(b.url, `${page}/spara`, { cookie: save.cookie, form: { _csrf: save.token } })).status).toBe(303);
    await eventually('the saved import on A', async () => (await request(a.url, page, { cookie: muniEditor.cookie })).body.includes('Importen är sparad'), 20_000);
    const rows = await db.db.selectFrom('wastewater_measurement').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(rows.n)).toBe(3);
  });

  it('show an edit made on A on a public page that B has cached, promptly', async () => {
    const page = `/kommun/${muni.slug}`;
    expect((await request(b.url, page)).body).toContain('Tvåinstansers kommun');
    // A write that no instance announces (straight SQL, not through the app) stays invisible
    // behind B's cache: the page is cached on B.
    const raw = new pg.Client({ connectionString: made.url });
    await raw.connect();
    try {
      await raw.query('update party set name = $1 where id = $2', ['Tyst ändrad kommun', muni.id]);
    } finally {
      await raw.end();
    }
    expect((await request(b.url, page)).body).toContain('Tvåinstansers kommun');

    // The same change through A's admin form reaches B's cache.
    const admin = await signedInAs(db.db, { role: 'admin', partyId: muni.id });
    const edit = await formOn(a.url, `/admin/parter/${muni.id}`, admin.cookie);
    const version = /name="version" value="(\d+)"/.exec(edit.page.body)![1]!;
    const saved = await request(a.url, `/admin/parter/${muni.id}`, { cookie: edit.cookie, form: { version, name: 'Ändrad på A kommun', county: 'Testlän', websiteUrl: '', _csrf: edit.token } });
    expect(saved.status).toBe(303);
    await eventually('B shows the new name', async () => (await request(b.url, page)).body.includes('Ändrad på A kommun'));
  });

  // Last: it stops both instances, so that every reminder run has finished before counting.
  it('send one reminder per person although both ran the reminders at once, and stop gracefully', async () => {
    await eventually('every reminder delivered', () => smtp.received.length >= reminded.length, 20_000);
    expect(await a.stop('SIGTERM')).toBe(0);
    expect(await b.stop('SIGTERM')).toBe(0);
    const recipients = smtp.received.filter((m) => m.subject.startsWith('Påminnelse')).flatMap((m) => m.to);
    expect(recipients.sort()).toEqual(reminded.map((u) => u.email).sort());
    const outbox = await db.db.selectFrom('mail_outbox').select(['to_address', 'sent_at']).where('dedupe_key', 'like', 'reminder:%').execute();
    expect(outbox).toHaveLength(reminded.length);
    expect(outbox.every((m) => m.sent_at !== null)).toBe(true);
  });
});

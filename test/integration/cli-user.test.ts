import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Database } from '../../src/db/connect.js';
import { verifyPassword } from '../../src/features/accounts/password.js';
import { targets } from '../support/databases.js';
import { buildMunicipality } from '../support/factories.js';
import { startSmtp, type TestSmtp } from '../support/smtp-server.js';

const BIN = join(import.meta.dirname, '../../bin/loften.js');

/**
 * Runs the real `loften` binary. Standard in is a pipe that gets `stdin` (or is closed at once),
 * never a terminal; LOFTEN_PASSWORD is cleared unless the test sets it.
 */
function loften(args: string[], env: Record<string, string> = {}, stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, LOFTEN_PASSWORD: '', LOG_LEVEL: 'silent', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}

const oneLine = (s: string) => s.trim().split('\n').length === 1;

describe('loften user: help and usage', () => {
  it('explains itself and is listed in the main help', async () => {
    const help = await loften(['user', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Användning: loften user add --email ADRESS --party KORTNAMN --role ROLL/);
    expect(help.stdout).toContain('LOFTEN_PASSWORD');
    expect((await loften(['--help'])).stdout).toContain('user add --email ADRESS (--party KORTNAMN --role ROLL | --superadmin)');
  });

  it.each([
    [['user'], 'Användning: loften user add'],
    [['user', 'add'], 'Ange --email.'],
    [['user', 'add', '--email', 'a@example.se'], 'Ange både --party och --role, eller --superadmin.'],
    [['user', 'add', '--email', 'a@example.se', '--party', 'x', '--role', 'kung'], 'Okänd roll: kung. Välj admin, editor, reporter eller viewer.'],
    [['user', 'add', '--email', 'a@example.se', '--superadmin', '--role', 'admin'], 'En superadministratör hör inte till någon part'],
  ])('refuses %j with exit 2 and one line', async (args, message) => {
    const r = await loften(args);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe(true);
    expect(r.stderr).toMatch(/^loften: /);
    expect(r.stderr).toContain(message);
  });

  it('refuses --send-reset together with LOFTEN_PASSWORD', async () => {
    const r = await loften(['user', 'add', '--email', 'a@example.se', '--superadmin', '--send-reset'], { LOFTEN_PASSWORD: 'ett långt lösenord' });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('loften: Ange antingen --send-reset eller ett lösenord i LOFTEN_PASSWORD, inte båda.');
  });
});

for (const target of targets) {
  describe.skipIf(target.skip)(`loften user add on ${target.name}`, () => {
    let url: string;
    let dispose: () => Promise<void>;
    let d: Database;
    let smtp: TestSmtp;
    const env = () => ({ DATABASE_URL: url });

    beforeAll(async () => {
      const t = await target.open();
      url = t.url;
      await buildMunicipality(t.db, { name: 'Strängnäs kommun', slug: 'strangnas' });
      await t.close();
      dispose = t.dispose;
      d = await connect(url);
      smtp = await startSmtp();
    });
    afterAll(async () => {
      await d?.close();
      await dispose?.().catch(() => {});
      await smtp?.close();
    });

    const userRow = (email: string) => d.db.selectFrom('app_user').selectAll().where('email', '=', email).executeTakeFirst();

    it('adds a party administrator with the password from LOFTEN_PASSWORD, audited as "loften user add"', async () => {
      const r = await loften(['user', 'add', '--email', 'Anna@Strangnas.se', '--party', 'strangnas', '--role', 'admin', '--name', 'Anna Åberg'], {
        ...env(),
        LOFTEN_PASSWORD: 'en lång och hemlig mening',
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe('Användaren anna@strangnas.se är tillagd som administratör för Strängnäs kommun.');
      const u = (await userRow('anna@strangnas.se'))!;
      expect(u).toMatchObject({ name: 'Anna Åberg', role: 'admin', is_superadmin: 0 });
      expect(await verifyPassword(u.password_hash!, 'en lång och hemlig mening')).toBe(true);
      const audit = await d.db.selectFrom('audit_event').selectAll().where('entity_id', '=', u.id).execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ action: 'user.create', actor_label: 'loften user add', actor_user_id: null, entity_type: 'user' });
      expect(audit[0]!.after_json).not.toContain('hemlig');
    });

    it('adds the first superadmin with the password on standard in', async () => {
      const r = await loften(['user', 'add', '--email', 'drift@example.se', '--superadmin'], env(), 'lösenord från en pipe\n');
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe('Användaren drift@example.se är tillagd som superadministratör.');
      const u = (await userRow('drift@example.se'))!;
      expect(u).toMatchObject({ name: 'drift', is_superadmin: 1, party_id: null, role: null });
      expect(await verifyPassword(u.password_hash!, 'lösenord från en pipe')).toBe(true);
    });

    it('refuses bad input with one Swedish line and exit 1, creating nothing', async () => {
      const cases: [string[], Record<string, string>, string][] = [
        [['--email', 'anna@strangnas.se', '--superadmin'], { LOFTEN_PASSWORD: 'ett långt lösenord' }, 'loften: Det finns redan en användare med anna@strangnas.se.'],
        [['--email', 'ny@example.se', '--party', 'atlantis', '--role', 'editor'], { LOFTEN_PASSWORD: 'ett långt lösenord' }, 'loften: Det finns ingen part med kortnamnet atlantis.'],
        [['--email', 'inte-en-adress', '--superadmin'], { LOFTEN_PASSWORD: 'ett långt lösenord' }, 'loften: Ogiltig e-postadress: inte-en-adress.'],
        [['--email', 'ny@example.se', '--superadmin'], { LOFTEN_PASSWORD: 'kort' }, 'loften: Lösenordet måste ha minst 12 tecken.'],
        [['--email', 'ny@example.se', '--superadmin'], {}, 'loften: Inget lösenord på standard in. Ange det där, i LOFTEN_PASSWORD, eller använd --send-reset.'],
      ];
      // None of them writes, so they may run side by side.
      const results = await Promise.all(cases.map(([args, extra]) => loften(['user', 'add', ...args], { ...env(), ...extra })));
      results.forEach((r, i) => {
        expect(r.code, cases[i]![2]).toBe(1);
        expect(r.stderr.trim()).toBe(cases[i]![2]);
      });
      expect(await userRow('ny@example.se')).toBeUndefined();
    });

    it('with --send-reset and no SMTP, leaves the link in the outbox and prints it', async () => {
      const r = await loften(['user', 'add', '--email', 'bo@strangnas.se', '--party', 'strangnas', '--role', 'editor', '--send-reset'], env());
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe('Användaren bo@strangnas.se är tillagd som redaktör för Strängnäs kommun.');
      expect(r.stderr).toMatch(/^loften: SMTP_URL är inte satt, så ingen e-post skickades\. Meddelandet ligger i utkorgen\. Länken \(gäller i tre dygn\): http:\/\/127\.0\.0\.1:3000\/aterstall\/[A-Za-z0-9_-]{43}\n$/);
      const u = (await userRow('bo@strangnas.se'))!;
      expect(u.password_hash).toBeNull();
      const mail = await d.db.selectFrom('mail_outbox').selectAll().where('to_address', '=', 'bo@strangnas.se').executeTakeFirstOrThrow();
      expect(mail).toMatchObject({ sent_at: null, error: null, subject: 'Välkommen till Medborgarlöften – välj ditt lösenord' });
      expect(mail.body_text).toContain(/\/aterstall\/[A-Za-z0-9_-]{43}/.exec(r.stderr)![0]);
    });

    it('with --send-reset and SMTP_URL, delivers the link by e-mail', async () => {
      const r = await loften(['user', 'add', '--email', 'cia@strangnas.se', '--party', 'strangnas', '--role', 'viewer', '--send-reset'], {
        ...env(),
        SMTP_URL: smtp.url,
        PUBLIC_BASE_URL: 'https://loften.example.se',
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('En länk för att välja lösenord har skickats till cia@strangnas.se.');
      const mail = await smtp.next('cia@strangnas.se');
      expect(mail.text).toMatch(/https:\/\/loften\.example\.se\/aterstall\/[A-Za-z0-9_-]{43}/);
      const row = await d.db.selectFrom('mail_outbox').selectAll().where('to_address', '=', 'cia@strangnas.se').executeTakeFirstOrThrow();
      expect(row.sent_at).not.toBeNull();
    });
  });
}

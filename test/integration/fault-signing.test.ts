import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/features/access/policy.js';
import { startSession } from '../../src/features/accounts/account-service.js';
import { createPledge } from '../../src/features/pledges/pledge-service.js';
import type { Party } from '../../src/features/pledges/pledge.js';
import { freezeForSigning, startAmendment } from '../../src/features/signing/signing.js';
import { contentHash } from '../../src/features/signing/version-content.js';
import { findVersion, listSignatures, listVersionsOfPledge, type PledgeVersion } from '../../src/features/signing/version-repo.js';
import { SESSION_COOKIE } from '../../src/platform/http/auth.js';
import { signedInAs } from '../support/auth.js';
import { targets, type TestDatabase } from '../support/databases.js';
import { buildMunicipality, buildPoliceArea, pledgeInput } from '../support/factories.js';
import { holdTransaction, lockWaiters, postFormHttp, until } from '../support/faults.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { freezeWithAccounts, operatorActor, signAs, SIGNING_PASSWORD } from '../support/signing-flow.js';

/**
 * SIGKILL of the server in the middle of a signing. Signing is one transaction: the signature,
 * and with the last one the publication of the version and the superseding of the one before.
 * After a restart the version is either still waiting for that signature or completely signed,
 * exactly one signed version is in force, every content hash still matches its document and
 * verifies, and signing again completes.
 *
 * PostgreSQL: the test holds a lock on the municipality's row that the signing transaction takes
 * after it has written the signature (before publishing), so the kill lands inside the open
 * transaction, certainly. SQLite has no lock a reader can hold against a writer, so the kill is
 * tried at a spread of delays around the request's own duration, checking after each.
 */

/** SQLite: when to kill, as fractions of one signing request's duration (each try restarts the server). */
const FRACTIONS = [0.5, 0.7, 0.85, 0.95, 1, 1.1];

for (const target of targets) {
  describe.skipIf(target.skip)(`SIGKILL during a signing on ${target.name}`, () => {
    let t: TestDatabase;
    let municipality: Party;
    let operator: Actor;
    let signers: Actor[];
    let pledgeId: string;
    let server: ServerProcess | null = null;
    const deps = () => ({ db: t.db, clock: () => new Date() });

    beforeAll(async () => {
      t = await target.open();
      municipality = await buildMunicipality(t.db, { name: 'Avbrottskommun', slug: 'avbrottskommun' });
      const police = await buildPoliceArea(t.db);
      operator = operatorActor((await signedInAs(t.db, { superadmin: true })).user);
      pledgeId = (await createPledge(t.db, pledgeInput(municipality, police, { state: 'draft', title: 'Löftet som avbryts' }))).id;
      // Version 1 signed by everyone: the version in force that the next one must supersede.
      const first = await freezeWithAccounts(deps(), operator, pledgeId);
      signers = first.signers;
      for (const s of signers) await signAs(deps(), s, first.version);
    });
    afterAll(async () => {
      await server?.stop('SIGKILL');
      await t?.dispose();
    });

    /** A new version, changed from the one in force, signed by everyone but the last signatory. */
    async function versionAwaitingLastSignature(n: number): Promise<PledgeVersion> {
      await startAmendment(deps(), operator, pledgeId);
      await t.db.updateTable('pledge').set({ title: `Löftet som avbryts, ändring ${n}` }).where('id', '=', pledgeId).execute();
      const v = await freezeForSigning(deps(), operator, pledgeId);
      for (const s of signers.slice(0, -1)) await signAs(deps(), s, v);
      return v;
    }

    const last = () => signers[signers.length - 1]!;
    const lastCookie = async () => `${SESSION_COOKIE}=${await startSession(t.db, last().userId, 'password')}`;
    const sign = async (v: PledgeVersion, cookie: string) =>
      postFormHttp(server!.url, `/admin/versioner/${v.id}`, `/admin/versioner/${v.id}/underteckna`, { contentHash: v.contentHash, password: SIGNING_PASSWORD, confirm: 'yes' }, cookie);

    /** All or nothing, one in force, hashes intact; returns whether the version ended up signed. */
    async function checkConsistent(v: PledgeVersion, previous: PledgeVersion): Promise<boolean> {
      const now = (await findVersion(t.db, v.id))!;
      const before = (await findVersion(t.db, previous.id))!;
      const signatures = await listSignatures(t.db, [v.id]);
      const pledge = await t.db.selectFrom('pledge').select('state').where('id', '=', pledgeId).executeTakeFirstOrThrow();
      const published = await t.db.selectFrom('audit_event').select('id').where('action', '=', 'pledge_version.signed').where('entity_id', '=', v.id).execute();
      const all = await listVersionsOfPledge(t.db, pledgeId);
      expect(all.filter((x) => x.state === 'signed')).toHaveLength(1);
      for (const x of all) expect(contentHash(x.document)).toBe(x.contentHash);
      if (now.state === 'signed') {
        expect(signatures).toHaveLength(signers.length);
        expect(before.state).toBe('superseded');
        expect(pledge.state).toBe('signed');
        expect(published).toHaveLength(1);
        return true;
      }
      expect(now.state).toBe('awaiting_signatures');
      expect(signatures.map((s) => s.userId)).not.toContain(last().userId);
      expect(signatures).toHaveLength(signers.length - 1);
      expect(before.state).toBe('signed');
      expect(pledge.state).toBe('draft');
      expect(published).toHaveLength(0);
      return false;
    }

    /** The restarted server shows the version in force as verified. */
    async function expectVerifies(): Promise<void> {
      const inForce = (await listVersionsOfPledge(t.db, pledgeId)).find((x) => x.state === 'signed')!;
      const res = await fetch(`${server!.url}/verifiera?kontrollsumma=${inForce.contentHash}`);
      expect(res.status).toBe(200);
      const body = await res.text();
      expect(body).not.toContain('Det finns ingen undertecknad version med den kontrollsumman.');
      expect(body).toContain(inForce.title);
    }

    async function restart(): Promise<void> {
      server = await startServerProcess({ databaseUrl: t.url });
    }

    it.runIf(target.name === 'postgres')('killed while the transaction waits after writing the signature: nothing of it remains, and signing again publishes', { timeout: 120_000 }, async () => {
      const previous = (await listVersionsOfPledge(t.db, pledgeId)).find((x) => x.state === 'signed')!;
      const v = await versionAwaitingLastSignature(1);
      await restart();
      const cookie = await lastCookie();
      const lock = holdTransaction(t.db, async (trx) => {
        // `no key update`: the signature's foreign key to the party passes; publishing's lock of the party waits.
        await trx.selectFrom('party').select('id').where('id', '=', municipality.id).forNoKeyUpdate().execute();
      });
      await lock.held;
      const request = sign(v, cookie).catch(() => null);
      await until('underskriften väntar inne i transaktionen', async () => (await lockWaiters(t.db, 'from "party"')) > 0, 60_000);
      // Inside the transaction: the signature row is written (uncommitted) and publishing is next.
      await server!.stop('SIGKILL');
      await lock.release();
      expect(await request).toBeNull();

      await restart();
      expect(await checkConsistent(v, previous)).toBe(false);
      await expectVerifies();
      const again = await sign(v, cookie);
      expect(again.status).toBe(303);
      expect(await checkConsistent(v, previous)).toBe(true);
      await expectVerifies();
      await server!.stop('SIGKILL');
    });

    it.runIf(target.name === 'sqlite')('killed at a spread of moments during the request: always all or nothing, and signing again publishes', { timeout: 240_000 }, async () => {
      let n = 10;
      let previous = (await listVersionsOfPledge(t.db, pledgeId)).find((x) => x.state === 'signed')!;
      let v = await versionAwaitingLastSignature(n++);
      // How long one signing takes here, end to end: the kills are spread around it.
      await restart();
      const cookie = await lastCookie();
      const started = performance.now();
      expect((await sign(v, cookie)).status).toBe(303);
      const duration = performance.now() - started;
      expect(await checkConsistent(v, previous)).toBe(true);
      await server!.stop('SIGKILL');

      const outcomes = { before: 0, after: 0 };
      for (const fraction of FRACTIONS) {
        if ((await findVersion(t.db, v.id))!.state === 'signed') {
          previous = v;
          v = await versionAwaitingLastSignature(n++);
        }
        await restart();
        const request = sign(v, cookie).catch(() => null);
        await new Promise((r) => setTimeout(r, duration * fraction));
        await server!.stop('SIGKILL');
        await request;
        const integrity = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(t.db);
        expect(integrity.rows.map((r) => r.integrity_check)).toEqual(['ok']);
        if (await checkConsistent(v, previous)) outcomes.after++;
        else outcomes.before++;
      }
      expect(outcomes.before + outcomes.after).toBe(FRACTIONS.length);

      // Whatever the last kill left, the server comes back and signing completes.
      await restart();
      await expectVerifies();
      if ((await findVersion(t.db, v.id))!.state !== 'signed') expect((await sign(v, cookie)).status).toBe(303);
      expect(await checkConsistent(v, previous)).toBe(true);
      await expectVerifies();
      await server!.stop('SIGKILL');
    });
  });
}

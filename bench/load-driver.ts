/**
 * The mixed workload of `npm run bench:load` (bench/load.ts), usable on its own by a test:
 * seed → real `loften serve` → log in → autocannon (reads and writes) → stop → check every
 * acknowledged write in the database.
 *
 * Writers never compete for a row: client i reports on its own activity of a signed pledge and
 * edits its own activity of a draft, each time with the version its previous write produced. A
 * 409 is therefore never the correct answer here, and any non-303 to a write counts as an error.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { connect, type Database } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createUser, startSession } from '../src/features/accounts/account-service.js';
import { historyOf } from '../src/features/audit/audit.js';
import { seedDemo } from '../src/features/demo/seed.js';
import { listUpdatesOfActivity } from '../src/features/follow-up/activity-update-repo.js';
import { findActivityWithPledge } from '../src/features/pledges/editing-repo.js';
import { findPartyBySlug, listPledgeSummariesOfParty } from '../src/features/pledges/pledge-repo.js';
import { createParty, createPledge } from '../src/features/pledges/pledge-service.js';
import type { Activity, ActivityStatus, PledgeDocument } from '../src/features/pledges/pledge.js';
import { SESSION_COOKIE } from '../src/platform/http/auth.js';
import { startServerProcess, type ServerProcess } from '../test/support/server-process.js';

export const LOAD_PASSWORD = 'Lasttest med ett långt lösenord 2026';
/** One request in this many is a write: 1 in 20 = 5 %. */
export const CYCLE = 20;

export interface LoadOptions {
  databaseUrl: string;
  connections: number;
  /** Measured seconds. */
  duration: number;
  /** Read-only seconds before the measured phase (JIT, page cache); not measured. */
  warmup: number;
  /** Leave the writes out (a comparison run: what do the writes cost the readers?). */
  readsOnly?: boolean;
  /** Staff accounts per role and party (default 2); argon2 makes each one cost a noticeable moment. */
  staffPerRole?: number;
  /**
   * 'form' (default): staff log in through the login form, as people do. 'direct': sessions are
   * started in the database and passwords skipped, which saves argon2's deliberate slowness (the test).
   */
  sessions?: 'form' | 'direct';
  /** Seed the demo as well (the test leaves it out to stay quick). */
  demo: boolean;
  log?: (line: string) => void;
  /** A directory for a V8 CPU profile of the server (written when it stops). */
  profileDir?: string;
  /** Called once the server listens, e.g. to measure a baseline on the side. */
  onServer?: (server: ServerProcess) => Promise<void>;
}

export interface Latencies {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LoadResult {
  seconds: number;
  requests: number;
  throughput: number;
  reads: Latencies;
  writes: Latencies;
  /** Per kind: a status other than the expected ones. */
  badReads: number;
  badWrites: number;
  /** autocannon's connection errors (timeouts included) and timeouts. */
  socketErrors: number;
  timeouts: number;
  errors: number;
  statuses: Record<string, number>;
  acknowledged: { reports: number; edits: number };
  lostWrites: number;
  /** Writes that are in the database more than once, or whose version did not add up. */
  inconsistencies: string[];
  readPaths: string[];
  /** Responses per second of the run, to see stalls that a percentile hides. */
  perSecond: number[];
}

// ---------------------------------------------------------------------------------------------
// Data

interface Writer {
  reportActivity: { id: string; status: ActivityStatus; version: number; account: number };
  editActivity: { id: string; version: number; account: number };
}

interface Fixture {
  accounts: { email: string; role: 'reporter' | 'editor'; partyId: string; session: string | null }[];
  writers: Writer[];
  readPaths: string[];
}

const activitiesOf = (p: PledgeDocument): Activity[] => p.focusAreas.flatMap((fa) => fa.commitments.flatMap((c) => c.activities));

/** A pledge whose activities alternate between the two parties, `n` of them in commitments of ten. */
function pledgeWith(n: number, partyIds: [string, string], extra: { title: string; startsOn: string; endsOn: string; state: 'signed' | 'draft' }) {
  const commitments = Array.from({ length: Math.ceil(n / 10) }, (_, c) => ({
    title: `Åtagande ${c + 1}`,
    description: '',
    activities: Array.from({ length: Math.min(10, n - c * 10) }, (_, a) => ({
      ownerPartyId: partyIds[(c * 10 + a) % 2]!,
      description: `Aktivitet ${c * 10 + a + 1} för lasttestet`,
      target: null,
      schedule: null,
    })),
  }));
  return {
    ...extra,
    background: 'Ett löfte som lasttestet skriver i.',
    signedOn: extra.state === 'signed' ? extra.startsOn : null,
    partyIds,
    signatories: [
      { partyId: partyIds[0], name: 'Kommunstyrelsens ordförande', roleTitle: 'Ordförande' },
      { partyId: partyIds[1], name: 'Lokalpolisområdeschef', roleTitle: 'Chef' },
    ],
    focusAreas: [{ title: 'Trygghet i centrum', description: '', commitments }],
  };
}

async function seedFixture(database: Database, connections: number, demo: boolean, staffPerRole: number, direct: boolean): Promise<Fixture> {
  const db = database.db;
  if (demo) await seedDemo(db);
  const by = { actor: null, label: 'lasttest' };
  const m = await createParty(db, { kind: 'municipality', name: 'Lasttest kommun', slug: 'lasttest', municipalityCode: '9999', county: 'Testlän' }, by);
  const p = await createParty(db, { kind: 'police_area', name: 'Lokalpolisområde Lasttest', slug: 'lpo-lasttest' }, by);
  const parties: [string, string] = [m.id, p.id];
  const year = new Date().getUTCFullYear();
  const signed = await createPledge(db, pledgeWith(connections, parties, { title: 'Medborgarlöfte Lasttest', startsOn: `${year}-01-01`, endsOn: `${year + 1}-12-31`, state: 'signed' }), by);
  const draft = await createPledge(db, pledgeWith(connections, parties, { title: 'Nästa löfte, utkast', startsOn: `${year + 2}-01-01`, endsOn: `${year + 3}-12-31`, state: 'draft' }), by);

  // Reporters and editors of each party (two of each by default); client i uses the accounts of its activity's owner.
  const accounts: Fixture['accounts'] = [];
  const run = randomUUID().slice(0, 8);
  for (const partyId of parties)
    for (const role of ['reporter', 'editor'] as const)
      for (let k = 1; k <= staffPerRole; k++) {
        const email = `${role}${k}.${partyId === m.id ? 'kommun' : 'polis'}.${run}@lasttest.example`;
        const user = await createUser(db, { email, name: `${role} ${k}`, partyId, role, password: direct ? null : LOAD_PASSWORD }, null, { actorLabel: 'lasttest' });
        accounts.push({ email, role, partyId, session: direct ? await startSession(db, user.id, 'password') : null });
      }
  const accountFor = (partyId: string, role: 'reporter' | 'editor', i: number) => {
    const own = accounts.map((a, idx) => ({ a, idx })).filter(({ a }) => a.partyId === partyId && a.role === role);
    return own[Math.floor(i / 2) % own.length]!.idx;
  };

  const signedActivities = activitiesOf(signed);
  const draftActivities = activitiesOf(draft);
  const writers: Writer[] = [];
  for (let i = 0; i < connections; i++) {
    const r = (await findActivityWithPledge(db, signedActivities[i]!.id))!;
    const d = (await findActivityWithPledge(db, draftActivities[i]!.id))!;
    writers.push({
      reportActivity: { id: r.id, status: r.status, version: r.version, account: accountFor(r.owner_party_id, 'reporter', i) },
      editActivity: { id: d.id, version: d.version, account: accountFor(d.owner_party_id, 'editor', i) },
    });
  }

  // Reads, weighted by duplicates: the pages a newspaper link brings, embeds, API, feeds, open data.
  const readPaths = ['/', '/', '/kommun/lasttest', '/kommun/lasttest', '/embed/kommun/lasttest', '/kommun/lasttest/flode.atom', '/api/v1/pledges', `/api/v1/pledges/${signed.id}`];
  if (demo) {
    const strangnas = await findPartyBySlug(db, 'strangnas');
    const periods = strangnas ? await listPledgeSummariesOfParty(db, strangnas.id) : [];
    const followedUp = periods.find((x) => x.periodSlug === '2022-2023') ?? periods[0];
    readPaths.push(
      '/kommun/strangnas',
      '/kommun/strangnas',
      '/kommun/strangnas',
      '/kommun/vingaker',
      '/kommun/stromsund',
      '/embed/kommun/strangnas',
      '/kommun/strangnas/flode.atom',
      '/kommun/strangnas/aktiviteter.json',
      '/data/medborgarloften.csv',
      '/oversikt',
    );
    if (followedUp) readPaths.push(`/kommun/strangnas/${followedUp.periodSlug}/uppfoljning`, `/kommun/strangnas/${followedUp.periodSlug}`, `/api/v1/pledges/${followedUp.id}`);
  }
  return { accounts, writers, readPaths };
}

// ---------------------------------------------------------------------------------------------
// HTTP outside the measured phase

function cookiesOf(res: Response): string[] {
  return res.headers.getSetCookie().map((c) => c.split(';')[0]!);
}

async function expectStatus(res: Response, want: number, what: string): Promise<string> {
  const body = await res.text();
  if (res.status !== want) throw new Error(`${what}: ${res.status}, expected ${want}\n${body.slice(0, 500)}`);
  return body;
}

interface Login {
  cookie: string;
  csrf: string;
}

/** The login form like a browser: its CSRF token and cookie, then the post; argon2 runs here, never under load. */
async function login(base: string, email: string): Promise<Login> {
  const form = await fetch(`${base}/logga-in`, { redirect: 'manual' });
  const html = await expectStatus(form, 200, 'GET /logga-in');
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no CSRF token on /logga-in');
  const csrfCookie = cookiesOf(form).join('; ');
  const res = await fetch(`${base}/logga-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email, password: LOAD_PASSWORD, _csrf: token }).toString(),
  });
  await expectStatus(res, 303, `login ${email}`);
  const session = cookiesOf(res).find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!session) throw new Error(`login ${email}: no session cookie`);
  return { cookie: `${csrfCookie}; ${session}`, csrf: token };
}

/** A session started in the database: the CSRF token and cookie come from a form page, as in a browser. */
async function formToken(base: string, session: string, formPath: string): Promise<Login> {
  const cookie = `${SESSION_COOKIE}=${session}`;
  const res = await fetch(`${base}${formPath}`, { redirect: 'manual', headers: { cookie } });
  const html = await expectStatus(res, 200, `GET ${formPath}`);
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error(`no CSRF token on ${formPath}`);
  return { cookie: [...cookiesOf(res), cookie].join('; '), csrf: token };
}

// ---------------------------------------------------------------------------------------------
// The measured phase

interface Ack {
  kind: 'report' | 'edit';
  activityId: string;
  marker: string;
}

function percentiles(values: number[]): Latencies {
  const s = Float64Array.from(values).sort();
  const at = (q: number) => (s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]! : 0);
  return { count: s.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s.length ? s[s.length - 1]! : 0 };
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded', 'accept-encoding': 'gzip' };
const READ = { 'accept-encoding': 'gzip' };

async function drive(base: string, fx: Fixture, logins: Login[], opts: { connections: number; duration: number; writes: boolean; runId: string }) {
  const readMs: number[] = [];
  const writeMs: number[] = [];
  const statuses: Record<string, number> = {};
  const acks: Ack[] = [];
  /** Every write sent, acknowledged or not: the last one may be committed without its answer arriving before the end. */
  const sent: Ack[] = [];
  let badReads = 0;
  let badWrites = 0;
  let clientNo = 0;
  const t0 = Date.now();
  const perSecond: number[] = [];

  const setupClient = (client: any) => {
    const i = clientNo++;
    const w = fx.writers[i % fx.writers.length]!;
    let last: 'read' | 'write' = 'read';
    let cycle = 0;
    let seq = 0;
    // In flight: what the pending write will have done once acknowledged.
    let pending: { ack: Ack; bump: () => void; resync: (v: number) => void } | null = null;

    const read = (j: number) => ({
      method: 'GET',
      path: fx.readPaths[(i * 7 + j) % fx.readPaths.length]!,
      headers: READ,
      onResponse: (status: number) => {
        last = 'read';
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status >= 400 || status < 200) badReads++;
      },
    });
    const write = {
      method: 'POST',
      setupRequest: (req: any) => {
        const marker = `lasttest-${opts.runId}-c${i}-n${++seq}`;
        if (cycle++ % 2 === 0) {
          const a = w.reportActivity;
          const l = logins[a.account]!;
          pending = { ack: { kind: 'report', activityId: a.id, marker }, bump: () => a.version++, resync: (v) => (a.version = v) };
          sent.push(pending.ack);
          return {
            ...req,
            path: `/admin/aktiviteter/${a.id}/status`,
            headers: { ...FORM, cookie: l.cookie },
            body: new URLSearchParams({ _csrf: l.csrf, version: String(a.version), status: a.status, narrative: `Rapport från lasttestet, ${marker}.` }).toString(),
          };
        }
        const a = w.editActivity;
        const l = logins[a.account]!;
        pending = { ack: { kind: 'edit', activityId: a.id, marker }, bump: () => a.version++, resync: (v) => (a.version = v) };
        sent.push(pending.ack);
        return {
          ...req,
          path: `/admin/aktiviteter/${a.id}`,
          headers: { ...FORM, cookie: l.cookie },
          body: new URLSearchParams({ _csrf: l.csrf, version: String(a.version), description: `Aktivitet ändrad av lasttestet, ${marker}`, targetKind: 'none' }).toString(),
        };
      },
      onResponse: (status: number, body: string) => {
        last = 'write';
        statuses[`write ${status}`] = (statuses[`write ${status}`] ?? 0) + 1;
        if (status === 303 && pending) {
          acks.push(pending.ack);
          pending.bump();
        } else {
          badWrites++;
          // Still an error, but only one: after a timed-out write that did commit, the conflict page
          // carries the stored version, and this writer goes on from there instead of failing forever.
          const stored = status === 409 ? /name="version" value="(\d+)"/.exec(body)?.[1] : undefined;
          if (stored && pending) pending.resync(Number(stored));
        }
        pending = null;
      },
    };
    // The write's place in the cycle differs per client, so writes are spread over time.
    const sequence = Array.from({ length: CYCLE }, (_, j) => (opts.writes && j === i % CYCLE ? write : read(j)));
    client.setRequests(sequence);
    // Emitted after onResponse above, with this response's latency.
    client.on('response', (_status: number, _bytes: number, ms: number) => {
      (last === 'write' ? writeMs : readMs).push(ms);
      const sec = Math.floor((Date.now() - t0) / 1000);
      perSecond[sec] = (perSecond[sec] ?? 0) + 1;
    });
  };

  const result = await autocannon({
    url: base,
    connections: opts.connections,
    duration: opts.duration,
    setupClient,
    // A request on a timed-out connection is an error, never retried silently.
    timeout: 10,
  });
  return { result, readMs, writeMs, statuses, acks, sent, badReads, badWrites, perSecond: Array.from(perSecond, (n) => n ?? 0) };
}

// ---------------------------------------------------------------------------------------------
// Verification

async function verify(database: Database, acks: Ack[], sent: Ack[], fx: Fixture): Promise<{ lost: number; inconsistencies: string[] }> {
  const db = database.db;
  let lost = 0;
  const inconsistencies: string[] = [];
  const byActivity = new Map<string, Ack[]>();
  for (const a of acks) byActivity.set(a.activityId, [...(byActivity.get(a.activityId) ?? []), a]);
  for (const w of fx.writers) {
    const reports = byActivity.get(w.reportActivity.id) ?? [];
    const stored = (await listUpdatesOfActivity(db, w.reportActivity.id)).map((u) => u.narrative);
    for (const r of reports) {
      const n = stored.filter((s) => s.includes(`${r.marker}.`)).length;
      if (n === 0) lost++;
      if (n > 1) inconsistencies.push(`${r.marker} stored ${n} times`);
    }
    // The edits of a draft activity overwrite each other; the audit row of each is written in the same transaction.
    const edits = byActivity.get(w.editActivity.id) ?? [];
    const audited = (await historyOf(db, 'activity', w.editActivity.id)).map((e) => String(e.after?.description ?? ''));
    for (const e of edits) if (!audited.some((d) => d.endsWith(e.marker))) lost++;
    // The stored text is the last acknowledged edit, or one sent after it whose answer the end of the run cut off.
    const row = await findActivityWithPledge(db, w.editActivity.id);
    const lastEdit = edits.at(-1);
    const mine = sent.filter((x) => x.activityId === w.editActivity.id);
    const allowed = lastEdit ? mine.slice(mine.indexOf(lastEdit)) : mine;
    if (lastEdit && !allowed.some((x) => row?.description.endsWith(x.marker)))
      inconsistencies.push(`${w.editActivity.id}: the stored text is older than the last acknowledged edit`);
  }
  return { lost, inconsistencies };
}

// ---------------------------------------------------------------------------------------------

/** The whole run against one database URL (empty, not yet migrated). The server is stopped afterwards. */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const log = opts.log ?? (() => {});
  const database = await connect(opts.databaseUrl);
  let fx: Fixture;
  try {
    await migrateToLatest(database);
    const t = Date.now();
    fx = await seedFixture(database, opts.connections, opts.demo, opts.staffPerRole ?? 2, opts.sessions === 'direct');
    log(`  seeded in ${((Date.now() - t) / 1000).toFixed(1)} s: ${fx.writers.length} writers, ${fx.accounts.length} staff accounts, ${new Set(fx.readPaths).size} public addresses`);
  } finally {
    await database.close();
  }

  const server = await startServerProcess({ databaseUrl: opts.databaseUrl, env: {
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      // The production default (empty counts as unset), not the test helper's 0; the caller's own value wins.
      PAGE_CACHE_GRACE_MS: process.env.PAGE_CACHE_GRACE_MS ?? '',
      // --cpu-prof is refused in NODE_OPTIONS; this preload does the same through node:inspector.
      ...(opts.profileDir
        ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${pathToFileURL(join(import.meta.dirname, 'cpu-profile.mjs')).href}`.trim(), LOFTEN_CPU_PROFILE_DIR: opts.profileDir }
        : {}),
    },
  });
  try {
    const base = server.url;
    for (const path of new Set(fx.readPaths)) await expectStatus(await fetch(`${base}${path}`, { redirect: 'manual' }), 200, `GET ${path}`);
    const t = Date.now();
    const logins: Login[] = [];
    const form = `/admin/aktiviteter/${fx.writers[0]!.reportActivity.id}`;
    for (const a of fx.accounts) logins.push(a.session ? await formToken(base, a.session, form) : await login(base, a.email));
    log(`  ${logins.length} logins in ${((Date.now() - t) / 1000).toFixed(1)} s (before the measured phase)`);
    if (opts.onServer) await opts.onServer(server);

    if (opts.warmup > 0) await drive(base, fx, logins, { connections: opts.connections, duration: opts.warmup, writes: false, runId: 'warmup' });
    const runId = randomUUID().slice(0, 8);
    const d = await drive(base, fx, logins, { connections: opts.connections, duration: opts.duration, writes: !opts.readsOnly, runId });
    const code = await server.stop('SIGTERM');
    if (code !== 0) throw new Error(`loften serve exited with ${code} after the run:\n${server.output().slice(-2000)}`);

    const check = await connect(opts.databaseUrl);
    let verified: { lost: number; inconsistencies: string[] };
    try {
      verified = await verify(check, d.acks, d.sent, fx);
    } finally {
      await check.close();
    }
    const r = d.result;
    const socketErrors = r.errors;
    return {
      seconds: r.duration,
      requests: r.requests.total,
      throughput: r.requests.total / r.duration,
      reads: percentiles(d.readMs),
      writes: percentiles(d.writeMs),
      badReads: d.badReads,
      badWrites: d.badWrites,
      socketErrors,
      timeouts: r.timeouts,
      errors: d.badReads + d.badWrites + socketErrors + r.mismatches,
      statuses: d.statuses,
      acknowledged: { reports: d.acks.filter((a) => a.kind === 'report').length, edits: d.acks.filter((a) => a.kind === 'edit').length },
      lostWrites: verified.lost,
      inconsistencies: verified.inconsistencies,
      readPaths: [...new Set(fx.readPaths)],
      perSecond: d.perSecond,
    };
  } finally {
    await server.stop('SIGKILL');
  }
}

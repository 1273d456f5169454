import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { storageProblem, type Executor } from '../../db/executor.js';
import type { Role } from '../../db/schema.js';
import { AppError, EditConflictError, RateLimitedError } from '../../platform/errors.js';
import { sortSv, compareSv } from '../../platform/text.js';
import { parseOrThrow } from '../../platform/validation.js';
import { authorize, can, type Actor } from '../access/policy.js';
import { recordAudit } from '../audit/audit.js';
import type { Mailer } from '../mail/mailer.js';
import { findPartiesByIds } from '../pledges/pledge-repo.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from './password.js';
import { NewUserInput, StaffUserInput, UserUpdateInput, password as PasswordSchema, email as EmailSchema, passwordProblemFor, roleLabel, type User } from './user.js';
import * as repo from './user-repo.js';

/**
 * Accounts and sessions. Everything lives in the database, so any instance can serve any request.
 * The numbers below are explained in docs/decisions/accounts.md.
 */

/** A session ends after this long without a request … */
export const SESSION_IDLE_MS = 8 * 60 * 60 * 1000;
/** … and at the latest this long after the password (or SSO) login, however active. */
export const SESSION_MAX_MS = 12 * 60 * 60 * 1000;
const SESSION_TOUCH_MS = 5 * 60 * 1000;
export const LOCK_AFTER_FAILURES = 5;
export const LOCK_MS = 15 * 60 * 1000;
export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;
export const THROTTLE_PER_IP = 30;
export const THROTTLE_PER_EMAIL = 10;
/** Reset mails per address and throttle window; more requests get the same answer and no mail. */
export const RESET_MAILS_PER_EMAIL = 3;
export const RESET_TTL_MS = 60 * 60 * 1000;
/** A link in a welcome mail: the new user may not read it the same hour. */
export const INVITE_TTL_MS = 72 * 60 * 60 * 1000;

export interface AccountDeps {
  db: Executor;
  mailer: Mailer;
  clock: () => Date;
  publicBaseUrl?: string;
}

const iso = (d: Date) => d.toISOString();
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const FORBIDDEN = 'Du har inte behörighet att göra det här.';
const INVALID = 'Fel e-postadress eller lösenord.';
const THROTTLED = 'För många inloggningsförsök. Vänta 15 minuter och försök igen.';
const LOCKED = 'Kontot är tillfälligt låst efter flera misslyckade försök. Vänta 15 minuter eller återställ lösenordet.';

/** A random token for a cookie or a link, and the hash that is stored in its place. */
export function newToken(): { token: string; id: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, id: sha256(token) };
}

export function tokenId(token: string): string {
  return sha256(token);
}

export function actorOf(u: { id: string; name: string; email: string; party_id: string | null; role: User['role']; is_superadmin: number }): Actor {
  return { userId: u.id, name: u.name, email: u.email, partyId: u.party_id, role: u.role, isSuperadmin: u.is_superadmin === 1 };
}

/**
 * May `actor` manage the account of a user in `partyId`? Accounts without a party (superadmins)
 * belong to the platform: only those who may create parties may manage them. Asked of the policy.
 */
export function mayManageUser(actor: Actor | null, partyId: string | null): boolean {
  return partyId ? can(actor, { action: 'user.manage', partyId }) : can(actor, { action: 'party.create' });
}

function authorizeManage(actor: Actor | null, partyId: string | null): void {
  if (partyId) return authorize(actor, { action: 'user.manage', partyId });
  authorize(actor, { action: 'party.create' });
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

const emailTaken = (email: string) =>
  new AppError('validation_failed', `Det finns redan en användare med ${email}.`, [{ field: 'email', message: 'Det finns redan en användare med den e-postadressen.' }]);

/**
 * Creates an account. `by` is the administrator doing it, or null for the operator's command line
 * and the tests (then `actorLabel` names them in the audit trail).
 */
export async function createUser(db: Executor, input: NewUserInput, by: Actor | null, opts: { actorLabel?: string; now?: Date } = {}): Promise<User> {
  const u = parseOrThrow(NewUserInput, input);
  if (by) authorizeManage(by, u.isSuperadmin ? null : u.partyId);
  const now = opts.now ?? new Date();
  if (u.password) {
    const problem = passwordProblemFor(u.password, u.email);
    if (problem) throw new AppError('validation_failed', problem, [{ field: 'password', message: problem }]);
  }
  if (!u.isSuperadmin && u.partyId && (await findPartiesByIds(db, [u.partyId])).length === 0)
    throw new AppError('validation_failed', 'Parten finns inte.', [{ field: 'partyId', message: 'Parten finns inte.' }]);
  if (await repo.findUserByEmail(db, u.email)) throw emailTaken(u.email);
  const id = randomUUID();
  const passwordHash = u.password ? await hashPassword(u.password) : null;
  const partyId = u.isSuperadmin ? null : u.partyId;
  const role = u.isSuperadmin ? null : u.role;
  try {
    await db.transaction().execute(async (trx) => {
      await repo.insertUser(trx, { id, email: u.email, name: u.name, partyId, role, isSuperadmin: u.isSuperadmin, passwordHash }, iso(now));
      await recordAudit(
        trx,
        {
          actor: by,
          actorLabel: opts.actorLabel,
          action: 'user.create',
          entityType: 'user',
          entityId: id,
          after: { email: u.email, name: u.name, partyId, role, isSuperadmin: u.isSuperadmin, password: passwordHash !== null },
        },
        now,
      );
    });
  } catch (err) {
    // Two administrators adding the same address at once: the unique index decides.
    if (isUniqueViolation(err)) throw emailTaken(u.email);
    throw err;
  }
  const row = await repo.findUserById(db, id);
  return repo.toUser(row!);
}

function secondsUntil(when: string, now: Date): number {
  return Math.max(1, Math.ceil((Date.parse(when) - now.getTime()) / 1000));
}

export interface LoginResult {
  token: string;
  actor: Actor;
}

/**
 * Password login with two brakes: a throttle per IP and per e-mail address (stored in the
 * database, so it holds across instances), and a temporary lock of the account after repeated
 * failures. The answer never says whether the address exists: an unknown address "locks" after
 * as many tries as a real one.
 */
export async function loginWithPassword(deps: AccountDeps, input: { email: string; password: string; ip: string }): Promise<LoginResult> {
  const now = deps.clock();
  const email = (EmailSchema.safeParse(input.email).data ?? input.email.trim().toLowerCase()).slice(0, 254);
  const windowStart = iso(new Date(now.getTime() - THROTTLE_WINDOW_MS));
  if (Math.random() < 0.02) await repo.pruneAttempts(deps.db, windowStart);
  const byIp = await repo.countAttempt(deps.db, `ip:${input.ip}`, iso(now), windowStart);
  const byEmail = await repo.countAttempt(deps.db, `email:${email}`, iso(now), windowStart);
  if (byIp > THROTTLE_PER_IP || byEmail > THROTTLE_PER_EMAIL) throw new RateLimitedError(THROTTLED, THROTTLE_WINDOW_MS / 1000);

  const user = await repo.findUserByEmail(deps.db, email);
  if (!user || !user.password_hash || user.disabled_at) {
    if (byEmail > LOCK_AFTER_FAILURES) throw new RateLimitedError(LOCKED, LOCK_MS / 1000);
    await burnPasswordCheck(input.password);
    throw new AppError('invalid_credentials', INVALID);
  }
  // While locked, even the right password is refused: the lock is what stops the guessing.
  if (user.locked_until && user.locked_until > iso(now)) throw new RateLimitedError(LOCKED, secondsUntil(user.locked_until, now));
  if (!(await verifyPassword(user.password_hash, input.password))) {
    await repo.recordFailedLogin(deps.db, user.id, LOCK_AFTER_FAILURES, iso(new Date(now.getTime() + LOCK_MS)), iso(now));
    throw new AppError('invalid_credentials', INVALID);
  }
  await repo.clearFailedLogins(deps.db, user.id, iso(now));
  await repo.clearAttempts(deps.db, `email:${email}`);
  return { token: await startSession(deps.db, user.id, 'password', now), actor: actorOf(user) };
}

/**
 * Asks a signed-in user for their password again, e.g. before a signature. Failures count towards
 * the same lock as login, so re-authentication is no side door for guessing a password.
 */
export async function reauthenticate(deps: Pick<AccountDeps, 'db' | 'clock'>, userId: string, password: string): Promise<void> {
  const now = deps.clock();
  const user = await repo.findUserById(deps.db, userId);
  if (!user || user.disabled_at) throw new AppError('forbidden', FORBIDDEN);
  if (!user.password_hash) throw new AppError('invalid_credentials', 'Ditt konto har inget lösenord. Be om en länk för att sätta ett, och skriv sedan under.');
  if (user.locked_until && user.locked_until > iso(now)) throw new RateLimitedError(LOCKED, secondsUntil(user.locked_until, now));
  if (!(await verifyPassword(user.password_hash, password))) {
    await repo.recordFailedLogin(deps.db, user.id, LOCK_AFTER_FAILURES, iso(new Date(now.getTime() + LOCK_MS)), iso(now));
    throw new AppError('invalid_credentials', 'Fel lösenord.');
  }
  await repo.clearFailedLogins(deps.db, user.id, iso(now));
}

export async function startSession(db: Executor, userId: string, method: 'password' | 'oidc', now = new Date()): Promise<string> {
  const { token, id } = newToken();
  await repo.insertSession(db, { id, userId, method, expiresAt: iso(new Date(now.getTime() + Math.min(SESSION_IDLE_MS, SESSION_MAX_MS))) }, iso(now));
  return token;
}

/** The actor behind a session cookie, sliding the idle expiry forward at most every five minutes, never past the maximum. */
export async function resolveSession(db: Executor, token: string | undefined, now = new Date()): Promise<(Actor & { sessionId: string; authenticatedAt: string }) | null> {
  if (!token || token.length > 100) return null;
  const id = tokenId(token);
  const row = await repo.findLiveSession(db, id, iso(now));
  if (!row) return null;
  if (now.getTime() - Date.parse(row.last_seen_at) > SESSION_TOUCH_MS) {
    const expires = Math.min(now.getTime() + SESSION_IDLE_MS, Date.parse(row.authenticated_at) + SESSION_MAX_MS);
    // Best effort: on a read-only or full database a signed-in reader keeps reading.
    await repo.touchSession(db, id, iso(now), iso(new Date(expires))).catch((err: unknown) => {
      if (!storageProblem(err)) throw err;
    });
  }
  return { ...actorOf(row), sessionId: id, authenticatedAt: row.authenticated_at };
}

export async function logout(db: Executor, token: string | undefined): Promise<void> {
  if (token && token.length <= 100) await repo.deleteSession(db, tokenId(token));
}

// Password links ---------------------------------------------------------------------------------

/** reset: the user asked; invite: a new account; renew: an administrator sent a link to an account that has a password. */
type LinkKind = 'reset' | 'invite' | 'renew';

async function enqueuePasswordLink(
  trx: Executor,
  deps: AccountDeps,
  user: { id: string; email: string; name: string },
  kind: LinkKind,
  now: Date,
  partyName?: string | null,
): Promise<string> {
  const { token, id } = newToken();
  const base = (deps.publicBaseUrl ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const link = `${base}/aterstall/${token}`;
  const ttl = kind === 'reset' ? RESET_TTL_MS : INVITE_TTL_MS;
  await repo.insertPasswordReset(trx, { id, userId: user.id, expiresAt: iso(new Date(now.getTime() + ttl)) }, iso(now));
  const mails: Record<LinkKind, { subject: string; text: string }> = {
    invite: {
      subject: 'Välkommen till Medborgarlöften – välj ditt lösenord',
      text: `Hej ${user.name}!\n\nDu har fått ett konto i Medborgarlöften${partyName ? ` för ${partyName}` : ''}.\nÖppna länken inom tre dygn för att välja ditt lösenord:\n\n${link}\n\nSedan loggar du in på ${base}/logga-in med ${user.email}.\n\nOm du inte väntade dig det här kan du bortse från meddelandet.\n`,
    },
    renew: {
      subject: 'Välj ett nytt lösenord till Medborgarlöften',
      text: `Hej ${user.name}!\n\nEn administratör har skickat dig en länk för att välja ett nytt lösenord till Medborgarlöften.\nÖppna länken inom tre dygn:\n\n${link}\n\nDitt nuvarande lösenord fungerar tills du har valt ett nytt.\n`,
    },
    reset: {
      subject: 'Återställ ditt lösenord till Medborgarlöften',
      text: `Hej ${user.name}!\n\nNågon, förhoppningsvis du, har bett om att få återställa lösenordet till Medborgarlöften.\nÖppna länken inom en timme för att välja ett nytt lösenord:\n\n${link}\n\nOm det inte var du kan du bortse från det här meddelandet. Ditt lösenord är oförändrat.\n`,
    },
  };
  await deps.mailer.enqueue(trx, { to: user.email, ...mails[kind] }, now);
  return link;
}

/**
 * "Forgot password": puts a one-hour link in the outbox. Always answers the same, whether or not
 * the address has an account, and sends at most RESET_MAILS_PER_EMAIL per address and window.
 * The caller flushes the mailer (the web form in the background, so timing tells nothing).
 */
export async function requestPasswordReset(deps: AccountDeps, rawEmail: string): Promise<void> {
  const email = parseOrThrow(EmailSchema, rawEmail);
  const now = deps.clock();
  const sent = await repo.countAttempt(deps.db, `reset:${email}`, iso(now), iso(new Date(now.getTime() - THROTTLE_WINDOW_MS)));
  if (sent > RESET_MAILS_PER_EMAIL) return;
  const user = await repo.findUserByEmail(deps.db, email);
  if (!user || user.disabled_at) return;
  await deps.db.transaction().execute(async (trx) => {
    await enqueuePasswordLink(trx, deps, user, 'reset', now);
  });
}

/**
 * An administrator (or, with `by` null, the operator) sends a user a link to choose a password,
 * valid three days: a welcome for an account without one, else a plain "choose a new password".
 * Recorded in the audit trail.
 */
export async function sendPasswordLink(deps: AccountDeps, userId: string, by: Actor | null, opts: { actorLabel?: string } = {}): Promise<{ to: string; link: string }> {
  const row = await repo.findUserById(deps.db, userId);
  if (!row) throw new AppError('not_found', 'Användaren finns inte.');
  if (by) authorizeManage(by, row.party_id);
  if (row.disabled_at) throw new AppError('validation_failed', 'Kontot är inaktiverat. Aktivera det först.');
  const now = deps.clock();
  const partyName = row.party_id ? ((await findPartiesByIds(deps.db, [row.party_id]))[0]?.name ?? null) : null;
  const link = await deps.db.transaction().execute(async (trx) => {
    const l = await enqueuePasswordLink(trx, deps, row, row.password_hash ? 'renew' : 'invite', now, partyName);
    await recordAudit(trx, { actor: by, actorLabel: opts.actorLabel, action: 'user.password_link', entityType: 'user', entityId: row.id, after: { to: row.email } }, now);
    return l;
  });
  return { to: row.email, link };
}

export async function passwordResetIsLive(db: Executor, token: string, now = new Date()): Promise<boolean> {
  if (token.length > 100) return false;
  return (await repo.findLivePasswordReset(db, tokenId(token), iso(now))) !== undefined;
}

/** Sets a new password from a one-time link, and signs the user out everywhere. */
export async function resetPassword(deps: AccountDeps, token: string, newPassword: string): Promise<void> {
  const plain = parseOrThrow(PasswordSchema, newPassword);
  const gone = new AppError('not_found', 'Länken har redan använts eller gått ut. Begär en ny.');
  if (token.length > 100) throw gone;
  const now = deps.clock();
  const live = await repo.findLivePasswordReset(deps.db, tokenId(token), iso(now));
  if (!live) throw gone;
  const user = await repo.findUserById(deps.db, live.user_id);
  if (!user || user.disabled_at) throw gone;
  const problem = passwordProblemFor(plain, user.email);
  if (problem) throw new AppError('validation_failed', problem, [{ field: 'password', message: problem }]);
  const hash = await hashPassword(plain);
  await deps.db.transaction().execute(async (trx) => {
    // The token is consumed in the same transaction as the change: a link works exactly once.
    const userId = await repo.consumePasswordReset(trx, tokenId(token), iso(now));
    if (userId !== user.id) throw gone;
    await repo.setPasswordHash(trx, userId, hash, iso(now));
    await repo.deleteSessionsOfUser(trx, userId);
    await repo.expirePasswordResetsOfUser(trx, userId, iso(now));
    await recordAudit(trx, { actor: null, actorLabel: 'lösenordsåterställning', action: 'user.password_reset', entityType: 'user', entityId: userId }, now);
  });
}

// Administration ---------------------------------------------------------------------------------

export interface UserGroup {
  partyId: string | null;
  title: string;
  users: repo.UserWithParty[];
}

export interface ManageableParty {
  id: string;
  name: string;
}

/** The parties whose users `actor` may manage, by Swedish name. */
export async function manageableParties(db: Executor, actor: Actor): Promise<ManageableParty[]> {
  const all = await repo.listPartyNames(db);
  return sortSv(
    all.filter((p) => mayManageUser(actor, p.id)),
    (p) => p.name,
  );
}

/**
 * The users `actor` may manage, grouped by party: a party administrator sees their own party, a
 * superadmin the superadmins first and then every party with users, all in Swedish order.
 */
export async function listUsersFor(db: Executor, actor: Actor): Promise<UserGroup[]> {
  const parties = await manageableParties(db, actor);
  const platform = mayManageUser(actor, null);
  if (parties.length === 0 && !platform) throw new AppError('forbidden', FORBIDDEN);
  const users = await repo.listUsers(
    db,
    parties.map((p) => p.id),
    platform,
  );
  const byName = (a: User, b: User) => compareSv(a.name, b.name) || compareSv(a.email, b.email);
  const groups: UserGroup[] = [];
  if (platform) {
    const supers = users.filter((u) => u.partyId === null).sort(byName);
    if (supers.length > 0) groups.push({ partyId: null, title: 'Superadministratörer', users: supers });
  }
  for (const p of parties) {
    const members = users.filter((u) => u.partyId === p.id).sort(byName);
    // A party administrator always sees their own party, even before it has other users.
    if (members.length > 0 || p.id === actor.partyId) groups.push({ partyId: p.id, title: p.name, users: members });
  }
  return groups;
}

export interface UserForAdmin extends User {
  partyName: string | null;
}

/** One account for the edit form: 404 if there is none, 403 if it belongs to another party. */
export async function getUserForAdmin(db: Executor, actor: Actor, id: string): Promise<UserForAdmin> {
  const row = await repo.findUserById(db, id);
  if (!row) throw new AppError('not_found', 'Användaren finns inte.');
  authorizeManage(actor, row.party_id);
  const partyName = row.party_id ? ((await findPartiesByIds(db, [row.party_id]))[0]?.name ?? null) : null;
  return { ...repo.toUser(row), partyName };
}

export interface NewStaffInput {
  email: string;
  name: string;
  partyId: string;
  role: string;
  sendLink: boolean;
}

/** An administrator adds a user to a party they manage, optionally mailing a link to choose a password. */
export async function createStaffUser(deps: AccountDeps, actor: Actor, input: NewStaffInput): Promise<{ user: User; linkSent: boolean }> {
  // Another party than one's own is refused before anything else: that is a tampered form, not a typo.
  if (input.partyId) authorizeManage(actor, input.partyId);
  else if ((await manageableParties(deps.db, actor)).length === 0) throw new AppError('forbidden', FORBIDDEN);
  const valid = parseOrThrow(StaffUserInput, { email: input.email, name: input.name, partyId: input.partyId, role: input.role });
  const user = await createUser(deps.db, { ...valid, isSuperadmin: false, password: null }, actor, { now: deps.clock() });
  if (input.sendLink) await sendPasswordLink(deps, user.id, actor);
  return { user, linkSent: input.sendLink };
}

interface Editable {
  name: string;
  role: Role | null;
  disabled: boolean;
}

const editable = (u: { name: string; role: Role | null; disabled_at: string | null }): Editable => ({ name: u.name, role: u.role, disabled: u.disabled_at !== null });

/** What the conflict box shows: the stored values, in words. */
export function describeForConflict(e: Record<string, unknown>): Record<string, string> {
  return {
    Namn: String(e.name ?? ''),
    Roll: e.role ? roleLabel[e.role as Role] : 'Superadministratör',
    Status: e.disabled ? 'Inaktiverat' : 'Aktivt',
  };
}

async function loadForChange(db: Executor, actor: Actor, id: string) {
  const row = await repo.findUserById(db, id);
  if (!row) throw new AppError('not_found', 'Användaren finns inte.');
  authorizeManage(actor, row.party_id);
  return row;
}

async function conflict(db: Executor, id: string): Promise<never> {
  const now = await repo.findUserById(db, id);
  if (!now) throw new AppError('not_found', 'Användaren finns inte.');
  throw new EditConflictError({ ...editable(now) }, now.version);
}

/**
 * Name and role, with optimistic locking on `version`. An administrator cannot take away their
 * own administrator role: a party must not lose its last way in by accident.
 */
export async function updateUser(deps: AccountDeps, actor: Actor, id: string, input: { name: string; role: string | null; version: number | string }): Promise<{ changed: boolean }> {
  const row = await loadForChange(deps.db, actor, id);
  const u = parseOrThrow(UserUpdateInput, input);
  const superadmin = row.is_superadmin === 1;
  if (!superadmin && u.role === null) throw new AppError('validation_failed', 'Välj en roll.', [{ field: 'role', message: 'Välj en roll.' }]);
  const role = superadmin ? null : u.role;
  if (actor.userId === row.id && row.role === 'admin' && role !== 'admin') {
    const message = 'Du kan inte ta bort din egen administratörsroll. Be en annan administratör göra det.';
    throw new AppError('validation_failed', message, [{ field: 'role', message }]);
  }
  const before = editable(row);
  // Nothing to save is never a conflict, even on an old form: no one's change can be lost.
  if (before.name === u.name && before.role === role) return { changed: false };
  const now = deps.clock();
  await deps.db.transaction().execute(async (trx) => {
    if (!(await repo.updateUserFields(trx, id, u.version, { name: u.name, role }, iso(now)))) await conflict(trx, id);
    await recordAudit(
      trx,
      { actor, action: 'user.update', entityType: 'user', entityId: id, before: { name: before.name, role: before.role }, after: { name: u.name, role } },
      now,
    );
  });
  return { changed: true };
}

/**
 * Disables or enables an account; accounts are never deleted, because the audit trail names them.
 * Disabling ends every session and makes unused password links stop working. Nobody disables
 * themselves.
 */
export async function setUserDisabled(deps: AccountDeps, actor: Actor, id: string, disabled: boolean, version: number): Promise<{ changed: boolean }> {
  const row = await loadForChange(deps.db, actor, id);
  if (disabled && actor.userId === row.id) throw new AppError('validation_failed', 'Du kan inte inaktivera ditt eget konto.');
  if (!Number.isInteger(version)) throw new AppError('validation_failed', 'Formuläret saknar version. Ladda om sidan.');
  if ((row.disabled_at !== null) === disabled) return { changed: false };
  const now = deps.clock();
  await deps.db.transaction().execute(async (trx) => {
    if (!(await repo.updateUserFields(trx, id, version, { disabledAt: disabled ? iso(now) : null }, iso(now)))) await conflict(trx, id);
    if (disabled) {
      await repo.deleteSessionsOfUser(trx, id);
      await repo.expirePasswordResetsOfUser(trx, id, iso(now));
    }
    await recordAudit(
      trx,
      { actor, action: disabled ? 'user.disable' : 'user.enable', entityType: 'user', entityId: id, before: { disabled: !disabled }, after: { disabled } },
      now,
    );
  });
  return { changed: true };
}

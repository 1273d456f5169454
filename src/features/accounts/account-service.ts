import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Executor } from '../../db/executor.js';
import { AppError } from '../../platform/errors.js';
import { parseOrThrow } from '../../platform/validation.js';
import type { Actor } from '../access/policy.js';
import { recordAudit } from '../audit/audit.js';
import type { Mailer } from '../mail/mailer.js';
import { findPartiesByIds } from '../pledges/pledge-repo.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from './password.js';
import { NewUserInput, password as PasswordSchema, email as EmailSchema, type User } from './user.js';
import * as repo from './user-repo.js';

/** Accounts and sessions. Everything lives in the database, so any instance can serve any request. */

export const SESSION_IDLE_MS = 8 * 60 * 60 * 1000;
const SESSION_TOUCH_MS = 5 * 60 * 1000;
export const LOCK_AFTER_FAILURES = 5;
export const LOCK_MS = 15 * 60 * 1000;
export const THROTTLE_WINDOW_MS = 15 * 60 * 1000;
export const THROTTLE_PER_IP = 30;
export const THROTTLE_PER_EMAIL = 10;
const RESET_TTL_MS = 60 * 60 * 1000;

export interface AccountDeps {
  db: Executor;
  mailer: Mailer;
  clock: () => Date;
  publicBaseUrl?: string;
}

const iso = (d: Date) => d.toISOString();
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

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

export async function createUser(db: Executor, input: NewUserInput, by: Actor | null, opts: { actorLabel?: string; now?: Date } = {}): Promise<User> {
  const u = parseOrThrow(NewUserInput, input);
  const now = iso(opts.now ?? new Date());
  if (u.partyId && (await findPartiesByIds(db, [u.partyId])).length === 0)
    throw new AppError('validation_failed', 'Parten finns inte.', [{ field: 'partyId', message: 'Parten finns inte.' }]);
  if (await repo.findUserByEmail(db, u.email))
    throw new AppError('validation_failed', `Det finns redan en användare med ${u.email}.`, [{ field: 'email', message: 'E-postadressen används redan.' }]);
  const id = randomUUID();
  const passwordHash = u.password ? await hashPassword(u.password) : null;
  await db.transaction().execute(async (trx) => {
    await repo.insertUser(trx, { id, email: u.email, name: u.name, partyId: u.isSuperadmin ? null : u.partyId, role: u.isSuperadmin ? null : u.role, isSuperadmin: u.isSuperadmin, passwordHash }, now);
    await recordAudit(trx, {
      actor: by,
      actorLabel: opts.actorLabel,
      action: 'user.create',
      entityType: 'user',
      entityId: id,
      after: { email: u.email, name: u.name, partyId: u.partyId, role: u.role, isSuperadmin: u.isSuperadmin },
    });
  });
  const row = await repo.findUserById(db, id);
  return repo.toUser(row!);
}

export interface LoginResult {
  token: string;
  actor: Actor;
}

/**
 * Password login with two brakes: a throttle per IP and per e-mail address (stored in the
 * database, so it holds across instances), and a temporary lock of the account after repeated
 * failures. The answer never says whether the address exists.
 */
export async function loginWithPassword(deps: AccountDeps, input: { email: string; password: string; ip: string }): Promise<LoginResult> {
  const now = deps.clock();
  const email = EmailSchema.safeParse(input.email).data ?? input.email.trim().toLowerCase();
  const windowStart = iso(new Date(now.getTime() - THROTTLE_WINDOW_MS));
  const byIp = await repo.countAttempt(deps.db, `ip:${input.ip}`, iso(now), windowStart);
  const byEmail = await repo.countAttempt(deps.db, `email:${email}`, iso(now), windowStart);
  if (byIp > THROTTLE_PER_IP || byEmail > THROTTLE_PER_EMAIL)
    throw new AppError('rate_limited', 'För många inloggningsförsök. Vänta 15 minuter och försök igen.');

  const user = await repo.findUserByEmail(deps.db, email);
  if (!user || !user.password_hash || user.disabled_at) {
    await burnPasswordCheck(input.password);
    throw new AppError('invalid_credentials', 'Fel e-postadress eller lösenord.');
  }
  if (user.locked_until && user.locked_until > iso(now)) {
    throw new AppError('rate_limited', 'Kontot är tillfälligt låst efter flera misslyckade försök. Vänta 15 minuter eller återställ lösenordet.');
  }
  if (!(await verifyPassword(user.password_hash, input.password))) {
    const failures = user.failed_logins + 1;
    const lockUntil = failures >= LOCK_AFTER_FAILURES ? iso(new Date(now.getTime() + LOCK_MS)) : null;
    await repo.recordFailedLogin(deps.db, user.id, lockUntil, iso(now));
    throw new AppError('invalid_credentials', 'Fel e-postadress eller lösenord.');
  }
  await repo.clearFailedLogins(deps.db, user.id, iso(now));
  await repo.clearAttempts(deps.db, `email:${email}`);
  return { token: await startSession(deps.db, user.id, 'password', now), actor: actorOf(user) };
}

export async function startSession(db: Executor, userId: string, method: 'password' | 'oidc', now = new Date()): Promise<string> {
  const { token, id } = newToken();
  await repo.insertSession(db, { id, userId, method, expiresAt: iso(new Date(now.getTime() + SESSION_IDLE_MS)) }, iso(now));
  return token;
}

/** The actor behind a session cookie, sliding the idle expiry forward at most every five minutes. */
export async function resolveSession(db: Executor, token: string | undefined, now = new Date()): Promise<(Actor & { sessionId: string; authenticatedAt: string }) | null> {
  if (!token || token.length > 100) return null;
  const id = tokenId(token);
  const row = await repo.findLiveSession(db, id, iso(now));
  if (!row) return null;
  if (now.getTime() - Date.parse(row.last_seen_at) > SESSION_TOUCH_MS) {
    await repo.touchSession(db, id, iso(now), iso(new Date(now.getTime() + SESSION_IDLE_MS)));
  }
  return { ...actorOf(row), sessionId: id, authenticatedAt: row.authenticated_at };
}

export async function logout(db: Executor, token: string | undefined): Promise<void> {
  if (token) await repo.deleteSession(db, tokenId(token));
}

/** Always answers the same, whether or not the address has an account. */
export async function requestPasswordReset(deps: AccountDeps, rawEmail: string): Promise<void> {
  const email = parseOrThrow(EmailSchema, rawEmail);
  const user = await repo.findUserByEmail(deps.db, email);
  if (!user || user.disabled_at) return;
  const now = deps.clock();
  const { token, id } = newToken();
  const link = `${deps.publicBaseUrl ?? 'http://127.0.0.1:3000'}/aterstall/${token}`;
  await deps.db.transaction().execute(async (trx) => {
    await repo.insertPasswordReset(trx, { id, userId: user.id, expiresAt: iso(new Date(now.getTime() + RESET_TTL_MS)) }, iso(now));
    await deps.mailer.enqueue(
      trx,
      {
        to: user.email,
        subject: 'Återställ ditt lösenord till Medborgarlöften',
        text: `Hej ${user.name}!\n\nNågon, förhoppningsvis du, har bett om att få återställa lösenordet till Medborgarlöften.\nÖppna länken inom en timme för att välja ett nytt lösenord:\n\n${link}\n\nOm det inte var du kan du bortse från det här meddelandet. Ditt lösenord är oförändrat.\n`,
      },
      now,
    );
  });
  await deps.mailer.flush(deps.db);
}

export async function passwordResetIsLive(db: Executor, token: string, now = new Date()): Promise<boolean> {
  return (await repo.findLivePasswordReset(db, tokenId(token), iso(now))) !== undefined;
}

/** Sets a new password from a one-time link, and signs the user out everywhere. */
export async function resetPassword(deps: AccountDeps, token: string, newPassword: string): Promise<void> {
  const plain = parseOrThrow(PasswordSchema, newPassword);
  const hash = await hashPassword(plain);
  const now = iso(deps.clock());
  await deps.db.transaction().execute(async (trx) => {
    const userId = await repo.consumePasswordReset(trx, tokenId(token), now);
    if (!userId) throw new AppError('not_found', 'Länken har redan använts eller gått ut. Begär en ny.');
    await repo.setPasswordHash(trx, userId, hash, now);
    await repo.deleteSessionsOfUser(trx, userId);
    await recordAudit(trx, { actor: null, actorLabel: 'lösenordsåterställning', action: 'user.password_reset', entityType: 'user', entityId: userId });
  });
}

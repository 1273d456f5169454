import type { Selectable } from 'kysely';
import type { Executor } from '../../db/executor.js';
import type { AppUserTable, Role } from '../../db/schema.js';
import type { User } from './user.js';

export function toUser(r: Selectable<AppUserTable>): User {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    partyId: r.party_id,
    role: r.role,
    isSuperadmin: r.is_superadmin === 1,
    hasPassword: r.password_hash !== null,
    failedLogins: r.failed_logins,
    lockedUntil: r.locked_until,
    disabledAt: r.disabled_at,
    version: r.version,
  };
}

export async function insertUser(
  db: Executor,
  u: { id: string; email: string; name: string; partyId: string | null; role: Role | null; isSuperadmin: boolean; passwordHash: string | null },
  now: string,
): Promise<void> {
  await db
    .insertInto('app_user')
    .values({
      id: u.id,
      email: u.email,
      name: u.name,
      party_id: u.partyId,
      role: u.role,
      is_superadmin: u.isSuperadmin ? 1 : 0,
      password_hash: u.passwordHash,
      created_at: now,
      updated_at: now,
    })
    .execute();
}

export async function findUserByEmail(db: Executor, email: string) {
  return db.selectFrom('app_user').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function findUserById(db: Executor, id: string) {
  return db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findUsersByIds(db: Executor, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('app_user').selectAll().where('id', 'in', ids).execute();
}

export interface UserWithParty extends User {
  partyName: string | null;
}

/** Users of the given parties, plus those without a party (superadmins) when `withoutParty` is set. */
export async function listUsers(db: Executor, partyIds: readonly string[], withoutParty: boolean): Promise<UserWithParty[]> {
  if (partyIds.length === 0 && !withoutParty) return [];
  const rows = await db
    .selectFrom('app_user')
    .leftJoin('party', 'party.id', 'app_user.party_id')
    .selectAll('app_user')
    .select('party.name as party_name')
    .where((eb) => {
      const ors = [];
      if (partyIds.length > 0) ors.push(eb('app_user.party_id', 'in', partyIds));
      if (withoutParty) ors.push(eb('app_user.party_id', 'is', null));
      return eb.or(ors);
    })
    .execute();
  return rows.map((r) => ({ ...toUser(r), partyName: r.party_name }));
}

export async function listPartyNames(db: Executor): Promise<{ id: string; name: string }[]> {
  return db.selectFrom('party').select(['id', 'name']).execute();
}

/** Optimistic update: changes the row only if it still has `version`. Returns whether it did. */
export async function updateUserFields(
  db: Executor,
  id: string,
  version: number,
  fields: { name?: string; role?: Role | null; disabledAt?: string | null },
  now: string,
): Promise<boolean> {
  const r = await db
    .updateTable('app_user')
    .set((eb) => ({
      ...(fields.name !== undefined ? { name: fields.name } : {}),
      ...(fields.role !== undefined ? { role: fields.role } : {}),
      ...(fields.disabledAt !== undefined ? { disabled_at: fields.disabledAt } : {}),
      updated_at: now,
      version: eb('version', '+', 1),
    }))
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function listUsersOfParty(db: Executor, partyId: string | null): Promise<User[]> {
  let q = db.selectFrom('app_user').selectAll();
  q = partyId === null ? q.where('is_superadmin', '=', 1) : q.where('party_id', '=', partyId);
  return (await q.execute()).map(toUser);
}

/**
 * Counts a failed password and, at `lockAfter` failures, locks the account until `lockUntil` and
 * starts counting afresh, so an expired lock gives a full new set of tries. One statement each,
 * so concurrent failures cannot lose a count.
 */
export async function recordFailedLogin(db: Executor, userId: string, lockAfter: number, lockUntil: string, now: string): Promise<{ locked: boolean }> {
  const row = await db
    .updateTable('app_user')
    .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1), updated_at: now }))
    .where('id', '=', userId)
    .returning('failed_logins')
    .executeTakeFirst();
  if (!row || Number(row.failed_logins) < lockAfter) return { locked: false };
  await db.updateTable('app_user').set({ failed_logins: 0, locked_until: lockUntil, updated_at: now }).where('id', '=', userId).execute();
  return { locked: true };
}

export async function clearFailedLogins(db: Executor, userId: string, now: string): Promise<void> {
  await db.updateTable('app_user').set({ failed_logins: 0, locked_until: null, updated_at: now }).where('id', '=', userId).execute();
}

export async function setPasswordHash(db: Executor, userId: string, hash: string, now: string): Promise<void> {
  await db
    .updateTable('app_user')
    // No version bump: the version guards what the admin form edits (name, role, disabled), and a
    // password change in between must not turn an administrator's save into a conflict.
    .set({ password_hash: hash, failed_logins: 0, locked_until: null, updated_at: now })
    .where('id', '=', userId)
    .execute();
}

// Sessions -------------------------------------------------------------------------------------

export async function insertSession(
  db: Executor,
  s: { id: string; userId: string; method: 'password' | 'oidc'; expiresAt: string },
  now: string,
): Promise<void> {
  await db
    .insertInto('user_session')
    .values({ id: s.id, user_id: s.userId, method: s.method, created_at: now, authenticated_at: now, last_seen_at: now, expires_at: s.expiresAt })
    .execute();
}

export async function findLiveSession(db: Executor, id: string, now: string) {
  return db
    .selectFrom('user_session')
    .innerJoin('app_user', 'app_user.id', 'user_session.user_id')
    .select([
      'user_session.id as session_id',
      'user_session.last_seen_at',
      'user_session.authenticated_at',
      'user_session.method',
      'app_user.id',
      'app_user.email',
      'app_user.name',
      'app_user.party_id',
      'app_user.role',
      'app_user.is_superadmin',
    ])
    .where('user_session.id', '=', id)
    .where('user_session.expires_at', '>', now)
    .where('app_user.disabled_at', 'is', null)
    .executeTakeFirst();
}

export async function touchSession(db: Executor, id: string, now: string, expiresAt: string): Promise<void> {
  await db.updateTable('user_session').set({ last_seen_at: now, expires_at: expiresAt }).where('id', '=', id).execute();
}

export async function deleteSession(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('user_session').where('id', '=', id).execute();
}

export async function deleteSessionsOfUser(db: Executor, userId: string): Promise<void> {
  await db.deleteFrom('user_session').where('user_id', '=', userId).execute();
}

// Throttling -----------------------------------------------------------------------------------

/** Counts one attempt against `key` in a fixed window and returns the count so far, atomically. */
export async function countAttempt(db: Executor, key: string, now: string, windowStartedAfter: string): Promise<number> {
  const row = await db
    .insertInto('login_throttle')
    .values({ key, window_started_at: now, attempts: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({
        attempts: eb
          .case()
          .when('login_throttle.window_started_at', '<=', windowStartedAfter)
          .then(1)
          .else(eb('login_throttle.attempts', '+', 1))
          .end(),
        window_started_at: eb
          .case()
          .when('login_throttle.window_started_at', '<=', windowStartedAfter)
          .then(now)
          .else(eb.ref('login_throttle.window_started_at'))
          .end(),
      })),
    )
    .returning('attempts')
    .executeTakeFirstOrThrow();
  return Number(row.attempts);
}

/** Forgets windows that have ended; the table would otherwise keep one row per address ever tried. */
export async function pruneAttempts(db: Executor, windowStartedAfter: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('window_started_at', '<=', windowStartedAfter).execute();
}

export async function clearAttempts(db: Executor, key: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', key).execute();
}

// Password reset -------------------------------------------------------------------------------

export async function insertPasswordReset(db: Executor, r: { id: string; userId: string; expiresAt: string }, now: string): Promise<void> {
  await db.insertInto('password_reset').values({ id: r.id, user_id: r.userId, created_at: now, expires_at: r.expiresAt }).execute();
}

/** Marks a live reset token used and returns its user, or nothing: a token works once. */
export async function consumePasswordReset(db: Executor, id: string, now: string): Promise<string | null> {
  const row = await db
    .updateTable('password_reset')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('user_id')
    .executeTakeFirst();
  return row?.user_id ?? null;
}

export async function findLivePasswordReset(db: Executor, id: string, now: string) {
  return db.selectFrom('password_reset').select('user_id').where('id', '=', id).where('used_at', 'is', null).where('expires_at', '>', now).executeTakeFirst();
}

/** Makes every unused link of a user stop working (after a reset, or when the account is disabled). Rows are kept. */
export async function expirePasswordResetsOfUser(db: Executor, userId: string, now: string): Promise<void> {
  await db.updateTable('password_reset').set({ expires_at: now }).where('user_id', '=', userId).where('used_at', 'is', null).where('expires_at', '>', now).execute();
}

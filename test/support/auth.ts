import type { FastifyInstance } from 'fastify';
import type { Role } from '../../src/db/schema.js';
import type { Executor } from '../../src/db/executor.js';
import { createUser, startSession } from '../../src/features/accounts/account-service.js';
import type { User } from '../../src/features/accounts/user.js';
import { SESSION_COOKIE } from '../../src/platform/http/auth.js';

let n = 0;

export interface Session {
  user: User;
  /** Cookie header with the session (and, after `csrf()`, the CSRF secret). */
  cookie: string;
}

/** A user with a live session, without going through the login form (that has tests of its own). */
export async function signedInAs(db: Executor, who: { role?: Role; partyId?: string | null; superadmin?: boolean; password?: string }): Promise<Session> {
  n++;
  const user = await createUser(
    db,
    {
      email: `anvandare${n}.${Date.now()}@example.se`,
      name: `Användare ${n}`,
      partyId: who.superadmin ? null : (who.partyId ?? null),
      role: who.superadmin ? null : (who.role ?? null),
      isSuperadmin: who.superadmin ?? false,
      password: who.password ?? null,
    },
    null,
    { actorLabel: 'test' },
  );
  const token = await startSession(db, user.id, 'password');
  return { user, cookie: `${SESSION_COOKIE}=${token}` };
}

/** Fetches a page that has a form and returns its CSRF token plus the cookie header to post with. */
export async function csrfFor(app: FastifyInstance, url: string, cookie = ''): Promise<{ token: string; cookie: string }> {
  const res = await app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });
  const token = /name="_csrf" value="([^"]+)"/.exec(res.body)?.[1];
  if (!token) throw new Error(`Ingen CSRF-token på ${url} (status ${res.statusCode})`);
  const secret = res.cookies.find((c) => c.name === 'loften_csrf');
  const jar = [cookie, secret ? `loften_csrf=${secret.value}` : ''].filter(Boolean).join('; ');
  return { token, cookie: jar };
}

/** Posts a form the way a browser does (urlencoded), with a valid CSRF token from `formUrl`. */
export async function postForm(app: FastifyInstance, formUrl: string, action: string, fields: Record<string, string>, cookie = '') {
  const c = await csrfFor(app, formUrl, cookie);
  return app.inject({
    method: 'POST',
    url: action,
    headers: { cookie: c.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...fields, _csrf: c.token }).toString(),
  });
}

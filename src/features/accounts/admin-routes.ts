import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../../app.js';
import { AppError, EditConflictError } from '../../platform/errors.js';
import { emptyForm, type FormState } from '../../platform/views/forms.js';
import { authorize } from '../access/policy.js';
import { adminContext, flashFrom, redirectWithFlash, sendAdminPage } from '../admin/context.js';
import type { AdminContext } from '../admin/views/admin-layout.js';
import { deliverInBackground, listOutbox } from '../mail/mailer.js';
import { OutboxPage } from '../mail/views/outbox-page.js';
import {
  createStaffUser,
  describeForConflict,
  getUserForAdmin,
  listUsersFor,
  manageableParties,
  mayManageUser,
  sendPasswordLink,
  setUserDisabled,
  updateUser,
} from './account-service.js';
import { EditUserPage, NewUserPage, UserListPage } from './views/user-admin-pages.js';

type Body = Record<string, unknown>;

/** A form field as a string: browsers send strings, a tampered form may send arrays or nothing. */
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

const Id = z.uuid();
function userId(raw: string): string {
  if (!Id.safeParse(raw).success) throw new AppError('invalid_id', 'Id:t har fel format.');
  return raw;
}

/** Validation errors go back into the form; everything else (403, 404, 500) to the error handler. */
function formErrors(err: unknown): FormState['errors'] {
  if (err instanceof AppError && err.code === 'validation_failed') return err.fields.length > 0 ? err.fields : [{ field: '_form', message: err.message }];
  throw err;
}

/** Staff management: users of a party, the mail outbox. */
export function accountAdminRoutes(app: FastifyInstance, deps: AppDeps): void {
  const now = () => deps.clock().toISOString();

  app.get('/admin/anvandare', async (req, reply) => {
    const ctx = adminContext(req, reply, flashFrom(req));
    const groups = await listUsersFor(deps.db, ctx.actor);
    const canCreate = (await manageableParties(deps.db, ctx.actor)).length > 0;
    return sendAdminPage(reply, UserListPage({ ctx, groups, canCreate, now: now() }));
  });

  async function newUserPage(ctx: AdminContext, reply: FastifyReply, state: FormState, status = 200) {
    const parties = await manageableParties(deps.db, ctx.actor);
    if (parties.length === 0) throw new AppError('forbidden', 'Du har inte behörighet att göra det här.');
    if (parties.length === 1 && !state.values.partyId) state = { ...state, values: { ...state.values, partyId: parties[0]!.id } };
    return sendAdminPage(reply, NewUserPage({ ctx, state, parties }), status);
  }

  app.get('/admin/anvandare/ny', async (req, reply) => newUserPage(adminContext(req, reply), reply, emptyForm({ role: 'editor', sendLink: 'ja' })));

  app.post<{ Body: Body }>('/admin/anvandare/ny', async (req, reply) => {
    const ctx = adminContext(req, reply);
    const b = req.body ?? {};
    const input = { email: str(b.email), name: str(b.name), partyId: str(b.partyId), role: str(b.role), sendLink: str(b.sendLink) === 'ja' };
    try {
      const { user, linkSent } = await createStaffUser(deps, ctx.actor, input);
      if (linkSent) deliverInBackground(deps.mailer, deps.db, req.log);
      const flash = linkSent ? `${user.name} är tillagd. En länk för att välja lösenord har skickats till ${user.email}.` : `${user.name} är tillagd.`;
      return redirectWithFlash(reply, `/admin/anvandare/${user.id}`, flash);
    } catch (err) {
      const errors = formErrors(err);
      return newUserPage(ctx, reply, { values: { ...input, sendLink: input.sendLink ? 'ja' : '' }, errors }, 422);
    }
  });

  app.get<{ Params: { id: string } }>('/admin/anvandare/:id', async (req, reply) => {
    const ctx = adminContext(req, reply, flashFrom(req));
    const user = await getUserForAdmin(deps.db, ctx.actor, userId(req.params.id));
    const state = emptyForm({ name: user.name, role: user.role ?? '', version: String(user.version) });
    return sendAdminPage(reply, EditUserPage({ ctx, user, state, now: now() }));
  });

  app.post<{ Params: { id: string }; Body: Body }>('/admin/anvandare/:id', async (req: FastifyRequest<{ Params: { id: string }; Body: Body }>, reply) => {
    const ctx = adminContext(req, reply);
    const id = userId(req.params.id);
    const b = req.body ?? {};
    const action = str(b.atgard) || 'spara';
    const version = str(b.version);
    const path = `/admin/anvandare/${id}`;
    try {
      switch (action) {
        case 'spara': {
          const r = await updateUser(deps, ctx.actor, id, { name: str(b.name), role: str(b.role) || null, version });
          return redirectWithFlash(reply, path, r.changed ? 'Ändringarna är sparade.' : 'Det fanns inga ändringar att spara.');
        }
        case 'inaktivera':
        case 'aktivera': {
          const disable = action === 'inaktivera';
          const r = await setUserDisabled(deps, ctx.actor, id, disable, Number.parseInt(version, 10));
          const flash = r.changed ? (disable ? 'Kontot är inaktiverat och alla dess inloggningar är avslutade.' : 'Kontot är aktiverat.') : disable ? 'Kontot var redan inaktiverat.' : 'Kontot var redan aktivt.';
          return redirectWithFlash(reply, path, flash);
        }
        case 'skicka-lank': {
          const { to } = await sendPasswordLink(deps, id, ctx.actor);
          deliverInBackground(deps.mailer, deps.db, req.log);
          return redirectWithFlash(reply, path, `En länk för att välja lösenord har skickats till ${to}.`);
        }
        default:
          throw new AppError('invalid_parameter', 'Okänd åtgärd.');
      }
    } catch (err) {
      // Both re-renders load the account afresh: 403/404 still apply, and the header shows what is stored now.
      if (err instanceof EditConflictError) {
        const user = await getUserForAdmin(deps.db, ctx.actor, id);
        const values = action === 'spara' ? { name: str(b.name), role: str(b.role) } : { name: user.name, role: user.role ?? '' };
        const state: FormState = { values: { ...values, version: String(err.currentVersion) }, errors: [] };
        return sendAdminPage(reply, EditUserPage({ ctx, user, state, conflict: { current: describeForConflict(err.current) }, now: now() }), 409);
      }
      const errors = formErrors(err);
      const user = await getUserForAdmin(deps.db, ctx.actor, id);
      const values = action === 'spara' ? { name: str(b.name), role: str(b.role), version } : { name: user.name, role: user.role ?? '', version: String(user.version) };
      return sendAdminPage(reply, EditUserPage({ ctx, user, state: { values, errors }, now: now() }), 422);
    }
  });

  app.get('/admin/utkorg', async (req, reply) => {
    const ctx = adminContext(req, reply);
    authorize(ctx.actor, { action: 'outbox.read' });
    // Mail carries password links: an administrator reads only mail to the parties they manage.
    const everything = mayManageUser(ctx.actor, null);
    const scope = everything ? ({ all: true } as const) : { partyIds: (await manageableParties(deps.db, ctx.actor)).map((p) => p.id) };
    const entries = await listOutbox(deps.db, scope);
    return sendAdminPage(reply, OutboxPage({ ctx, entries, smtp: deps.mailer.smtp, everything }));
  });
}

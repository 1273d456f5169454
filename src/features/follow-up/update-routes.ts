import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../app.js';
import { AppError } from '../../platform/errors.js';
import type { FormState } from '../../platform/views/forms.js';
import { authorize, can } from '../access/policy.js';
import { adminContext, redirectWithFlash, sendAdminPage } from '../admin/context.js';
import { attempt, singleValues, uuidOr404, type Body } from '../admin/form-helpers.js';
import { findActivityWithPledge, loadPledgeRef } from '../pledges/editing-repo.js';
import { findPartiesByIds } from '../pledges/pledge-repo.js';
import { respondToUpdate, targetOf, updateWithContext } from './activity-updates.js';
import { UpdatePage } from './views/update-page.js';

/** /admin/aktivitetsrapporter/:id: one activity update, and the other party's acknowledgement or comment. */
export function updateRoutes(app: FastifyInstance, deps: AppDeps): void {
  async function updatePage(req: FastifyRequest, reply: FastifyReply, id: string, state: FormState = { values: {}, errors: [] }, status = 200) {
    const ctx = adminContext(req, reply);
    const entry = await updateWithContext(deps.db, id);
    if (!entry) throw new AppError('not_found');
    const row = await findActivityWithPledge(deps.db, entry.activityId);
    const pledge = row ? await loadPledgeRef(deps.db, row.pledge_id) : null;
    if (!row || !pledge) throw new AppError('not_found');
    authorize(ctx.actor, { action: 'pledge.read', pledge });
    const parties = new Map((await findPartiesByIds(deps.db, [...pledge.partyIds])).map((p) => [p.id, p.name]));
    return sendAdminPage(
      reply,
      UpdatePage({
        ctx,
        entry,
        activityDescription: row.description,
        partyName: (pid) => parties.get(pid) ?? '',
        target: targetOf(row),
        canRespond: can(ctx.actor, { action: 'activity.respond', pledge, ownerPartyId: row.owner_party_id }),
        state,
      }),
      status,
    );
  }

  app.get<{ Params: { id: string } }>('/admin/aktivitetsrapporter/:id', async (req, reply) => updatePage(req, reply, uuidOr404(req.params.id)));

  app.post<{ Params: { id: string }; Body: Body }>('/admin/aktivitetsrapporter/:id/svar', async (req, reply) => {
    const id = uuidOr404(req.params.id);
    const body = singleValues(req.body ?? {});
    let activityId = '';
    const failed = await attempt(async () => {
      activityId = (await respondToUpdate(deps, req.actor, id, body)).activityId;
    });
    if (!failed) return redirectWithFlash(reply, `/admin/aktiviteter/${activityId}`, body.kind === 'acknowledge' ? 'Rapporten är kvitterad.' : 'Kommentaren är sparad.');
    return updatePage(req, reply, id, { values: body, errors: failed.errors }, 422);
  });
}

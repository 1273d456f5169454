import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.js';
import { AppError } from '../../platform/errors.js';
import { sortSv } from '../../platform/text.js';
import type { FormState } from '../../platform/views/forms.js';
import type { Actor } from '../access/policy.js';
import { listParties } from '../pledges/party-repo.js';
import { copyPledge, copySource } from '../pledges/pledge-copy.js';
import { canStartPledge, createDraftPledge } from '../pledges/pledge-drafts.js';
import { adminContext, redirectWithFlash, sendAdminPage } from './context.js';
import { attempt, manyValues, singleValues, uuidOr404, type Body } from './form-helpers.js';
import { CopyPledgePage, NewPledgePage } from './views/pledge-create-pages.js';

/** Starting a pledge: a blank draft (/admin/loften/ny) or a copy of an earlier one into a new period. */
export function pledgeCreateRoutes(app: FastifyInstance, deps: AppDeps): void {
  async function newPledgePage(actor: Actor, state: FormState, selected: readonly string[]) {
    const parties = sortSv(await listParties(deps.db), (p) => p.name);
    // The operator belongs to no party; everyone else always has their own party in the pledge.
    const own = parties.find((p) => p.id === actor.partyId) ?? null;
    return { parties, own, state, selected };
  }

  app.get('/admin/loften/ny', async (req, reply) => {
    const ctx = adminContext(req, reply);
    if (!canStartPledge(ctx.actor)) throw new AppError('forbidden', 'Du har inte behörighet att göra det här.');
    return sendAdminPage(reply, NewPledgePage({ ctx, ...(await newPledgePage(ctx.actor, { values: {}, errors: [] }, [])) }));
  });

  app.post<{ Body: Body }>('/admin/loften/ny', async (req, reply) => {
    const body = req.body ?? {};
    let id: string | undefined;
    const failed = await attempt(async () => {
      id = (await createDraftPledge(deps, req.actor, body)).id;
    });
    if (!failed && id) return redirectWithFlash(reply, `/admin/loften/${id}`, 'Utkastet är skapat.');
    const ctx = adminContext(req, reply);
    const state = { values: singleValues(body), errors: failed?.errors ?? [] };
    return sendAdminPage(reply, NewPledgePage({ ctx, ...(await newPledgePage(ctx.actor, state, manyValues(body.partyIds))) }), 422);
  });

  app.get<{ Params: { id: string } }>('/admin/loften/:id/kopiera', async (req, reply) => {
    const ctx = adminContext(req, reply);
    const { source, defaults } = await copySource(deps.db, ctx.actor, uuidOr404(req.params.id));
    return sendAdminPage(reply, CopyPledgePage({ ctx, source, state: { values: { ...defaults }, errors: [] } }));
  });

  app.post<{ Params: { id: string }; Body: Body }>('/admin/loften/:id/kopiera', async (req, reply) => {
    const sourceId = uuidOr404(req.params.id);
    const body = singleValues(req.body ?? {});
    let id: string | undefined;
    const failed = await attempt(async () => {
      id = (await copyPledge(deps, req.actor, sourceId, body)).id;
    });
    if (!failed && id) return redirectWithFlash(reply, `/admin/loften/${id}`, 'Kopian är skapad som utkast för den nya perioden.');
    const ctx = adminContext(req, reply);
    const { source } = await copySource(deps.db, ctx.actor, sourceId);
    return sendAdminPage(reply, CopyPledgePage({ ctx, source, state: { values: body, errors: failed?.errors ?? [] } }), 422);
  });
}

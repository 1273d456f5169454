import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.js';
import { AppError } from '../../platform/errors.js';
import { sortSv } from '../../platform/text.js';
import type { Values } from '../../platform/views/forms.js';
import { authorize, can, type Actor } from '../access/policy.js';
import { createPartyFromForm, updateParty } from '../pledges/party-editing.js';
import { findPartyRow, listParties, type PartyRow } from '../pledges/party-repo.js';
import { toParty } from '../pledges/pledge-repo.js';
import { PARTY_KINDS, type Party } from '../pledges/pledge.js';
import { adminContext, flashFrom, redirectWithFlash, sendAdminPage } from './context.js';
import { attempt, singleValues, uuidOr404, type Body } from './form-helpers.js';
import { NewPartyPage, PartyEditPage, PartyListPage } from './views/party-pages.js';

/** /admin/parter: the operator creates parties; a party's admins keep its name, county and website up to date. */

const canUpdate = (actor: Actor, partyId: string) => can(actor, { action: 'party.update', partyId });

function editValues(r: PartyRow): Values {
  return { version: String(r.version), name: r.name, county: r.county ?? '', websiteUrl: r.website_url ?? '' };
}

export function partyAdminRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/admin/parter', async (req, reply) => {
    const ctx = adminContext(req, reply, flashFrom(req));
    const { actor } = ctx;
    const canCreate = can(actor, { action: 'party.create' });
    // The operator sees every party; a party's admin sees their own. Anyone else has nothing to do here.
    if (!canCreate && !(actor.partyId && canUpdate(actor, actor.partyId))) throw new AppError('forbidden', 'Du har inte behörighet att göra det här.');
    const all = await listParties(deps.db);
    const visible = canCreate ? all : all.filter((p) => p.id === actor.partyId);
    const order = (p: Party) => PARTY_KINDS.indexOf(p.kind);
    const parties = sortSv(visible, (p) => p.name).sort((a, b) => order(a) - order(b));
    return sendAdminPage(reply, PartyListPage({ ctx, parties, canCreate, editable: (p) => canUpdate(actor, p.id) }));
  });

  app.get('/admin/parter/ny', async (req, reply) => {
    const ctx = adminContext(req, reply);
    authorize(ctx.actor, { action: 'party.create' });
    return sendAdminPage(reply, NewPartyPage({ ctx, state: { values: { kind: 'municipality' }, errors: [] } }));
  });

  app.post<{ Body: Body }>('/admin/parter/ny', async (req, reply) => {
    const body = req.body ?? {};
    let created: Party | undefined;
    const failed = await attempt(async () => {
      created = await createPartyFromForm(deps, req.actor, singleValues(body));
    });
    if (!failed && created) return redirectWithFlash(reply, '/admin/parter', `${created.name} är skapad.`);
    const ctx = adminContext(req, reply);
    return sendAdminPage(reply, NewPartyPage({ ctx, state: { values: singleValues(body), errors: failed?.errors ?? [] } }), 422);
  });

  app.get<{ Params: { id: string } }>('/admin/parter/:id', async (req, reply) => {
    const ctx = adminContext(req, reply, flashFrom(req));
    const row = await findPartyRow(deps.db, uuidOr404(req.params.id));
    if (!row) throw new AppError('not_found');
    authorize(ctx.actor, { action: 'party.update', partyId: row.id });
    return sendAdminPage(reply, PartyEditPage({ ctx, party: toParty(row), state: { values: editValues(row), errors: [] }, conflict: null }));
  });

  app.post<{ Params: { id: string }; Body: Body }>('/admin/parter/:id', async (req, reply) => {
    const id = uuidOr404(req.params.id);
    const body = singleValues(req.body ?? {});
    const failed = await attempt(() => updateParty(deps, req.actor, id, body));
    if (!failed) return redirectWithFlash(reply, `/admin/parter/${id}`, 'Ändringarna är sparade.');
    const ctx = adminContext(req, reply);
    const row = await findPartyRow(deps.db, id);
    if (!row) throw new AppError('not_found');
    // After a conflict the form carries the stored version, so the next save is a deliberate overwrite.
    const values = failed.conflict ? { ...body, version: String(failed.conflict.currentVersion) } : body;
    return sendAdminPage(
      reply,
      PartyEditPage({ ctx, party: toParty(row), state: { values, errors: failed.errors }, conflict: failed.conflict?.current ?? null }),
      failed.conflict ? 409 : 422,
    );
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../app.js';
import { AppError } from '../../platform/errors.js';
import type { FormState, Values } from '../../platform/views/forms.js';
import { authorize, can } from '../access/policy.js';
import { loadPledgeRef } from '../pledges/editing-repo.js';
import { findPartiesByIds } from '../pledges/pledge-repo.js';
import { findSection, findSignatory, listSigningCandidates, type Section } from '../pledges/structure-repo.js';
import { sortSv } from '../../platform/text.js';
import * as edit from '../pledges/structure-editing.js';
import { adminContext, redirectWithFlash, sendAdminPage } from './context.js';
import { attempt, uuidOr404 } from './form-helpers.js';
import { NewActivityPage, SectionFormPage, SignatoryFormPage } from './views/structure-pages.js';

type Body = Record<string, string | undefined>;
type Req = FastifyRequest<{ Params: { id: string }; Body: Body }>;

const sectionText = {
  focus_area: { path: 'fokusomraden', title: 'Fokusområde', hint: 'T.ex. Trygg trafikmiljö.', added: 'Fokusområdet är tillagt.' },
  commitment: { path: 'atagande', title: 'Löfte', hint: 'Ett konkret åtagande, t.ex. Polisen genomför narkotikasök med hund på skolor.', added: 'Löftet är tillagt.' },
} as const;

const back = (pledgeId: string) => `/admin/loften/${pledgeId}`;

/** Routes for building a draft: focus areas, commitments (löften), activities and signatories. */
export function structureRoutes(app: FastifyInstance, deps: AppDeps): void {
  async function pledgeOf(pledgeId: string) {
    const ref = await loadPledgeRef(deps.db, pledgeId);
    if (!ref) throw new AppError('not_found');
    return ref;
  }

  async function partyOptions(ids: readonly string[]) {
    const parties = await findPartiesByIds(deps.db, ids);
    return ids.map((id) => parties.find((p) => p.id === id)!).map((p) => ({ value: p.id, label: p.name }));
  }

  function sectionRoutes(kind: Section) {
    const t = sectionText[kind];
    // New: a focus area under /admin/loften/:id, a commitment under /admin/fokusomraden/:id.
    const parentPath = kind === 'focus_area' ? 'loften' : 'fokusomraden';
    const newUrl = `/admin/${parentPath}/:id/${t.path}/ny`;

    const renderSection = async (req: Req, reply: FastifyReply, pledgeId: string, action: string, heading: string, state: FormState, conflict: Record<string, unknown> | null = null, status = 200) =>
      sendAdminPage(reply, SectionFormPage({ ctx: adminContext(req, reply), heading, action, backHref: back(pledgeId), state, conflict, titleLabel: t.title, hint: t.hint }), status);

    const parentPledge = async (parentId: string) => (kind === 'focus_area' ? parentId : (await findSection(deps.db, 'focus_area', parentId))?.pledgeId);

    app.get<{ Params: { id: string }; Body: Body }>(newUrl, async (req, reply) => {
      const pledgeId = await parentPledge(uuidOr404(req.params.id));
      if (!pledgeId) throw new AppError('not_found');
      authorize(req.actor, { action: 'pledge.edit', pledge: await pledgeOf(pledgeId) });
      return renderSection(req, reply, pledgeId, req.url, `Nytt ${t.title.toLocaleLowerCase('sv')}`, { values: {}, errors: [] });
    });

    app.post<{ Params: { id: string }; Body: Body }>(newUrl, async (req, reply) => {
      const parentId = uuidOr404(req.params.id);
      const pledgeId = await parentPledge(parentId);
      if (!pledgeId) throw new AppError('not_found');
      const failed = await attempt(() => edit.addSection(deps, req.actor, kind, parentId, req.body ?? {}));
      if (!failed) return redirectWithFlash(reply, back(pledgeId), t.added);
      return renderSection(req, reply, pledgeId, req.url, `Nytt ${t.title.toLocaleLowerCase('sv')}`, { values: req.body ?? {}, errors: failed.errors }, null, 422);
    });

    app.get<{ Params: { id: string }; Body: Body }>(`/admin/${t.path}/:id`, async (req, reply) => {
      const row = await findSection(deps.db, kind, uuidOr404(req.params.id));
      if (!row) throw new AppError('not_found');
      authorize(req.actor, { action: 'pledge.edit', pledge: await pledgeOf(row.pledgeId) });
      const values: Values = { version: String(row.version), title: row.title, description: row.description };
      return renderSection(req, reply, row.pledgeId, req.url, `Redigera ${t.title.toLocaleLowerCase('sv')}`, { values, errors: [] });
    });

    app.post<{ Params: { id: string }; Body: Body }>(`/admin/${t.path}/:id`, async (req, reply) => {
      const id = uuidOr404(req.params.id);
      const row = await findSection(deps.db, kind, id);
      if (!row) throw new AppError('not_found');
      const failed = await attempt(() => edit.updateSection(deps, req.actor, kind, id, req.body ?? {}));
      if (!failed) return redirectWithFlash(reply, back(row.pledgeId), 'Ändringen är sparad.');
      const values = failed.conflict ? { ...req.body, version: String(failed.conflict.currentVersion) } : (req.body ?? {});
      return renderSection(req, reply, row.pledgeId, req.url, `Redigera ${t.title.toLocaleLowerCase('sv')}`, { values, errors: failed.errors }, failed.conflict?.current ?? null, failed.conflict ? 409 : 422);
    });

    app.post<{ Params: { id: string }; Body: Body }>(`/admin/${t.path}/:id/flytta`, async (req, reply) => {
      const pledgeId = await edit.moveSection(deps, req.actor, kind, uuidOr404(req.params.id), req.body?.direction);
      return redirectWithFlash(reply, back(pledgeId), 'Ordningen är ändrad.');
    });

    app.post<{ Params: { id: string }; Body: Body }>(`/admin/${t.path}/:id/ta-bort`, async (req, reply) => {
      const id = uuidOr404(req.params.id);
      const row = await findSection(deps.db, kind, id);
      if (!row) throw new AppError('not_found');
      const failed = await attempt(() => edit.removeSection(deps, req.actor, kind, id));
      const message = failed ? (failed.errors[0]?.message ?? 'Det gick inte att ta bort.') : `${t.title} borttaget.`;
      return redirectWithFlash(reply, back(row.pledgeId), message);
    });
  }
  sectionRoutes('focus_area');
  sectionRoutes('commitment');

  // Activities: new under a commitment, removal from a draft.
  const renderNewActivity = async (req: Req, reply: FastifyReply, commitmentId: string, state: FormState, status = 200) => {
    const commitment = await findSection(deps.db, 'commitment', commitmentId);
    if (!commitment) throw new AppError('not_found');
    const pledge = await pledgeOf(commitment.pledgeId);
    const allowedOwners = pledge.partyIds.filter((ownerPartyId) => can(req.actor, { action: 'activity.edit', pledge, ownerPartyId }));
    if (allowedOwners.length === 0) authorize(req.actor, { action: 'activity.edit', pledge, ownerPartyId: '' });
    const values = { ownerPartyId: allowedOwners.length === 1 ? allowedOwners[0] : undefined, ...state.values };
    return sendAdminPage(
      reply,
      NewActivityPage({ ctx: adminContext(req, reply), heading: `Ny aktivitet för ”${commitment.title}”`, action: `/admin/atagande/${commitmentId}/aktiviteter/ny`, backHref: back(pledge.id), state: { ...state, values }, owners: await partyOptions(allowedOwners) }),
      status,
    );
  };

  app.get<{ Params: { id: string }; Body: Body }>('/admin/atagande/:id/aktiviteter/ny', async (req, reply) => renderNewActivity(req, reply, uuidOr404(req.params.id), { values: {}, errors: [] }));

  app.post<{ Params: { id: string }; Body: Body }>('/admin/atagande/:id/aktiviteter/ny', async (req, reply) => {
    const commitmentId = uuidOr404(req.params.id);
    let id = '';
    const failed = await attempt(async () => {
      id = await edit.addActivity(deps, req.actor, commitmentId, req.body ?? {});
    });
    if (!failed) return redirectWithFlash(reply, `/admin/aktiviteter/${id}`, 'Aktiviteten är tillagd. Ange mål och tidplan.');
    return renderNewActivity(req, reply, commitmentId, { values: req.body ?? {}, errors: failed.errors }, 422);
  });

  app.post<{ Params: { id: string }; Body: Body }>('/admin/aktiviteter/:id/ta-bort', async (req, reply) => {
    const pledgeId = await edit.removeActivity(deps, req.actor, uuidOr404(req.params.id));
    return redirectWithFlash(reply, back(pledgeId), 'Aktiviteten är borttagen.');
  });

  // Signatories.
  const renderSignatory = async (req: Req, reply: FastifyReply, pledgeId: string, heading: string, state: FormState, conflict: Record<string, unknown> | null = null, status = 200) => {
    const pledge = await pledgeOf(pledgeId);
    authorize(req.actor, { action: 'pledge.edit', pledge });
    const parties = await partyOptions(pledge.partyIds);
    const accounts = sortSv(
      (await listSigningCandidates(deps.db, pledge.partyIds)).map((u) => ({ value: u.id, label: `${u.name} (${u.email}), ${parties.find((p) => p.value === u.party_id)?.label ?? ''}` })),
      (o) => o.label,
    );
    return sendAdminPage(reply, SignatoryFormPage({ ctx: adminContext(req, reply), heading, action: req.url, backHref: back(pledgeId), state, conflict, parties, accounts }), status);
  };

  app.get<{ Params: { id: string }; Body: Body }>('/admin/loften/:id/undertecknare/ny', async (req, reply) =>
    renderSignatory(req, reply, uuidOr404(req.params.id), 'Ny undertecknare', { values: {}, errors: [] }),
  );

  app.post<{ Params: { id: string }; Body: Body }>('/admin/loften/:id/undertecknare/ny', async (req, reply) => {
    const pledgeId = uuidOr404(req.params.id);
    const failed = await attempt(() => edit.addSignatory(deps, req.actor, pledgeId, req.body ?? {}));
    if (!failed) return redirectWithFlash(reply, back(pledgeId), 'Undertecknaren är tillagd.');
    return renderSignatory(req, reply, pledgeId, 'Ny undertecknare', { values: req.body ?? {}, errors: failed.errors }, null, 422);
  });

  app.get<{ Params: { id: string }; Body: Body }>('/admin/undertecknare/:id', async (req, reply) => {
    const row = await findSignatory(deps.db, uuidOr404(req.params.id));
    if (!row) throw new AppError('not_found');
    const values: Values = { version: String(row.version), partyId: row.party_id, name: row.name, roleTitle: row.role_title, userId: row.user_id ?? '' };
    return renderSignatory(req, reply, row.pledge_id, 'Redigera undertecknare', { values, errors: [] });
  });

  app.post<{ Params: { id: string }; Body: Body }>('/admin/undertecknare/:id', async (req, reply) => {
    const id = uuidOr404(req.params.id);
    const row = await findSignatory(deps.db, id);
    if (!row) throw new AppError('not_found');
    const failed = await attempt(() => edit.updateSignatory(deps, req.actor, id, req.body ?? {}));
    if (!failed) return redirectWithFlash(reply, back(row.pledge_id), 'Undertecknaren är sparad.');
    const values = failed.conflict ? { ...req.body, version: String(failed.conflict.currentVersion) } : (req.body ?? {});
    return renderSignatory(req, reply, row.pledge_id, 'Redigera undertecknare', { values, errors: failed.errors }, failed.conflict?.current ?? null, failed.conflict ? 409 : 422);
  });

  app.post<{ Params: { id: string }; Body: Body }>('/admin/undertecknare/:id/ta-bort', async (req, reply) => {
    const pledgeId = await edit.removeSignatory(deps, req.actor, uuidOr404(req.params.id));
    return redirectWithFlash(reply, back(pledgeId), 'Undertecknaren är borttagen.');
  });
}

import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.js';
import { AppError, type EditConflictError } from '../../platform/errors.js';
import type { FormState, Values } from '../../platform/views/forms.js';
import { authorize, can } from '../access/policy.js';
import { historyOf, historyOfPledge, type EntityType } from '../audit/audit.js';

const PLEDGE_PARTS: EntityType[] = ['pledge', 'focus_area', 'commitment', 'activity', 'signatory', 'follow_up_meeting', 'follow_up_report'];
import { findActivityWithPledge, findPledgeRow, loadPledgeRef } from '../pledges/editing-repo.js';
import { updateActivity, updatePledgeDetails } from '../pledges/pledge-editing.js';
import { swedishDate } from '../pledges/pledge.js';
import { activityFollowUp, reportActivityUpdate, targetOf } from '../follow-up/activity-updates.js';
import { ActivityFollowUpSection, reportFormValues } from '../follow-up/views/update-views.js';
import { latestReportDates, listAwaitingResponse } from '../follow-up/activity-update-repo.js';
import { findPartiesByIds, listActivitiesOwnedBy, listPledgesForAdmin, loadPledgeDocument } from '../pledges/pledge-repo.js';
import { findUserById } from '../accounts/user-repo.js';
import { awaitingMySignature } from '../signing/signing-status.js';
import { findSignedVersion } from '../signing/version-repo.js';
import { adminContext, flashFrom, redirectWithFlash, sendAdminPage } from './context.js';
import { attempt, uuidOr404 } from './form-helpers.js';
import { HistoryPage } from './views/history-page.js';
import { ActivityPage, DashboardPage, PledgeAdminPage, PledgeDetailsPage, PledgeListPage } from './views/pledge-pages.js';

type Body = Record<string, string | undefined>;

function activityValues(r: NonNullable<Awaited<ReturnType<typeof findActivityWithPledge>>>): Values {
  return {
    version: String(r.version),
    description: r.description,
    targetKind: r.target_value !== null ? 'numeric' : r.target_text !== null ? 'text' : 'none',
    targetValue: r.target_value !== null ? String(r.target_value) : '',
    targetUnit: r.target_unit ?? '',
    targetText: r.target_text ?? '',
    scheduleStartsOn: r.schedule_starts_on ?? '',
    scheduleEndsOn: r.schedule_ends_on ?? '',
    scheduleText: r.schedule_text ?? '',
  };
}

export function adminRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/admin', async (req, reply) => {
    const ctx = adminContext(req, reply, flashFrom(req));
    const partyId = ctx.actor.partyId;
    const mine = partyId ? await listActivitiesOwnedBy(deps.db, partyId) : [];
    const drafts = (await listPledgesForAdmin(deps.db, partyId)).filter((p) => p.state === 'draft');
    const toSign = await awaitingMySignature(deps.db, ctx.actor);
    // Follow-up: when each of my activities was last reported on, and the other parties' recent reports to acknowledge.
    const lastReported = await latestReportDates(deps.db, mine.map((a) => a.id));
    const since = new Date(deps.clock().getTime() - 60 * 86_400_000).toISOString();
    const awaiting = partyId ? await listAwaitingResponse(deps.db, partyId, since) : [];
    const refs = new Map(await Promise.all([...new Set(awaiting.map((u) => u.pledgeId))].map(async (id) => [id, await loadPledgeRef(deps.db, id)] as const)));
    const toAcknowledge = awaiting.filter((u) => {
      const pledge = refs.get(u.pledgeId);
      return pledge && can(ctx.actor, { action: 'activity.respond', pledge, ownerPartyId: u.ownerPartyId });
    });
    return sendAdminPage(reply, DashboardPage({ ctx, mine, drafts, toSign, lastReported, toAcknowledge }));
  });

  app.get('/admin/loften', async (req, reply) => {
    const ctx = adminContext(req, reply, flashFrom(req));
    const pledges = await listPledgesForAdmin(deps.db, ctx.actor.isSuperadmin ? null : ctx.actor.partyId);
    return sendAdminPage(reply, PledgeListPage({ ctx, pledges }));
  });

  app.get<{ Params: { id: string } }>('/admin/loften/:id', async (req, reply) => {
    const ctx = adminContext(req, reply, flashFrom(req));
    const id = uuidOr404(req.params.id);
    const [pledge, ref, signed] = await Promise.all([loadPledgeDocument(deps.db, id), loadPledgeRef(deps.db, id), findSignedVersion(deps.db, id)]);
    if (!pledge || !ref) throw new AppError('not_found');
    authorize(ctx.actor, { action: 'pledge.read', pledge: ref });
    return sendAdminPage(reply, PledgeAdminPage({ ctx, pledge, ref, published: signed !== null }));
  });

  const detailsValues = (r: NonNullable<Awaited<ReturnType<typeof findPledgeRow>>>): Values => ({
    version: String(r.version),
    title: r.title,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    background: r.background,
  });

  app.get<{ Params: { id: string } }>('/admin/loften/:id/uppgifter', async (req, reply) => {
    const ctx = adminContext(req, reply);
    const id = uuidOr404(req.params.id);
    const [ref, row] = await Promise.all([loadPledgeRef(deps.db, id), findPledgeRow(deps.db, id)]);
    if (!ref || !row) throw new AppError('not_found');
    authorize(ctx.actor, { action: 'pledge.edit', pledge: ref });
    return sendAdminPage(reply, PledgeDetailsPage({ ctx, pledgeId: id, state: { values: detailsValues(row), errors: [] }, conflict: null }));
  });

  app.post<{ Params: { id: string }; Body: Body }>('/admin/loften/:id/uppgifter', async (req, reply) => {
    const id = uuidOr404(req.params.id);
    const body = req.body ?? {};
    const failed = await attempt(() => updatePledgeDetails(deps, req.actor, id, body));
    if (!failed) return redirectWithFlash(reply, `/admin/loften/${id}`, 'Ändringarna är sparade.');
    const ctx = adminContext(req, reply);
    // After a conflict the form carries the stored version, so the next save is a deliberate overwrite.
    const values = failed.conflict ? { ...body, version: String(failed.conflict.currentVersion) } : body;
    return sendAdminPage(
      reply,
      PledgeDetailsPage({ ctx, pledgeId: id, state: { values, errors: failed.errors }, conflict: failed.conflict?.current ?? null }),
      failed.conflict ? 409 : 422,
    );
  });

  async function activityPage(
    req: import('fastify').FastifyRequest,
    reply: import('fastify').FastifyReply,
    id: string,
    over: { state?: FormState; reportState?: FormState; conflict?: EditConflictError | null; reportConflict?: EditConflictError | null } = {},
    status = 200,
  ) {
    const ctx = adminContext(req, reply, flashFrom(req));
    const row = await findActivityWithPledge(deps.db, id);
    if (!row) throw new AppError('not_found');
    const pledge = await loadPledgeRef(deps.db, row.pledge_id);
    if (!pledge) throw new AppError('not_found');
    authorize(ctx.actor, { action: 'pledge.read', pledge });
    const canEdit = can(ctx.actor, { action: 'activity.edit', pledge, ownerPartyId: row.owner_party_id });
    const canReport = can(ctx.actor, { action: 'activity.report', pledge, ownerPartyId: row.owner_party_id });
    const canRespond = can(ctx.actor, { action: 'activity.respond', pledge, ownerPartyId: row.owner_party_id });
    const [parties, entries] = await Promise.all([findPartiesByIds(deps.db, [...pledge.partyIds]), activityFollowUp(deps.db, id)]);
    const partyName = (pid: string) => parties.find((p) => p.id === pid)?.name ?? '';
    const target = targetOf(row);
    // ?rattar={updateId} opens the form as a correction of that update, prefilled with its values.
    const correctingId = (req.query as { rattar?: unknown }).rattar;
    const correctsId = over.reportState?.values.correctsUpdateId ?? (typeof correctingId === 'string' ? correctingId : '');
    const correcting = canReport && correctsId ? (entries.find((e) => e.id === correctsId && !e.correctedBy) ?? null) : null;
    return sendAdminPage(
      reply,
      ActivityPage({
        ctx,
        activityId: id,
        pledgeId: row.pledge_id,
        ownerName: partyName(row.owner_party_id),
        canEdit,
        state: over.state ?? { values: activityValues(row), errors: [] },
        conflict: over.conflict?.current ?? null,
        followUp: ActivityFollowUpSection({
          ctx,
          activityId: id,
          description: row.description,
          status: row.status,
          target,
          entries,
          partyName,
          canReport,
          canRespond,
          reportState: over.reportState ?? { values: reportFormValues(row.version, row.status, target, swedishDate(deps.clock()), correcting), errors: [] },
          correcting,
          reportConflict: over.reportConflict?.current ?? null,
        }),
      }),
      status,
    );
  }

  app.get<{ Params: { id: string } }>('/admin/aktiviteter/:id', async (req, reply) => activityPage(req, reply, uuidOr404(req.params.id)));

  app.post<{ Params: { id: string }; Body: Body }>('/admin/aktiviteter/:id', async (req, reply) => {
    const id = uuidOr404(req.params.id);
    const body = req.body ?? {};
    const failed = await attempt(() => updateActivity(deps, req.actor, id, body));
    if (!failed) return redirectWithFlash(reply, `/admin/aktiviteter/${id}`, 'Aktiviteten är sparad.');
    const values = failed.conflict ? { ...body, version: String(failed.conflict.currentVersion) } : body;
    return activityPage(req, reply, id, { state: { values, errors: failed.errors }, conflict: failed.conflict }, failed.conflict ? 409 : 422);
  });

  // The follow-up report (ActivityUpdate) form; the URL is the one the earlier status-only form used.
  app.post<{ Params: { id: string }; Body: Body }>('/admin/aktiviteter/:id/status', async (req, reply) => {
    const id = uuidOr404(req.params.id);
    const body = req.body ?? {};
    const failed = await attempt(() => reportActivityUpdate(deps, req.actor, id, body));
    if (!failed) return redirectWithFlash(reply, `/admin/aktiviteter/${id}`, body.correctsUpdateId ? 'Rättelsen är sparad.' : 'Rapporten är sparad.');
    // After a conflict the form carries the stored version, so sending again is a deliberate choice.
    const values = failed.conflict ? { ...body, version: String(failed.conflict.currentVersion) } : body;
    return activityPage(req, reply, id, { reportState: { values, errors: failed.errors }, reportConflict: failed.conflict }, failed.conflict ? 409 : 422);
  });

  /** A party's or a user's history: for whoever may manage that party. */
  async function organisationHistory(req: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply, type: 'party' | 'party_sso' | 'user', id: string) {
    const ctx = adminContext(req, reply);
    let partyId: string | null;
    let title: string;
    let backHref: string;
    if (type === 'user') {
      const user = await findUserById(deps.db, id);
      if (!user) throw new AppError('not_found');
      partyId = user.party_id;
      title = user.name;
      backHref = `/admin/anvandare/${id}`;
    } else {
      const [party] = await findPartiesByIds(deps.db, [id]);
      if (!party) throw new AppError('not_found');
      partyId = party.id;
      title = type === 'party' ? party.name : `inloggning för ${party.name}`;
      backHref = type === 'party' ? `/admin/parter/${id}` : `/admin/parter/${id}/sso`;
    }
    if (partyId === null) authorize(ctx.actor, { action: 'party.create' });
    else authorize(ctx.actor, type === 'user' ? { action: 'user.manage', partyId } : { action: 'party.update', partyId });
    return sendAdminPage(reply, HistoryPage({ ctx, title, events: await historyOf(deps.db, type, id), backHref }));
  }

  // History of a pledge (every change inside it) or of one part of it, even after the part was removed.
  app.get<{ Params: { type: string; id: string } }>('/admin/historik/:type/:id', async (req, reply) => {
    const ctx = adminContext(req, reply);
    const id = uuidOr404(req.params.id);
    const type = req.params.type as EntityType;
    if (type === 'party' || type === 'party_sso' || type === 'user') return organisationHistory(req, reply, type, id);
    if (!PLEDGE_PARTS.includes(type)) throw new AppError('not_found');
    const events = type === 'pledge' ? await historyOfPledge(deps.db, id) : await historyOf(deps.db, type, id);
    const pledgeId = type === 'pledge' ? id : events[0]?.pledgeId;
    const pledge = pledgeId ? await loadPledgeRef(deps.db, pledgeId) : null;
    if (!pledge) throw new AppError('not_found');
    authorize(ctx.actor, { action: 'audit.read', pledge });
    const latest = events.find((e) => e.after ?? e.before);
    const named = (latest?.after ?? latest?.before ?? {}) as Record<string, unknown>;
    const title = String(named.title ?? named.description ?? named.name ?? 'ändringar');
    const backHref = type === 'activity' ? `/admin/aktiviteter/${id}` : type === 'follow_up_meeting' ? `/admin/moten/${id}` : `/admin/loften/${pledge.id}`;
    return sendAdminPage(reply, HistoryPage({ ctx, title, events, backHref, showEntity: type === 'pledge' }));
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../app.js';
import type { Executor } from '../../db/executor.js';
import { AppError, type EditConflictError } from '../../platform/errors.js';
import type { FormState } from '../../platform/views/forms.js';
import { authorize, can } from '../access/policy.js';
import { adminContext, flashFrom, redirectWithFlash, sendAdminPage } from '../admin/context.js';
import { attempt, singleValues, uuidOr404, type Body } from '../admin/form-helpers.js';
import { loadPledgeRef } from '../pledges/editing-repo.js';
import { findPartiesByIds, findPledgeSummary } from '../pledges/pledge-repo.js';
import { swedishDate } from '../pledges/pledge.js';
import { findSignedVersion } from '../signing/version-repo.js';
import { findMeetingWithParts } from './meeting-repo.js';
import {
  addAttendee,
  addDecision,
  cancelMeeting,
  closeMeeting,
  createYearEndReport,
  editMeeting,
  meetingAgenda,
  meetingOrThrow,
  meetingsOfPledge,
  removeAttendee,
  removeDecision,
  saveMinutes,
  scheduleMeeting,
  scheduleYear,
} from './meetings.js';
import { findReportOfMeeting } from './report-repo.js';
import { reportPath } from './reports.js';
import { AgendaPage, MeetingPage, MeetingsPage, type MeetingPageProps, type MeetingsPageProps } from './views/meeting-pages.js';

/**
 * Staff pages for Brå meetings (docs/decisions/follow-up-meetings.md): /admin/loften/{id}/moten (a
 * pledge's meetings and reports, planning, the year-end report), /admin/moten/{id} (one meeting:
 * details, attendees, decisions, minutes, close, cancel) and /admin/moten/{id}/dagordning.
 * Reading needs `pledge.read`; every change `meeting.manage`, checked again in the use-case.
 */

interface Failure {
  errors: FormState['errors'];
  conflict: EditConflictError | null;
  /** A refusal that no input can fix, e.g. the meeting was closed meanwhile: shown as a message. */
  refused: string | null;
}

async function run(fn: () => Promise<unknown>): Promise<Failure | null> {
  try {
    const failed = await attempt(fn);
    return failed ? { ...failed, refused: null } : null;
  } catch (err) {
    if (err instanceof AppError && err.code === 'invalid_state') return { errors: [], conflict: null, refused: err.message };
    throw err;
  }
}

const statusOf = (f: Failure) => (f.refused || f.conflict ? 409 : 422);

/** The public address of the pledge, when it has a signed version (reports are public only then). */
async function publicBaseOf(db: Executor, pledgeId: string, partyIds: readonly string[]): Promise<string | null> {
  const [signed, parties] = await Promise.all([findSignedVersion(db, pledgeId), findPartiesByIds(db, [...partyIds])]);
  const municipality = parties.find((p) => p.kind === 'municipality');
  return signed && municipality ? `/kommun/${municipality.slug}/${signed.periodSlug}` : null;
}

export function meetingRoutes(app: FastifyInstance, deps: AppDeps): void {
  async function meetingsPage(req: FastifyRequest, reply: FastifyReply, pledgeId: string, extra: Pick<MeetingsPageProps, 'forms' | 'refused'> = {}, status = 200) {
    const ctx = adminContext(req, reply, flashFrom(req));
    const [ref, pledge] = await Promise.all([loadPledgeRef(deps.db, pledgeId), findPledgeSummary(deps.db, pledgeId)]);
    if (!ref || !pledge) throw new AppError('not_found');
    authorize(ctx.actor, { action: 'pledge.read', pledge: ref });
    const [{ meetings, reports }, publicBase] = await Promise.all([meetingsOfPledge(deps.db, pledgeId), publicBaseOf(deps.db, pledgeId, ref.partyIds)]);
    const canManage = can(ctx.actor, { action: 'meeting.manage', pledge: ref });
    return sendAdminPage(reply, MeetingsPage({ ctx, pledge, publicBase, meetings, reports, canManage, today: swedishDate(deps.clock()), ...extra }), status);
  }

  async function meetingPage(req: FastifyRequest, reply: FastifyReply, meetingId: string, extra: Pick<MeetingPageProps, 'forms' | 'conflict' | 'refused'> = {}, status = 200) {
    const ctx = adminContext(req, reply, flashFrom(req));
    const { ref, summary } = await meetingOrThrow(deps.db, meetingId);
    authorize(ctx.actor, { action: 'pledge.read', pledge: ref });
    const [meeting, signed, report, publicBase] = await Promise.all([
      findMeetingWithParts(deps.db, meetingId),
      findSignedVersion(deps.db, summary.id),
      findReportOfMeeting(deps.db, meetingId),
      publicBaseOf(deps.db, summary.id, ref.partyIds),
    ]);
    const activities = signed ? signed.document.focusAreas.flatMap((fa) => fa.commitments.flatMap((c) => c.activities.map((a) => ({ id: a.id, description: a.description })))) : [];
    const [, municipality, period] = publicBase?.split('/').filter(Boolean) ?? [];
    const reportUrl = report && municipality && period ? reportPath(municipality, period, report) : null;
    const canManage = can(ctx.actor, { action: 'meeting.manage', pledge: ref });
    return sendAdminPage(reply, MeetingPage({ ctx, meeting: meeting!, pledge: summary, activities, canManage, reportUrl, ...extra }), status);
  }

  app.get<{ Params: { id: string } }>('/admin/loften/:id/moten', async (req, reply) => meetingsPage(req, reply, uuidOr404(req.params.id)));

  app.post<{ Params: { id: string }; Body: Body }>('/admin/loften/:id/moten', async (req, reply) => {
    const id = uuidOr404(req.params.id);
    const body = singleValues(req.body ?? {});
    let meetingId = '';
    const failed = await run(async () => {
      meetingId = (await scheduleMeeting(deps, { actor: req.actor }, id, body)).id;
    });
    if (!failed) return redirectWithFlash(reply, `/admin/moten/${meetingId}`, 'Mötet är planerat.');
    return meetingsPage(req, reply, id, { forms: { one: { values: body, errors: failed.errors } }, refused: failed.refused }, statusOf(failed));
  });

  app.post<{ Params: { id: string }; Body: Body }>('/admin/loften/:id/moten/ar', async (req, reply) => {
    const id = uuidOr404(req.params.id);
    const body = singleValues(req.body ?? {});
    let added = 0;
    const failed = await run(async () => {
      added = (await scheduleYear(deps, { actor: req.actor }, id, body)).length;
    });
    if (!failed) return redirectWithFlash(reply, `/admin/loften/${id}/moten`, added === 0 ? 'Alla tre dagarna hade redan möten; inget lades till.' : `${added === 1 ? 'Ett möte' : `${added} möten`} planerade.`);
    return meetingsPage(req, reply, id, { forms: { year: { values: body, errors: failed.errors } }, refused: failed.refused }, statusOf(failed));
  });

  app.post<{ Params: { id: string }; Body: Body }>('/admin/loften/:id/arsrapport', async (req, reply) => {
    const id = uuidOr404(req.params.id);
    const body = singleValues(req.body ?? {});
    const year = /^\d{4}$/.test(body.reportYear ?? '') ? Number(body.reportYear) : Number.NaN;
    const failed = await run(() => createYearEndReport(deps, { actor: req.actor }, id, year));
    if (!failed) return redirectWithFlash(reply, `/admin/loften/${id}/moten`, `Årsrapporten för ${year} är fastställd och publicerad.`);
    return meetingsPage(req, reply, id, { forms: { yearEnd: { values: body, errors: failed.errors } }, refused: failed.refused }, statusOf(failed));
  });

  app.get<{ Params: { id: string } }>('/admin/moten/:id', async (req, reply) => meetingPage(req, reply, uuidOr404(req.params.id)));

  app.get<{ Params: { id: string } }>('/admin/moten/:id/dagordning', async (req, reply) => {
    const ctx = adminContext(req, reply);
    const { meeting, ref, summary } = await meetingOrThrow(deps.db, uuidOr404(req.params.id));
    authorize(ctx.actor, { action: 'pledge.read', pledge: ref });
    return sendAdminPage(reply, AgendaPage({ ctx, meeting, pledge: summary, agenda: await meetingAgenda(deps.db, meeting, summary) }));
  });

  /** A meeting form: on success back to the meeting with a confirmation, else the page with the form kept. */
  function meetingForm(path: string, form: keyof NonNullable<MeetingPageProps['forms']> | null, done: string, use: (id: string, body: Record<string, string | undefined>, req: FastifyRequest) => Promise<unknown>) {
    app.post<{ Params: { id: string }; Body: Body }>(`/admin/moten/:id${path}`, async (req, reply) => {
      const id = uuidOr404(req.params.id);
      const body = singleValues(req.body ?? {});
      const failed = await run(() => use(id, body, req));
      if (!failed) return redirectWithFlash(reply, `/admin/moten/${id}`, done);
      const values = failed.conflict ? { ...body, version: String(failed.conflict.currentVersion) } : body;
      return meetingPage(req, reply, id, { forms: form ? { [form]: { values, errors: failed.errors } } : {}, conflict: failed.conflict, refused: failed.refused }, statusOf(failed));
    });
  }

  const by = (req: FastifyRequest) => ({ actor: req.actor });
  const idOf = (v: string | undefined) => uuidOr404(v ?? '');
  meetingForm('', 'details', 'Mötet är sparat.', (id, body, req) => editMeeting(deps, by(req), id, body));
  meetingForm('/protokoll', 'minutes', 'Protokollet är sparat.', (id, body, req) => saveMinutes(deps, by(req), id, body));
  meetingForm('/deltagare', 'attendee', 'Deltagaren är tillagd.', (id, body, req) => addAttendee(deps, by(req), id, body));
  meetingForm('/deltagare/ta-bort', null, 'Deltagaren är borttagen.', (id, body, req) => removeAttendee(deps, by(req), id, idOf(body.attendeeId)));
  meetingForm('/beslut', 'decision', 'Beslutet är antecknat.', (id, body, req) => addDecision(deps, by(req), id, body));
  meetingForm('/beslut/ta-bort', null, 'Beslutet är borttaget.', (id, body, req) => removeDecision(deps, by(req), id, idOf(body.decisionId)));
  meetingForm('/stall-in', null, 'Mötet är inställt.', (id, body, req) => cancelMeeting(deps, by(req), id, body));
  meetingForm('/stang', null, 'Mötet är stängt. Rapporten är fastställd och publicerad.', (id, body, req) => closeMeeting(deps, by(req), id, body));
}

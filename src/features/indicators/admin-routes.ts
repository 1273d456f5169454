import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../app.js';
import { AppError } from '../../platform/errors.js';
import { isFileTooLarge, takeUpload } from '../../platform/http/multipart.js';
import { sortSv } from '../../platform/text.js';
import type { FormState, Values } from '../../platform/views/forms.js';
import { authorize, can, type Actor } from '../access/policy.js';
import { adminContext, flashFrom, redirectWithFlash, sendAdminPage } from '../admin/context.js';
import { attempt, singleValues, uuidOr404, type Body } from '../admin/form-helpers.js';
import { HistoryPage } from '../admin/views/history-page.js';
import { historyOf } from '../audit/audit.js';
import { listParties } from '../pledges/party-repo.js';
import { findPartiesByIds } from '../pledges/pledge-repo.js';
import type { Party } from '../pledges/pledge.js';
import type { Indicator } from './indicator.js';
import { decodeUpload } from './indicator-csv.js';
import { ImportRefusedError, describeIssue, planTotals, type ImportIssue } from './indicator-import.js';
import * as repo from './indicator-repo.js';
import { createIndicatorFromForm, importFromForm, importSummary, linkIndicator, removeLink, updateIndicator, updateLink, type ImportResult } from './indicator-service.js';
import { EditLinkPage, ImportPage, ImportPreviewPage, IndicatorAdminPage, IndicatorListPage, NewIndicatorPage, NewLinkPage } from './views/admin-pages.js';

/** /admin/indikatorer: define indicators, link them to focus areas and commitments, import values. */

/** Indicator files are small; a bigger one goes through the CLI. Kept under the 1 MiB form limit of the confirming step. */
const MAX_UPLOAD = 512 * 1024;

function indicatorValues(i: Indicator): Values {
  return {
    version: String(i.version),
    name: i.name,
    code: i.code,
    definition: i.definition,
    unit: i.unit,
    direction: i.direction,
    source: i.source,
    koladaKpi: i.koladaKpi ?? '',
    sourceDetail: i.sourceDetail,
    level: i.level,
    areaName: i.areaName ?? '',
    reportingLagMonths: String(i.reportingLagMonths),
  };
}

/** Parties the actor may do `action` for: the operator every party, anyone else at most their own. */
async function partiesFor(deps: AppDeps, actor: Actor, action: 'indicator.manage' | 'indicator.import'): Promise<Party[]> {
  if (actor.isSuperadmin) return sortSv(await listParties(deps.db), (p) => p.name);
  if (!actor.partyId || !can(actor, { action, partyId: actor.partyId })) return [];
  return findPartiesByIds(deps.db, [actor.partyId]);
}

const partyOptions = (parties: Party[]) => parties.map((p) => ({ value: p.id, label: p.name }));

export function indicatorAdminRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/admin/indikatorer', async (req, reply) => {
    const ctx = adminContext(req, reply, flashFrom(req));
    const { actor } = ctx;
    const indicators = actor.isSuperadmin ? await repo.listIndicatorsForAdmin(deps.db, null) : actor.partyId ? await repo.listIndicatorsForAdmin(deps.db, actor.partyId) : [];
    const canCreate = (await partiesFor(deps, actor, 'indicator.manage')).length > 0;
    const canImport = (await partiesFor(deps, actor, 'indicator.import')).length > 0;
    return sendAdminPage(reply, IndicatorListPage({ ctx, indicators: sortSv(indicators, (i) => i.name), canCreate, canImport }));
  });

  app.get('/admin/indikatorer/ny', async (req, reply) => {
    const ctx = adminContext(req, reply);
    const parties = await partiesFor(deps, ctx.actor, 'indicator.manage');
    if (parties.length === 0) throw new AppError('forbidden', 'Du har inte behörighet att göra det här.');
    const state: FormState = { values: { partyId: parties.length === 1 ? parties[0]!.id : '', unit: 'percent', direction: 'down', source: 'kolada', level: 'municipality', reportingLagMonths: '0' }, errors: [] };
    return sendAdminPage(reply, NewIndicatorPage({ ctx, state, parties: partyOptions(parties) }));
  });

  app.post<{ Body: Body }>('/admin/indikatorer/ny', async (req, reply) => {
    const body = singleValues(req.body ?? {});
    let created: Indicator | undefined;
    const failed = await attempt(async () => {
      created = await createIndicatorFromForm(deps, req.actor, body);
    });
    if (!failed && created) return redirectWithFlash(reply, `/admin/indikatorer/${created.id}`, `${created.name} är skapad. Koppla den till ett fokusområde eller löfte.`);
    const ctx = adminContext(req, reply);
    const parties = await partiesFor(deps, ctx.actor, 'indicator.manage');
    return sendAdminPage(reply, NewIndicatorPage({ ctx, state: { values: body, errors: failed?.errors ?? [] }, parties: partyOptions(parties) }), 422);
  });

  async function indicatorPage(req: FastifyRequest, reply: FastifyReply, id: string, over: { state?: FormState; conflict?: Record<string, unknown> | null } = {}, status = 200) {
    const ctx = adminContext(req, reply, flashFrom(req));
    const indicator = await repo.findIndicator(deps.db, id);
    if (!indicator) throw new AppError('not_found');
    authorize(ctx.actor, { action: 'indicator.read', partyId: indicator.partyId });
    const [[party], values, links, publicLinks] = await Promise.all([
      findPartiesByIds(deps.db, [indicator.partyId]),
      repo.listValues(deps.db, id),
      repo.listLinksOfIndicator(deps.db, id),
      repo.listPublicLinksOfIndicator(deps.db, id),
    ]);
    return sendAdminPage(
      reply,
      IndicatorAdminPage({
        ctx,
        indicator,
        partyName: party?.name ?? '',
        values,
        links,
        canManage: can(ctx.actor, { action: 'indicator.manage', partyId: indicator.partyId }),
        canImport: can(ctx.actor, { action: 'indicator.import', partyId: indicator.partyId }),
        canLink: (l) => can(ctx.actor, { action: 'indicator.link', partyId: indicator.partyId, pledge: { state: l.place.pledgeState, partyIds: l.place.pledgePartyIds } }),
        isPublic: publicLinks.length > 0,
        state: over.state ?? { values: indicatorValues(indicator), errors: [] },
        conflict: over.conflict ?? null,
      }),
      status,
    );
  }

  app.get<{ Params: { id: string } }>('/admin/indikatorer/:id', async (req, reply) => indicatorPage(req, reply, uuidOr404(req.params.id)));

  app.post<{ Params: { id: string }; Body: Body }>('/admin/indikatorer/:id', async (req, reply) => {
    const id = uuidOr404(req.params.id);
    const body = singleValues(req.body ?? {});
    const failed = await attempt(() => updateIndicator(deps, req.actor, id, body));
    if (!failed) return redirectWithFlash(reply, `/admin/indikatorer/${id}`, 'Ändringarna är sparade.');
    // After a conflict the form carries the stored version, so the next save is a deliberate overwrite.
    const values = failed.conflict ? { ...body, version: String(failed.conflict.currentVersion) } : body;
    return indicatorPage(req, reply, id, { state: { values, errors: failed.errors }, conflict: failed.conflict?.current ?? null }, failed.conflict ? 409 : 422);
  });

  app.get<{ Params: { id: string } }>('/admin/indikatorer/:id/historik', async (req, reply) => {
    const ctx = adminContext(req, reply);
    const id = uuidOr404(req.params.id);
    const indicator = await repo.findIndicator(deps.db, id);
    if (!indicator) throw new AppError('not_found');
    authorize(ctx.actor, { action: 'indicator.read', partyId: indicator.partyId });
    const linkIds = await repo.listAllLinkIdsOfIndicator(deps.db, id);
    const events = [...(await historyOf(deps.db, 'indicator', id)), ...(await Promise.all(linkIds.map((l) => historyOf(deps.db, 'indicator_link', l)))).flat()].sort((a, b) =>
      b.occurredAt.localeCompare(a.occurredAt),
    );
    return sendAdminPage(reply, HistoryPage({ ctx, title: indicator.name, events, backHref: `/admin/indikatorer/${id}`, showEntity: true }));
  });

  // Links to focus areas and commitments ------------------------------------------------------

  async function newLinkPage(req: FastifyRequest, reply: FastifyReply, id: string, state: FormState | null, status = 200) {
    const ctx = adminContext(req, reply);
    const indicator = await repo.findIndicator(deps.db, id);
    if (!indicator) throw new AppError('not_found');
    authorize(ctx.actor, { action: 'indicator.manage', partyId: indicator.partyId });
    const targets = await repo.listLinkTargets(deps.db, indicator.partyId);
    return sendAdminPage(reply, NewLinkPage({ ctx, indicator, targets, state: state ?? { values: {}, errors: [] } }), status);
  }

  app.get<{ Params: { id: string } }>('/admin/indikatorer/:id/kopplingar/ny', async (req, reply) => newLinkPage(req, reply, uuidOr404(req.params.id), null));

  app.post<{ Params: { id: string }; Body: Body }>('/admin/indikatorer/:id/kopplingar/ny', async (req, reply) => {
    const id = uuidOr404(req.params.id);
    const body = singleValues(req.body ?? {});
    const failed = await attempt(() => linkIndicator(deps, req.actor, id, body));
    if (!failed) return redirectWithFlash(reply, `/admin/indikatorer/${id}`, 'Indikatorn är kopplad.');
    return newLinkPage(req, reply, id, { values: body, errors: failed.errors }, 422);
  });

  async function editLinkPage(req: FastifyRequest, reply: FastifyReply, linkId: string, over: { state?: FormState; conflict?: Record<string, unknown> | null } = {}, status = 200) {
    const ctx = adminContext(req, reply);
    const link = await repo.findLinkWithPlace(deps.db, linkId);
    if (!link) throw new AppError('not_found');
    const indicator = (await repo.findIndicator(deps.db, link.indicatorId))!;
    authorize(ctx.actor, { action: 'indicator.link', partyId: indicator.partyId, pledge: { state: link.place.pledgeState, partyIds: link.place.pledgePartyIds } });
    const values: Values = {
      version: String(link.version),
      baselineValue: link.baseline ? String(link.baseline.value).replace('.', ',') : '',
      baselineYear: link.baseline ? String(link.baseline.year) : '',
      targetValue: link.target ? String(link.target.value).replace('.', ',') : '',
      targetYear: link.target ? String(link.target.year) : '',
    };
    return sendAdminPage(reply, EditLinkPage({ ctx, indicator, link, state: over.state ?? { values, errors: [] }, conflict: over.conflict ?? null }), status);
  }

  app.get<{ Params: { id: string } }>('/admin/indikatorkopplingar/:id', async (req, reply) => editLinkPage(req, reply, uuidOr404(req.params.id)));

  app.post<{ Params: { id: string }; Body: Body }>('/admin/indikatorkopplingar/:id', async (req, reply) => {
    const id = uuidOr404(req.params.id);
    const body = singleValues(req.body ?? {});
    const failed = await attempt(() => updateLink(deps, req.actor, id, body));
    if (!failed) {
      const link = await repo.findLinkRow(deps.db, id);
      return redirectWithFlash(reply, `/admin/indikatorer/${link?.indicator_id ?? ''}`, 'Kopplingen är sparad.');
    }
    const values = failed.conflict ? { ...body, version: String(failed.conflict.currentVersion) } : body;
    return editLinkPage(req, reply, id, { state: { values, errors: failed.errors }, conflict: failed.conflict?.current ?? null }, failed.conflict ? 409 : 422);
  });

  app.post<{ Params: { id: string } }>('/admin/indikatorkopplingar/:id/ta-bort', async (req, reply) => {
    const indicatorId = await removeLink(deps, req.actor, uuidOr404(req.params.id));
    return redirectWithFlash(reply, `/admin/indikatorer/${indicatorId}`, 'Kopplingen är borttagen.');
  });

  // Imports -----------------------------------------------------------------------------------

  async function importPage(req: FastifyRequest, reply: FastifyReply, values: Values, issues: ImportIssue[], status: number, fieldErrors: FormState['errors'] = []) {
    const ctx = adminContext(req, reply);
    const parties = await partiesFor(deps, ctx.actor, 'indicator.import');
    if (parties.length === 0) throw new AppError('forbidden', 'Du har inte behörighet att göra det här.');
    const errors = [...fieldErrors, ...(issues.length === 1 ? [{ field: 'file', message: describeOne(issues[0]!) }] : issues.length > 1 ? [{ field: 'file', message: `Filen har ${issues.length === 50 ? 'minst 50' : issues.length} fel; de står i listan nedan. Inget har sparats.` }] : [])];
    return sendAdminPage(reply, ImportPage({ ctx, parties: partyOptions(parties), state: { values, errors }, issues }), status);
  }

  app.get<{ Querystring: { part?: string } }>('/admin/indikatorer/import', async (req, reply) => {
    const part = typeof req.query.part === 'string' ? req.query.part : '';
    return importPage(req, reply, { partyId: part, format: 'kolada' }, [], 200);
  });

  app.post('/admin/indikatorer/import', { config: { upload: { maxBytes: MAX_UPLOAD } } }, async (req, reply) => {
    const upload = takeUpload(req);
    const fields = upload.fields;
    // Who may import for the chosen party is settled before a byte of the file is read.
    authorize(req.actor, { action: 'indicator.import', partyId: fields.partyId ?? '' });
    const format = fields.format === 'csv' ? 'csv' : 'kolada';
    const values = { partyId: fields.partyId, format };
    if (!upload.file) return importPage(req, reply, values, [], 422, [{ field: 'file', message: 'Välj en fil att importera.' }]);
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of upload.file.stream) chunks.push(chunk);
    } catch (err) {
      if (isFileTooLarge(err)) return importPage(req, reply, values, [], 413, [{ field: 'file', message: 'Filen är större än 512 kB. Importera den med kommandot loften indicators i stället.' }]);
      throw err;
    }
    await upload.finish();
    const content = decodeUpload(Buffer.concat(chunks));
    const fileName = upload.file.filename.slice(0, 200);
    let result: ImportResult;
    try {
      result = await importFromForm(deps, req.actor, { partyId: fields.partyId!, format, text: content, fileName, dryRun: true });
      app.operations.metrics.recordImport('indicators', 'dry_run', rowsOf(result.plan));
    } catch (err) {
      if (err instanceof ImportRefusedError) {
        app.operations.metrics.recordImport('indicators', 'failed', 0);
        return importPage(req, reply, values, err.issues, 422);
      }
      throw err;
    }
    const ctx = adminContext(req, reply);
    return sendAdminPage(reply, ImportPreviewPage({ ctx, partyId: result.party.id, partyName: result.party.name, format, fileName, content, plan: result.plan }));
  });

  app.post<{ Body: Body }>('/admin/indikatorer/import/spara', async (req, reply) => {
    const body = singleValues(req.body ?? {});
    const format = body.format === 'csv' ? 'csv' : 'kolada';
    authorize(req.actor, { action: 'indicator.import', partyId: body.partyId ?? '' });
    try {
      const r = await importFromForm(deps, req.actor, { partyId: body.partyId!, format, text: body.content ?? '', fileName: body.fileName, dryRun: false });
      app.operations.metrics.recordImport('indicators', 'applied', rowsOf(r.plan));
      return redirectWithFlash(reply, '/admin/indikatorer', `Importen är klar: ${importSummary(r.plan)}.`);
    } catch (err) {
      // Something changed between the preview and the import (an indicator was edited, say): start over.
      if (err instanceof ImportRefusedError) {
        app.operations.metrics.recordImport('indicators', 'failed', 0);
        return importPage(req, reply, { partyId: body.partyId, format }, err.issues, 422);
      }
      throw err;
    }
  });
}

/** Rows the file had: every row lands in exactly one part of the plan. */
function rowsOf(plan: ImportResult['plan']): number {
  const t = planTotals(plan);
  return t.added + t.statusChanged + t.corrections + t.unchanged;
}

function describeOne(i: ImportIssue): string {
  return `${describeIssue(i)} Inget har sparats.`;
}

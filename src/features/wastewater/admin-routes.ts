import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../../app.js';
import { AppError } from '../../platform/errors.js';
import { isFileTooLarge, takeUpload } from '../../platform/http/multipart.js';
import { JobRunner } from '../../platform/jobs.js';
import type { FormState } from '../../platform/views/forms.js';
import { authorize, can } from '../access/policy.js';
import { adminContext, flashFrom, redirectWithFlash, sendAdminPage } from '../admin/context.js';
import { attempt, uuidOr404 } from '../admin/form-helpers.js';
import { findPartiesByIds } from '../pledges/pledge-repo.js';
import { listParties } from '../pledges/party-repo.js';
import { compareSv } from '../../platform/text.js';
import { findImport, listCorrections, listImports, previewCorrections, readChunks } from './import-repo.js';
import { applyImport, discardImport, discardUpload, readImport, settleIfStale, startImport, storeUpload } from './import-service.js';
import { presentWastewater, wastewaterCsv } from './presenter.js';
import { findSite, listPartiesWithSites } from './wastewater-repo.js';
import { getSettings, saveSettings, saveSite, viewQueryFromPage, wastewaterView } from './wastewater-service.js';
import { ImportPage, SettingsPage, SitePage, UploadPage, WastewaterAdminPage, WastewaterIndexPage } from './views/admin-pages.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Background reading and applying of imports; tests await `drain()`. */
    wastewaterJobs: JobRunner;
  }
}

/** An upload may be large (a year of daily samples from many sites); it is streamed, never held in memory. */
export const MAX_UPLOAD_BYTES = 256 * 1024 * 1024;
const CORRECTIONS_SHOWN = 50;

type Body = Record<string, string | undefined>;

export function wastewaterAdminRoutes(app: FastifyInstance, deps: AppDeps): void {
  const jobs = new JobRunner((err, label) => app.log.error({ err }, `wastewater job failed: ${label}`));
  app.decorate('wastewaterJobs', jobs);
  app.addHook('onClose', async () => jobs.drain());
  const importDeps = { db: deps.db, clock: deps.clock, staleAfterMs: deps.importStaleMs };

  async function municipality(id: string) {
    const [party] = await findPartiesByIds(deps.db, [uuidOr404(id)]);
    if (!party || party.kind !== 'municipality') throw new AppError('not_found');
    return party;
  }

  app.get('/admin/avloppsvatten', async (req, reply) => {
    const ctx = adminContext(req, reply, flashFrom(req));
    const a = ctx.actor;
    const withSites = new Map((await listPartiesWithSites(deps.db)).map((p) => [p.partyId, p.sites] as const));
    const candidates = a.isSuperadmin ? (await listParties(deps.db)).filter((p) => p.kind === 'municipality') : a.partyId ? await findPartiesByIds(deps.db, [a.partyId]) : [];
    const parties = candidates
      .filter((p) => p.kind === 'municipality' && can(a, { action: 'wastewater.read', partyId: p.id }))
      .filter((p) => !a.isSuperadmin || withSites.has(p.id) || p.id === a.partyId)
      .sort((x, y) => compareSv(x.name, y.name))
      .map((p) => ({ party: p, sites: withSites.get(p.id) ?? 0 }));
    return sendAdminPage(reply, WastewaterIndexPage({ ctx, parties }));
  });

  app.get<{ Params: { partyId: string } }>('/admin/avloppsvatten/:partyId', async (req, reply) => {
    const ctx = adminContext(req, reply, flashFrom(req));
    const party = await municipality(req.params.partyId);
    authorize(ctx.actor, { action: 'wastewater.read', partyId: party.id });
    const view = await wastewaterView(deps.db, party, 'staff', viewQueryFromPage(req.query));
    const imports = await listImports(deps.db, party.id, 10);
    return sendAdminPage(reply, WastewaterAdminPage({ ctx, view, imports }));
  });

  const staffDownload = async (req: FastifyRequest<{ Params: { partyId: string } }>) => {
    const actor = req.actor;
    const party = await municipality(req.params.partyId);
    authorize(actor, { action: 'wastewater.read', partyId: party.id });
    return wastewaterView(deps.db, party, 'staff', viewQueryFromPage(req.query));
  };

  app.get<{ Params: { partyId: string } }>('/admin/avloppsvatten/:partyId/data.csv', async (req, reply) => {
    const view = await staffDownload(req);
    return reply
      .type('text/csv; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .header('Content-Disposition', `attachment; filename="avloppsvatten-${view.party.slug}-personal.csv"`)
      .send(wastewaterCsv(view));
  });

  app.get<{ Params: { partyId: string } }>('/admin/avloppsvatten/:partyId/data.json', async (req, reply) => {
    const view = await staffDownload(req);
    return reply.type('application/json; charset=utf-8').header('Cache-Control', 'no-store').send(presentWastewater(view));
  });

  // --- import ------------------------------------------------------------------------------

  async function uploadForm(req: FastifyRequest<{ Params: { partyId: string } }>, reply: FastifyReply, state: FormState, status = 200) {
    const ctx = adminContext(req, reply);
    const party = await municipality(req.params.partyId);
    authorize(ctx.actor, { action: 'wastewater.import', partyId: party.id });
    return sendAdminPage(reply, UploadPage({ ctx, party, state }), status);
  }

  app.get<{ Params: { partyId: string } }>('/admin/avloppsvatten/:partyId/import', async (req, reply) => uploadForm(req, reply, { values: {}, errors: [] }));

  app.post<{ Params: { partyId: string } }>('/admin/avloppsvatten/:partyId/import', { config: { upload: { maxBytes: MAX_UPLOAD_BYTES } } }, async (req, reply) => {
    const party = await municipality(req.params.partyId);
    authorize(req.actor, { action: 'wastewater.import', partyId: party.id });
    const upload = req.isMultipart() ? takeUpload(req) : null;
    if (!upload?.file) {
      await upload?.finish();
      return uploadForm(req, reply, { values: {}, errors: [{ field: 'file', message: 'Välj en CSV-fil från labbet.' }] }, 422);
    }
    const id = await startImport(importDeps, { partyId: party.id, filename: upload.file.filename, source: 'upload', actor: req.actor });
    try {
      await storeUpload(importDeps, id, upload.file.stream);
      await upload.finish();
    } catch (err) {
      await discardUpload(importDeps, id);
      await discardImport(importDeps, id, req.actor).catch(() => {});
      if (isFileTooLarge(err))
        return uploadForm(req, reply, { values: {}, errors: [{ field: 'file', message: `Filen är större än ${MAX_UPLOAD_BYTES / 1024 / 1024} MB. Dela upp den och importera delarna var för sig.` }] }, 413);
      throw err;
    }
    // Reading happens after the response: the import page follows its progress from the database.
    jobs.run(`read ${id}`, async () => {
      try {
        const read = await readImport(importDeps, id, readChunks(deps.db, id));
        // A file read without faults waits for staff to apply it; only a refused one is finished here.
        if (read.status === 'failed') app.operations.metrics.recordImport('wastewater', 'failed', read.rows_read);
      } catch (err) {
        app.operations.metrics.recordImport('wastewater', 'failed', 0);
        throw err;
      } finally {
        await discardUpload(importDeps, id);
      }
    });
    return reply.redirect(`/admin/avloppsvatten/import/${id}`, 303);
  });

  app.get<{ Params: { id: string } }>('/admin/avloppsvatten/import/:id', async (req, reply) => {
    const ctx = adminContext(req, reply, flashFrom(req));
    const found = await findImport(deps.db, uuidOr404(req.params.id));
    if (!found) throw new AppError('not_found');
    authorize(ctx.actor, { action: 'wastewater.read', partyId: found.party_id });
    const imp = await settleIfStale(importDeps, found);
    const party = await municipality(imp.party_id);
    const corrections =
      imp.status === 'ready' ? await previewCorrections(deps.db, imp.id, imp.party_id, CORRECTIONS_SHOWN) : imp.status === 'done' ? await listCorrections(deps.db, imp.id, CORRECTIONS_SHOWN) : [];
    const running = imp.status === 'reading' || imp.status === 'applying';
    const autoRefresh = running && (req.query as { uppdatera?: string }).uppdatera !== 'nej';
    // No JavaScript on our pages: the browser reloads the page itself while the import runs.
    if (autoRefresh) reply.header('Refresh', '2');
    return sendAdminPage(
      reply,
      ImportPage({ ctx, party, imp, corrections, canImport: can(ctx.actor, { action: 'wastewater.import', partyId: imp.party_id }), autoRefresh }),
    );
  });

  app.post<{ Params: { id: string } }>('/admin/avloppsvatten/import/:id/spara', async (req, reply) => {
    const id = uuidOr404(req.params.id);
    const imp = await findImport(deps.db, id);
    if (!imp) throw new AppError('not_found');
    authorize(req.actor, { action: 'wastewater.import', partyId: imp.party_id });
    if (imp.status !== 'ready') return redirectWithFlash(reply, `/admin/avloppsvatten/import/${id}`, 'Importen kan inte sparas i sitt nuvarande läge.');
    const actor = req.actor;
    // Applying a large file takes a while: it runs after the response, the page shows its state.
    jobs.run(`apply ${id}`, async () => {
      try {
        const applied = await applyImport(importDeps, id, actor);
        app.operations.metrics.recordImport('wastewater', 'applied', applied.rows_read);
      } catch (err) {
        // Losing the race to another click (or instance) is not a failed import: the winner counts it.
        if (!(err instanceof AppError && err.code === 'edit_conflict')) app.operations.metrics.recordImport('wastewater', 'failed', 0);
        throw err;
      }
    });
    return reply.redirect(`/admin/avloppsvatten/import/${id}`, 303);
  });

  app.post<{ Params: { id: string } }>('/admin/avloppsvatten/import/:id/avbryt', async (req, reply) => {
    const id = uuidOr404(req.params.id);
    const imp = await findImport(deps.db, id);
    if (!imp) throw new AppError('not_found');
    authorize(req.actor, { action: 'wastewater.import', partyId: imp.party_id });
    try {
      await discardImport(importDeps, id, req.actor);
    } catch (err) {
      if (err instanceof AppError && err.code === 'edit_conflict') return redirectWithFlash(reply, `/admin/avloppsvatten/import/${id}`, err.message);
      throw err;
    }
    return redirectWithFlash(reply, `/admin/avloppsvatten/${imp.party_id}`, 'Importen avbröts. Inget sparades.');
  });

  // --- settings and sites --------------------------------------------------------------------

  app.get<{ Params: { partyId: string } }>('/admin/avloppsvatten/:partyId/installningar', async (req, reply) => {
    const ctx = adminContext(req, reply);
    const party = await municipality(req.params.partyId);
    authorize(ctx.actor, { action: 'wastewater.configure', partyId: party.id });
    const s = await getSettings(deps.db, party.id);
    const values = { version: String(s.version), publicationThreshold: String(s.publicationThreshold), correctionSet: s.correctionSet };
    return sendAdminPage(reply, SettingsPage({ ctx, party, state: { values, errors: [] }, conflict: null }));
  });

  app.post<{ Params: { partyId: string }; Body: Body }>('/admin/avloppsvatten/:partyId/installningar', async (req, reply) => {
    const party = await municipality(req.params.partyId);
    const body = req.body ?? {};
    const failed = await attempt(() => saveSettings(deps, req.actor, party.id, body));
    if (!failed) return redirectWithFlash(reply, `/admin/avloppsvatten/${party.id}`, 'Inställningarna är sparade.');
    const ctx = adminContext(req, reply);
    const values = failed.conflict ? { ...body, version: String(failed.conflict.currentVersion) } : body;
    return sendAdminPage(reply, SettingsPage({ ctx, party, state: { values, errors: failed.errors }, conflict: failed.conflict?.current ?? null }), failed.conflict ? 409 : 422);
  });

  app.get<{ Params: { id: string } }>('/admin/avloppsvatten/matpunkter/:id', async (req, reply) => {
    const ctx = adminContext(req, reply);
    const site = await findSite(deps.db, uuidOr404(req.params.id));
    if (!site) throw new AppError('not_found');
    authorize(ctx.actor, { action: 'wastewater.configure', partyId: site.partyId });
    const values = { version: String(site.version), name: site.name, district: site.district, published: site.isPublished ? '1' : '' };
    return sendAdminPage(reply, SitePage({ ctx, site, state: { values, errors: [] }, conflict: null }));
  });

  app.post<{ Params: { id: string }; Body: Body }>('/admin/avloppsvatten/matpunkter/:id', async (req, reply) => {
    const id = uuidOr404(req.params.id);
    const body = req.body ?? {};
    let partyId = '';
    const failed = await attempt(async () => {
      partyId = (await saveSite(deps, req.actor, id, body)).partyId;
    });
    if (!failed) return redirectWithFlash(reply, `/admin/avloppsvatten/${partyId}`, 'Mätpunkten är sparad.');
    const ctx = adminContext(req, reply);
    const site = (await findSite(deps.db, id))!;
    const values = failed.conflict ? { ...body, version: String(failed.conflict.currentVersion) } : body;
    return sendAdminPage(reply, SitePage({ ctx, site, state: { values, errors: failed.errors }, conflict: failed.conflict?.current ?? null }), failed.conflict ? 409 : 422);
  });
}

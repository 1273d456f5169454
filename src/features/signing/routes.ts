import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../../app.js';
import { AppError, type FieldError } from '../../platform/errors.js';
import { parseOrThrow } from '../../platform/validation.js';
import type { FormState } from '../../platform/views/forms.js';
import { requireActor } from '../../platform/http/auth.js';
import { setRetryAfter } from '../../platform/http/errors.js';
import { adminContext, flashFrom, redirectWithFlash, sendAdminPage } from '../admin/context.js';
import { singleValues, uuidOr404, type Body } from '../admin/form-helpers.js';
import { inAppReauthentication } from './signature-provider.js';
import { freezeForSigning, recordMeeting, signVersion, startAmendment, withdrawVersion } from './signing.js';
import { signingStatus, versionForStaff } from './signing-status.js';
import { SigningPage, VersionPage } from './views/signing-pages.js';

const MeetingForm = z.object({
  on: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Ange datum som ÅÅÅÅ-MM-DD.'),
  kind: z.enum(['digital', 'physical'], 'Välj digitalt eller fysiskt möte.'),
  note: z.string().trim().max(1000, 'Högst 1000 tecken.').transform((v) => v || null),
  version: z.coerce.number().int(),
});

/** Errors the signing forms show next to a field rather than as an error page. */
const FORM_ERRORS: Partial<Record<AppError['code'], string>> = {
  validation_failed: '',
  not_ready_for_signing: '_form',
  invalid_credentials: 'password',
  rate_limited: 'password',
  version_hash_mismatch: '_form',
  edit_conflict: '_form',
};

function asFormErrors(err: unknown): FieldError[] | null {
  if (!(err instanceof AppError) || !(err.code in FORM_ERRORS)) return null;
  const field = FORM_ERRORS[err.code];
  if (field === '' || err.fields.length > 0) return err.fields.length > 0 ? err.fields : [{ field: '_form', message: err.message }];
  return [{ field: field!, message: err.message }];
}

export function signingRoutes(app: FastifyInstance, deps: AppDeps): void {
  const provider = deps.signatureProvider ?? inAppReauthentication;

  const signingPage = async (req: FastifyRequest, reply: FastifyReply, pledgeId: string, meeting: FormState = { values: {}, errors: [] }, status = 200) =>
    sendAdminPage(reply, SigningPage({ ctx: adminContext(req, reply, flashFrom(req)), status: await signingStatus(deps.db, requireActor(req), pledgeId), meeting }), status);

  const versionPage = async (req: FastifyRequest, reply: FastifyReply, versionId: string, form: FormState = { values: {}, errors: [] }, status = 200) =>
    sendAdminPage(reply, VersionPage({ ctx: adminContext(req, reply, flashFrom(req)), view: await versionForStaff(deps.db, requireActor(req), versionId), provider, form }), status);

  app.get<{ Params: { id: string } }>('/admin/loften/:id/undertecknande', async (req, reply) => signingPage(req, reply, uuidOr404(req.params.id)));

  app.post<{ Params: { id: string }; Body: Body }>('/admin/loften/:id/las', async (req, reply) => {
    const id = uuidOr404(req.params.id);
    const version = await freezeForSigning(deps, requireActor(req), id);
    return redirectWithFlash(reply, `/admin/loften/${id}/undertecknande`, `Version ${version.number} är låst och väntar på underskrifter.`);
  });

  app.post<{ Params: { id: string }; Body: Body }>('/admin/loften/:id/andra', async (req, reply) => {
    const id = uuidOr404(req.params.id);
    await startAmendment(deps, requireActor(req), id);
    return redirectWithFlash(reply, `/admin/loften/${id}`, 'Löftet är öppnat för ett tillägg. Den undertecknade versionen visas tills en ny är undertecknad.');
  });

  app.get<{ Params: { id: string } }>('/admin/versioner/:id', async (req, reply) => versionPage(req, reply, uuidOr404(req.params.id)));

  app.post<{ Params: { id: string }; Body: Body }>('/admin/versioner/:id/underteckna', async (req, reply) => {
    const id = uuidOr404(req.params.id);
    const body = singleValues(req.body ?? {});
    const values = { confirm: body.confirm };
    if (body.confirm !== 'yes')
      return versionPage(req, reply, id, { values, errors: [{ field: 'confirm', message: 'Bekräfta att du har läst versionen och skriver under den.' }] }, 422);
    try {
      const result = await signVersion(deps, provider, requireActor(req), { versionId: id, contentHash: body.contentHash ?? '', input: body });
      const flash = result.completed ? 'Du har skrivit under. Alla har nu skrivit under, och versionen är publicerad.' : 'Du har skrivit under. Versionen publiceras när alla har skrivit under.';
      return redirectWithFlash(reply, `/admin/versioner/${id}`, flash);
    } catch (err) {
      const errors = asFormErrors(err);
      if (!errors) throw err;
      setRetryAfter(reply, err);
      return versionPage(req, reply, id, { values, errors }, err instanceof AppError ? err.status : 422);
    }
  });

  app.post<{ Params: { id: string }; Body: Body }>('/admin/versioner/:id/dra-tillbaka', async (req, reply) => {
    const version = await withdrawVersion(deps, requireActor(req), uuidOr404(req.params.id));
    return redirectWithFlash(reply, `/admin/loften/${version.pledgeId}/undertecknande`, `Version ${version.number} är tillbakadragen. Löftet kan redigeras igen.`);
  });

  app.post<{ Params: { id: string }; Body: Body }>('/admin/versioner/:id/mote', async (req, reply) => {
    const id = uuidOr404(req.params.id);
    const actor = requireActor(req);
    const { version } = await versionForStaff(deps.db, actor, id);
    const values = singleValues(req.body ?? {});
    try {
      const f = parseOrThrow(MeetingForm, values);
      await recordMeeting(deps, actor, id, { on: f.on, kind: f.kind, note: f.note, rowVersion: f.version });
      return redirectWithFlash(reply, `/admin/loften/${version.pledgeId}/undertecknande`, 'Mötet är registrerat.');
    } catch (err) {
      const errors = asFormErrors(err);
      if (!errors) throw err;
      return signingPage(req, reply, version.pledgeId, { values, errors }, err instanceof AppError ? err.status : 422);
    }
  });
}

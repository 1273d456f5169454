import { AppError, EditConflictError } from '../../platform/errors.js';
import type { FormState } from '../../platform/views/forms.js';

/** Small helpers shared by the admin form routes. */

/** A urlencoded form body: one string per field, or several for repeated fields such as checkboxes. */
export type Body = Record<string, string | string[] | undefined>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A malformed id in an admin URL is a page that does not exist, not a database question. */
export function uuidOr404(id: string): string {
  if (!UUID.test(id)) throw new AppError('not_found');
  return id;
}

export interface FormFailure {
  errors: FormState['errors'];
  conflict: EditConflictError | null;
}

/**
 * Runs a use-case for a form: null when it succeeded; validation errors and stale versions come back
 * as form state, not exceptions. A route that needs the
 * use-case's result assigns it from inside `fn`.
 */
export async function attempt(fn: () => Promise<unknown>): Promise<FormFailure | null> {
  try {
    await fn();
    return null;
  } catch (err) {
    if (err instanceof EditConflictError) return { errors: [], conflict: err };
    if (err instanceof AppError && err.code === 'validation_failed') return { errors: firstPerField(err.fields), conflict: null };
    throw err;
  }
}

/** One message per field: the summary links each field once and the field shows one message. */
function firstPerField(errors: FormState['errors']): FormState['errors'] {
  const seen = new Set<string>();
  return errors.filter((e) => !seen.has(e.field) && seen.add(e.field));
}

/** The single-valued fields of a body, as form values to re-render with (repeated fields dropped). */
export function singleValues(body: Body): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Every value of a possibly repeated field (checkboxes): none, one or many. */
export function manyValues(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : [v].flat();
}

import type { z } from 'zod';
import { AppError } from './errors.js';

/** Parses or throws validation_failed with one Swedish message per field, for forms and the API alike. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new AppError(
    'validation_failed',
    r.error.issues.map((i) => `${i.path.join('.') || '(indata)'}: ${i.message}`).join('; '),
    r.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
  );
}

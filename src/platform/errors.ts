/**
 * The one error catalogue. A code is a promise to API clients: never rename one, only add.
 * HTTP status lives here; the human messages live in the i18n catalogues under `errors`.
 */
export const errorStatus = {
  not_found: 404,
  invalid_id: 400,
  invalid_parameter: 400,
  validation_failed: 422,
  unauthenticated: 401,
  invalid_credentials: 401,
  forbidden: 403,
  csrf_invalid: 403,
  rate_limited: 429,
  edit_conflict: 409,
  pledge_in_force_overlap: 409,
  invalid_state: 409,
  not_ready_for_signing: 422,
  version_hash_mismatch: 409,
  already_signed: 409,
  database_unavailable: 503,
  /** The database refuses writes: a read-only file or server. Reads still work. */
  database_read_only: 503,
  /** No space left for the write (a full disk or file-size limit). Reads still work. */
  storage_full: 503,
  /** oEmbed asked for a format other than JSON (oEmbed 1.0 §2.3.4: 501 Not Implemented). */
  unsupported_format: 501,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface FieldError {
  /** Dotted path into the input, e.g. "focusAreas.0.title". */
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fields: FieldError[];
  constructor(code: ErrorCode, message: string = code, fields: FieldError[] = []) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.fields = fields;
  }
  get status(): number {
    return errorStatus[this.code];
  }
}

/** Too many attempts: says when to try again, for the `Retry-After` header (RFC 9110 §10.2.3). */
export class RateLimitedError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('rate_limited', message);
  }
}

/** A save based on a stale version: carries what is stored now, so the form can show both. */
export class EditConflictError extends AppError {
  readonly current: Record<string, unknown>;
  readonly currentVersion: number;
  constructor(current: Record<string, unknown>, currentVersion: number) {
    super('edit_conflict', 'Någon annan har sparat en ändring medan du redigerade. Jämför och spara igen.');
    this.current = current;
    this.currentVersion = currentVersion;
  }
}

import type { ComponentChildren } from 'preact';
import type { FieldError } from '../errors.js';

/**
 * Form parts that follow the GOV.UK/Digg pattern: an error summary at the top linking to each
 * field, the message again next to the field, aria-describedby and aria-invalid, input kept.
 */

export type Values = Record<string, string | undefined>;

export interface FormState {
  values: Values;
  errors: FieldError[];
}

export const emptyForm = (values: Values = {}): FormState => ({ values, errors: [] });

export function fieldId(name: string): string {
  return `f-${name.replace(/[^a-zA-Z0-9_-]/g, '-')}`;
}

function errorFor(state: FormState, name: string): string | undefined {
  return state.errors.find((e) => e.field === name)?.message;
}

export function ErrorSummary({ state, title = 'Det finns fel i formuläret' }: { state: FormState; title?: string }) {
  if (state.errors.length === 0) return null;
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabIndex={-1}>
      <h2 id="error-summary-title">{title}</h2>
      <ul>
        {state.errors.map((e) => (
          <li key={e.field}>
            {e.field && !e.field.startsWith('_') ? <a href={`#${fieldId(e.field)}`}>{e.message}</a> : e.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function Csrf({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

/** The message next to a field (or a group of fields), referenced by its aria-describedby. */
export function FieldErrorText({ id, error }: { id: string; error: string | undefined }) {
  if (!error) return null;
  return (
    <p class="field-error" id={`${id}-error`}>
      <span class="visually-hidden">Fel: </span>
      {error}
    </p>
  );
}

interface FieldProps {
  state: FormState;
  name: string;
  label: string;
  hint?: string;
  required?: boolean;
}

function Field(props: FieldProps & { children: (a: { id: string; describedBy?: string; invalid: boolean }) => ComponentChildren }) {
  const id = fieldId(props.name);
  const error = errorFor(props.state, props.name);
  const describedBy = [props.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={error ? 'field has-error' : 'field'}>
      <label for={id}>
        {props.label}
        {props.required ? null : <span class="optional"> (frivilligt)</span>}
      </label>
      {props.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <FieldErrorText id={id} error={error} />
      {props.children({ id, describedBy, invalid: Boolean(error) })}
    </div>
  );
}

export function TextField(props: FieldProps & { type?: 'text' | 'email' | 'password' | 'date' | 'url' | 'number'; autoComplete?: string; inputMode?: string; step?: string }) {
  return (
    <Field {...props}>
      {({ id, describedBy, invalid }) => (
        <input
          id={id}
          name={props.name}
          type={props.type ?? 'text'}
          value={props.type === 'password' ? undefined : (props.state.values[props.name] ?? '')}
          aria-describedby={describedBy}
          aria-invalid={invalid ? 'true' : undefined}
          required={props.required}
          autoComplete={props.autoComplete}
          step={props.step}
        />
      )}
    </Field>
  );
}

export function TextArea(props: FieldProps & { rows?: number }) {
  return (
    <Field {...props}>
      {({ id, describedBy, invalid }) => (
        <textarea id={id} name={props.name} rows={props.rows ?? 4} aria-describedby={describedBy} aria-invalid={invalid ? 'true' : undefined} required={props.required}>
          {props.state.values[props.name] ?? ''}
        </textarea>
      )}
    </Field>
  );
}

export function Select(props: FieldProps & { options: { value: string; label: string }[] }) {
  const current = props.state.values[props.name] ?? '';
  return (
    <Field {...props}>
      {({ id, describedBy, invalid }) => (
        <select id={id} name={props.name} aria-describedby={describedBy} aria-invalid={invalid ? 'true' : undefined} required={props.required}>
          {props.required ? null : <option value="">–</option>}
          {props.options.map((o) => (
            <option key={o.value} value={o.value} selected={o.value === current}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

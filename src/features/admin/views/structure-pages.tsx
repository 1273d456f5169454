import { Csrf, ErrorSummary, Select, TextArea, TextField, type FormState } from '../../../platform/views/forms.js';
import { AdminLayout, type AdminContext } from './admin-layout.js';
import { ConflictNotice } from './conflict.js';

/** Forms for the parts of a draft: one page shape for focus areas and commitments, one for activities and signatories. */

interface Common {
  ctx: AdminContext;
  heading: string;
  action: string;
  backHref: string;
  state: FormState;
  conflict?: Record<string, unknown> | null;
}

function FormShell(props: Common & { submit: string; children: preact.ComponentChildren; conflictLabels?: Record<string, string> }) {
  return (
    <AdminLayout ctx={props.ctx} title={props.heading}>
      <p class="crumbs">
        <a href={props.backHref}>Tillbaka till löftet</a>
      </p>
      <h1>{props.heading}</h1>
      <ConflictNotice current={props.conflict ?? null} labels={props.conflictLabels ?? {}} />
      <ErrorSummary state={props.state} />
      <form method="post" action={props.action} novalidate>
        <Csrf token={props.ctx.csrf} />
        {props.state.values.version !== undefined ? <input type="hidden" name="version" value={props.state.values.version} /> : null}
        {props.children}
        <div class="actions">
          <button type="submit">{props.submit}</button>
          <a href={props.backHref}>Avbryt</a>
        </div>
      </form>
    </AdminLayout>
  );
}

export function SectionFormPage(props: Common & { titleLabel: string; hint: string }) {
  return (
    <FormShell {...props} submit="Spara" conflictLabels={{ title: props.titleLabel, description: 'Beskrivning' }}>
      <TextField state={props.state} name="title" label={props.titleLabel} hint={props.hint} required />
      <TextArea state={props.state} name="description" label="Beskrivning" rows={4} />
    </FormShell>
  );
}

export function NewActivityPage(props: Common & { owners: { value: string; label: string }[] }) {
  return (
    <FormShell {...props} submit="Lägg till aktiviteten">
      <Select state={props.state} name="ownerPartyId" label="Ansvarig part" hint="Den part som genomför och rapporterar aktiviteten." required options={props.owners} />
      <TextArea state={props.state} name="description" label="Beskrivning" hint="Vad ska göras? Mål och tidplan anger du i nästa steg." required rows={3} />
    </FormShell>
  );
}

export function SignatoryFormPage(props: Common & { parties: { value: string; label: string }[]; accounts: { value: string; label: string }[] }) {
  return (
    <FormShell {...props} submit="Spara" conflictLabels={{ name: 'Namn', roleTitle: 'Befattning' }}>
      <Select state={props.state} name="partyId" label="Undertecknar för" required options={props.parties} />
      <TextField state={props.state} name="name" label="Namn" required autoComplete="off" />
      <TextField state={props.state} name="roleTitle" label="Befattning" hint="T.ex. kommundirektör eller lokalpolisområdeschef." required />
      <Select
        state={props.state}
        name="userId"
        label="Konto som skriver under"
        hint="Personen loggar in med det här kontot och skriver under i appen. Måste väljas innan löftet låses för undertecknande."
        options={[{ value: '', label: 'Inget konto valt ännu' }, ...props.accounts]}
      />
    </FormShell>
  );
}

/** A one-button form, for move and remove. */
export function ActionButton(props: { ctx: AdminContext; action: string; label: string; name?: string; value?: string; hiddenLabel?: string }) {
  return (
    <form method="post" action={props.action} class="inline">
      <Csrf token={props.ctx.csrf} />
      {props.name ? <input type="hidden" name={props.name} value={props.value} /> : null}
      <button type="submit" class="button-link">
        {props.label}
        {props.hiddenLabel ? <span class="visually-hidden">: {props.hiddenLabel}</span> : null}
      </button>
    </form>
  );
}

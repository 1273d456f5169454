import { Csrf, ErrorSummary, Select, TextArea, TextField, type FormState } from '../../../../platform/views/forms.js';
import { AdminLayout, type AdminContext } from '../../../admin/views/admin-layout.js';
import { ConflictNotice } from '../../../admin/views/conflict.js';
import { DEFAULT_ACCENT, MAX_ORIGINS } from '../embed-settings.js';

export const embedLabels = {
  embedOrigins: 'Webbplatser som får visa löftet',
  accentColor: 'Accentfärg',
  logoUrl: 'Logotyp',
  headingLevel: 'Rubriknivå',
};

const levelOptions = [
  { value: '2', label: '2: löftets rubrik blir h1, fokusområdena h2 (sidan står för sig själv)' },
  { value: '3', label: '3: löftets rubrik blir h2, fokusområdena h3' },
  { value: '4', label: '4: löftets rubrik blir h3, fokusområdena h4' },
];

export interface SnippetEntry {
  municipalityName: string;
  periods: string;
  snippet: string;
  oembedUrl: string;
  previewUrl: string;
}

export function EmbedSettingsPage(props: { ctx: AdminContext; party: { id: string; name: string }; state: FormState; conflict: Record<string, unknown> | null; snippets: SnippetEntry[]; hasOrigins: boolean }) {
  const { state, party } = props;
  return (
    <AdminLayout ctx={props.ctx} title={`Inbäddning: ${party.name}`}>
      <p class="crumbs">
        <a href="/admin/parter">Parter</a> › <a href={`/admin/parter/${party.id}`}>{party.name}</a> › Inbäddning
      </p>
      <h1>Inbäddning: {party.name}</h1>
      <p>
        Löftet kan visas på er egen webbplats i en ram (iframe). Det visar alltid det undertecknade löftet som gäller, eller det senaste med en tydlig markering. Utkast visas aldrig. Här väljer ni vilka webbplatser som får visa
        det och hur det ser ut där.
      </p>
      <ConflictNotice current={props.conflict} labels={embedLabels} />
      <ErrorSummary state={state} />
      <form method="post" action={`/admin/parter/${party.id}/inbaddning`} novalidate>
        <Csrf token={props.ctx.csrf} />
        <input type="hidden" name="version" value={state.values.version} />
        <TextArea
          state={state}
          name="embedOrigins"
          label={embedLabels.embedOrigins}
          hint={`En adress per rad, bara webbplatsens adress utan sökväg, t.ex. https://www.strangnas.se. Högst ${MAX_ORIGINS}. Alla parter i löftet anger sina egna; löftet går att visa på allas webbplatser. Står det ingen här, och inte hos de andra parterna, blockeras visningen överallt.`}
          rows={4}
        />
        <TextField
          state={state}
          name="accentColor"
          label={embedLabels.accentColor}
          hint={`Färg på rubrik, länkar och linjer, som en hexkod, t.ex. ${DEFAULT_ACCENT}. Den måste ha minst 4,5:1 i kontrast mot vitt så att texten går att läsa. Lämna tomt för standardfärgen.`}
        />
        <TextField state={state} name="logoUrl" label={embedLabels.logoUrl} hint="Fullständig adress till en bild som börjar med https://, t.ex. https://www.strangnas.se/logo.svg. Visas överst med partens namn som alternativtext." type="url" />
        <Select state={state} name="headingLevel" label={embedLabels.headingLevel} hint="Välj så att löftets rubriker passar in under rubrikerna på sidan där ni visar det." required options={levelOptions} />
        <div class="actions">
          <button type="submit">Spara</button>
          <a href={`/admin/parter/${party.id}`}>Avbryt</a>
        </div>
      </form>

      <h2 id="kod">Kod att klistra in</h2>
      {props.hasOrigins ? null : (
        <p class="notice">Ni har inte angett någon webbplats ännu. Koden nedan fungerar bara på webbplatser som någon av löftets parter har angett.</p>
      )}
      {props.snippets.length === 0 ? (
        <p>{party.name} ingår inte i något medborgarlöfte ännu.</p>
      ) : (
        props.snippets.map((s, i) => (
          <section key={s.previewUrl} aria-labelledby={`kod-${i}`}>
            <h3 id={`kod-${i}`}>{s.municipalityName}</h3>
            <p class="hint">Gemensamma löften: {s.periods}. Koden visar alltid det löfte som gäller, så den behöver inte bytas vid en ny period.</p>
            <div class="field">
              <label for={`snippet-${i}`}>HTML-kod för {s.municipalityName}</label>
              <textarea id={`snippet-${i}`} readOnly rows={4}>
                {s.snippet}
              </textarea>
            </div>
            <div class="field">
              <label for={`oembed-${i}`}>oEmbed-adress för {s.municipalityName}</label>
              <p class="hint" id={`oembed-${i}-hint`}>
                För publiceringssystem som kan bädda in med oEmbed.
              </p>
              <input id={`oembed-${i}`} type="text" readOnly value={s.oembedUrl} aria-describedby={`oembed-${i}-hint`} />
            </div>
            <p>
              <a href={s.previewUrl}>Förhandsgranska inbäddningen för {s.municipalityName}</a>
            </p>
          </section>
        ))
      )}
    </AdminLayout>
  );
}

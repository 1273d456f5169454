/** Shown above a form whose save was based on a stale version: the other person's values, side by side with yours below. */
export function ConflictNotice({ current, labels }: { current: Record<string, unknown> | null; labels: Record<string, string> }) {
  if (!current) return null;
  return (
    <div class="conflict" role="alert" aria-labelledby="conflict-title" tabIndex={-1}>
      <h2 id="conflict-title">Någon annan har ändrat det här medan du redigerade</h2>
      <p>Ingenting har skrivits över. Så här ser det sparade ut nu; dina ändringar finns kvar i formuläret nedan. Spara igen om du vill ersätta det sparade med ditt.</p>
      <dl>
        {Object.entries(labels).map(([key, label]) => (
          <>
            <dt>{label}</dt>
            <dd>{current[key] === null || current[key] === undefined || current[key] === '' ? '–' : String(current[key])}</dd>
          </>
        ))}
      </dl>
    </div>
  );
}

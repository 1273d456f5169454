import type { Messages } from '../../../../platform/i18n/index.js';
import { formatDate } from '../../../../platform/views/format.js';
import type { PageContext } from '../../../../platform/views/layout.js';
import { href } from '../../../../platform/views/links.js';
import { periodLabel, swedishDate, type PledgeDocument } from '../../../pledges/pledge.js';
import { PledgeBody } from '../../../pledges/views/pledge-body.js';
import { StateNotice } from '../../../pledges/views/pledge-page.js';
import type { PledgeProgress } from '../../../follow-up/public-progress.js';
import { embedStylesheetHref } from '../embed-assets.js';
import { accentStyle, type EmbedView } from '../embed-service.js';

const lists = { sv: new Intl.ListFormat('sv', { type: 'conjunction' }), en: new Intl.ListFormat('en-GB', { type: 'conjunction' }) };

/** "Undertecknat 15 mars 2022 av Anna A (kommundirektör, Strängnäs kommun) och …", from the signed version. */
export function signedLine(p: PledgeDocument, m: Messages): string | null {
  const s = p.signing;
  if (!s || s.signatures.length === 0) return null;
  const party = new Map(p.parties.map((x) => [x.id, x.name]));
  const signers = s.signatures.map((x) => `${x.name} (${[x.roleTitle.toLocaleLowerCase(m.lang), party.get(x.partyId)].filter(Boolean).join(', ')})`);
  return m.embed.signedBy(formatDate(swedishDate(new Date(s.signedAt)), m), lists[m.lang === 'en' ? 'en' : 'sv'].format(signers));
}


/**
 * The pledge for an <iframe> on a party's website: no site header or footer, the host party's
 * look, the content through the same PledgeBody as the public page, and a way out to the whole
 * page that replaces the host page (target=_top) rather than nesting our site in theirs.
 */
export function EmbedPage({ ctx, e, fullPath, progress }: { ctx: PageContext; e: EmbedView; fullPath: string; progress?: PledgeProgress }) {
  const { m } = ctx;
  const p = e.view.pledge;
  const level = e.theme.headingLevel;
  const Title = `h${level - 1}` as 'h1';
  const style = accentStyle(e.theme);
  const signed = signedLine(p, m);
  return (
    <html lang={m.lang}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${p.title} – ${m.siteName}`}</title>
        <meta name="robots" content="noindex" />
        <link rel="canonical" href={`${ctx.baseUrl ?? ''}${href(fullPath, ctx.locale)}`} />
        <link rel="stylesheet" href={embedStylesheetHref()} />
        {/* Allowed by its hash in this response's CSP; the colour was validated as #rrggbb on save. */}
        {style ? <style dangerouslySetInnerHTML={{ __html: style }} /> : null}
      </head>
      <body>
        <main>
          {e.theme.logoUrl ? (
            <div class="top">
              <img src={e.theme.logoUrl} alt={e.theme.partyName} />
            </div>
          ) : null}
          <Title class="title">{p.title}</Title>
          <p class="meta">
            {m.pledge.periodLabel}: {periodLabel(p)} ({formatDate(p.startsOn, m)} – {formatDate(p.endsOn, m)})
          </p>
          {signed ? <p class="meta">{signed}</p> : null}
          {p.isDemo ? (
            <p class="notice demo" role="note">
              {m.pledge.demoNotice}
            </p>
          ) : null}
          <StateNotice view={e.view} m={m} />
          <PledgeBody pledge={p} m={m} headingLevel={level} progress={progress} />
          <p class="more">
            <a href={href(fullPath, ctx.locale)} target="_top">
              {m.embed.readMore(m.siteName)}
            </a>
          </p>
        </main>
      </body>
    </html>
  );
}

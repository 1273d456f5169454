import type { ComponentChildren } from 'preact';
import type { Locale, Messages } from '../i18n/index.js';
import { href, switchLanguage } from './links.js';
import { stylesheetHref } from './assets.js';

export interface PageContext {
  locale: Locale;
  m: Messages;
  /** The request URL (path and query), to offer the same page in the other language. */
  url: string;
  /** The configured public address (PUBLIC_BASE_URL), for the few links that must be absolute. */
  baseUrl?: string;
}

/** `head`: extra elements for <head>, e.g. a feed's discovery link. */
export function Layout(props: { ctx: PageContext; title: string; description?: string; head?: ComponentChildren; nav?: ComponentChildren; children: ComponentChildren }) {
  const { ctx } = props;
  const other = ctx.m.otherLang;
  return (
    <html lang={ctx.m.lang}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} – ${ctx.m.siteName}`}</title>
        {props.description ? <meta name="description" content={props.description} /> : null}
        <link rel="stylesheet" href={stylesheetHref()} />
        <link rel="alternate" hrefLang={other.hrefLang} href={switchLanguage(ctx.url, other.code as Locale)} />
        {props.head}
      </head>
      <body>
        <a class="skip" href="#main">
          {ctx.m.skipToContent}
        </a>
        <header class="site">
          <div class="wrap bar">
            <a class="brand" href={href('/', ctx.locale)}>
              {ctx.m.siteName}
            </a>
            <a class="lang" href={switchLanguage(ctx.url, other.code as Locale)} lang={other.code} hrefLang={other.hrefLang}>
              {other.label}
            </a>
          </div>
        </header>
        {props.nav}
        <main id="main" class="wrap" tabIndex={-1}>
          {props.children}
        </main>
        <footer class="site">
          <div class="wrap">
            <p>{ctx.m.footer.about}</p>
            <p>
              <a href={href('/oversikt', ctx.locale)}>{ctx.m.overview.title}</a>
              {' · '}
              <a href={href('/tillganglighet', ctx.locale)}>{ctx.m.footer.accessibility}</a>
              {' · '}
              <a href="/api/v1/openapi.json">{ctx.m.footer.api}</a>
            </p>
          </div>
        </footer>
      </body>
    </html>
  );
}

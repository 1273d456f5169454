import type { PageContext } from '../../../../platform/views/layout.js';
import { oembedUrl } from '../embed-service.js';

/**
 * oEmbed discovery for a public pledge page (oEmbed 1.0 §4), in its <head>. Absolute when a public
 * address is configured; otherwise the page's path, which /oembed resolves against its own address
 * (never the Host header here: this page is cached and shared by every reader).
 */
export function OembedDiscovery({ ctx, title }: { ctx: PageContext; title: string }) {
  const base = ctx.baseUrl ?? '';
  return <link rel="alternate" type="application/json+oembed" href={oembedUrl(base, `${base}${ctx.url}`)} title={title} />;
}

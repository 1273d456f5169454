import { createHash } from 'node:crypto';
import type { Executor } from '../../../db/executor.js';
import { AppError, EditConflictError } from '../../../platform/errors.js';
import type { PageHeaders } from '../../../platform/http/page-cache.js';
import { helmetOptions } from '../../../platform/http/security.js';
import type { Locale } from '../../../platform/i18n/index.js';
import { parseOrThrow } from '../../../platform/validation.js';
import { authorize, type Actor } from '../../access/policy.js';
import { recordAudit } from '../../audit/audit.js';
import { PERIOD_SLUG } from '../../pledges/pledge.js';
import { municipalityCurrent, municipalityPeriod, type MunicipalityView } from '../../pledges/pledge-service.js';
import * as repo from './embed-repo.js';
import { DEFAULT_ACCENT, EmbedSettingsForm, type EmbedSettings } from './embed-settings.js';

/**
 * The embed of a pledge on the parties' own websites: what it shows (only what the public pages
 * show: the signed version in force, or the latest, labelled), whose look it wears, who may frame
 * it, and the snippet and oEmbed answer that put it on a page. See docs/decisions/embeds.md.
 */

export const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export interface EmbedTheme {
  partyId: string;
  partySlug: string;
  partyName: string;
  accentColor: string | null;
  logoUrl: string | null;
  headingLevel: EmbedSettings['headingLevel'];
}

export interface EmbedView {
  view: MunicipalityView;
  theme: EmbedTheme;
  /** Union of every party's allow-list, sorted; empty means nobody may frame it. */
  frameAncestors: string[];
}

export interface EmbedRequest {
  slug: string;
  /** A period slug such as 2022-2023; absent for the pledge in force (or the latest). */
  period?: string;
  /** Whose look: a party of the pledge by slug; absent for the municipality in the URL. */
  part?: string;
  /** Swedish calendar day that decides what is in force. */
  date: string;
}

export async function loadEmbed(db: Executor, r: EmbedRequest): Promise<EmbedView> {
  // The same reads as /kommun/{slug}: signed versions only, so a draft can never be embedded.
  const view = r.period ? await municipalityPeriod(db, r.slug, r.period, r.date) : await municipalityCurrent(db, r.slug, r.date);
  const rows = await repo.listPartyEmbeds(db, view.pledge.parties.map((p) => p.id));
  const themeSlug = r.part ?? view.municipality.slug;
  const row = rows.find((p) => p.slug === themeSlug);
  // A snippet naming a party that is not in the pledge shown is a mistake to surface, not to guess at.
  if (!row) throw new AppError('not_found', `${themeSlug} är inte part i löftet.`);
  return {
    view,
    theme: { partyId: row.id, partySlug: row.slug, partyName: row.name, ...row.settings },
    frameAncestors: [...new Set(rows.flatMap((p) => p.settings.origins))].sort(),
  };
}

// ---------------------------------------------------------------------------------------------
// Headers

/** The accent colour as the one inline style the embed has; its hash goes in the CSP instead of 'unsafe-inline'. */
export function accentStyle(theme: Pick<EmbedTheme, 'accentColor'>): string | null {
  return theme.accentColor && theme.accentColor !== DEFAULT_ACCENT ? `:root{--accent:${theme.accentColor}}` : null;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The site's own CSP directives (security.ts), so the embed loosens only what it must. */
const siteDirectives: ReadonlyMap<string, readonly string[]> = new Map(
  Object.entries((helmetOptions.contentSecurityPolicy as { directives: Record<string, string[]> }).directives).map(([k, v]) => [kebab(k), v]),
);

/**
 * The site's CSP with three changes: frame-ancestors from the parties' allow-lists ('none' if
 * there are none), the logo's origin in img-src, and the accent style's hash in style-src.
 */
export function embedCsp(e: { frameAncestors: readonly string[]; logoUrl: string | null; inlineStyle: string | null }): string {
  const d = new Map([...siteDirectives].map(([k, v]) => [k, [...v]]));
  d.set('frame-ancestors', e.frameAncestors.length > 0 ? [...e.frameAncestors] : ["'none'"]);
  if (e.logoUrl) d.get('img-src')!.push(new URL(e.logoUrl).origin);
  if (e.inlineStyle) d.get('style-src')!.push(`'sha256-${createHash('sha256').update(e.inlineStyle).digest('base64')}'`);
  return [...d].map(([k, v]) => `${k} ${v.join(' ')}`).join(';');
}

/**
 * X-Frame-Options goes: it cannot name an allow-list (ALLOW-FROM is dead), and where both are
 * sent, browsers obey CSP frame-ancestors anyway. Cross-Origin-Resource-Policy becomes
 * cross-origin, so a host page that isolates itself (COEP) can still frame us.
 */
export function embedHeaders(e: EmbedView): PageHeaders {
  return {
    set: {
      'content-security-policy': embedCsp({ frameAncestors: e.frameAncestors, logoUrl: e.theme.logoUrl, inlineStyle: accentStyle(e.theme) }),
      'cross-origin-resource-policy': 'cross-origin',
    },
    remove: ['x-frame-options'],
  };
}

// ---------------------------------------------------------------------------------------------
// Snippet and oEmbed

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The embed's address for a municipality, optionally a period, a party's look and a language. */
export function embedUrl(base: string, p: { slug: string; period?: string; part?: string; lang?: Locale }): string {
  const q = new URLSearchParams();
  if (p.part) q.set('part', p.part);
  if (p.lang && p.lang !== 'sv') q.set('lang', p.lang);
  const s = q.toString();
  return `${base}/embed/kommun/${p.slug}${p.period ? `/${p.period}` : ''}${s ? `?${s}` : ''}`;
}

/** The HTML a host page pastes in. `loading="lazy"`: the pledge is usually far down the page. */
export function iframeSnippet(src: string, title: string, width: string | number, height: number): string {
  return `<iframe src="${attr(src)}" title="${attr(title)}" width="${attr(String(width))}" height="${height}" loading="lazy"></iframe>`;
}

/** The oEmbed endpoint for a public pledge page. */
export function oembedUrl(base: string, pageUrl: string): string {
  return `${base}/oembed?${new URLSearchParams({ url: pageUrl, format: 'json' })}`;
}

export interface PledgePageRef {
  slug: string;
  period?: string;
  part?: string;
  lang: Locale;
}

const PLEDGE_PAGE = /^\/kommun\/([a-z0-9]+(?:-[a-z0-9]+)*)(?:\/(\d{4}(?:-\d{4})?))?\/?$/;

/**
 * A public pledge page (`/kommun/{slug}` or `/kommun/{slug}/{period}`) on our own address, or
 * null. A path alone is accepted too: that is what the discovery link carries when no public
 * address is configured. `lang` and `part` carry over to the embed; other parameters are ignored.
 */
export function parsePledgePageUrl(raw: string, base: string): PledgePageRef | null {
  if (raw.length > 2000 || !URL.canParse(raw, base)) return null;
  const u = new URL(raw, base);
  if (u.origin !== new URL(base).origin) return null;
  const m = PLEDGE_PAGE.exec(u.pathname);
  if (!m || (m[2] !== undefined && !PERIOD_SLUG.test(m[2]))) return null;
  const part = u.searchParams.get('part');
  return {
    slug: m[1]!,
    ...(m[2] ? { period: m[2] } : {}),
    ...(part && SLUG.test(part) ? { part } : {}),
    lang: u.searchParams.get('lang') === 'en' ? 'en' : 'sv',
  };
}

export const OEMBED_DEFAULT = { width: 600, height: 800 };
/** How long a consumer may keep our answer: the iframe's address never changes, only its title might. */
export const OEMBED_CACHE_AGE = 3600;

export interface OembedResponse {
  version: '1.0';
  type: 'rich';
  provider_name: string;
  provider_url: string;
  title: string;
  html: string;
  width: number;
  height: number;
  cache_age: number;
}

export async function oembed(
  db: Executor,
  ref: PledgePageRef,
  o: { base: string; date: string; maxwidth?: number; maxheight?: number; frameTitle: (name: string) => string; providerName: string },
): Promise<OembedResponse> {
  const e = await loadEmbed(db, { slug: ref.slug, period: ref.period, part: ref.part, date: o.date });
  const width = Math.min(OEMBED_DEFAULT.width, o.maxwidth ?? Infinity);
  const height = Math.min(OEMBED_DEFAULT.height, o.maxheight ?? Infinity);
  const src = embedUrl(o.base, { slug: ref.slug, period: ref.period, part: ref.part, lang: ref.lang });
  return {
    version: '1.0',
    type: 'rich',
    provider_name: o.providerName,
    provider_url: `${o.base}/`,
    title: e.view.pledge.title,
    html: iframeSnippet(src, o.frameTitle(e.view.municipality.name), width, height),
    width,
    height,
    cache_age: OEMBED_CACHE_AGE,
  };
}

// ---------------------------------------------------------------------------------------------
// Settings

export interface EmbedDeps {
  db: Executor;
  clock: () => Date;
}

export async function getEmbedSettings(db: Executor, actor: Actor | null, partyId: string): Promise<repo.PartyEmbedRow> {
  const row = await repo.findPartyEmbed(db, partyId);
  if (!row) throw new AppError('not_found', 'Parten finns inte.');
  authorize(actor, { action: 'party.update', partyId });
  return row;
}

/** What the conflict notice and the audit trail show. */
function auditable(s: EmbedSettings) {
  return { embedOrigins: s.origins.join('\n'), accentColor: s.accentColor, logoUrl: s.logoUrl, headingLevel: s.headingLevel };
}

/**
 * Saves a party's embed settings from the form, based on the party version the form was read at.
 * The next embed response uses them at once: the write empties the page cache (page-cache.ts).
 */
export async function updateEmbedSettings(deps: EmbedDeps, actor: Actor | null, partyId: string, form: unknown): Promise<EmbedSettings> {
  await getEmbedSettings(deps.db, actor, partyId);
  const f = parseOrThrow(EmbedSettingsForm, form);
  const next: EmbedSettings = { origins: f.embedOrigins, accentColor: f.accentColor, logoUrl: f.logoUrl, headingLevel: f.headingLevel };
  await deps.db.transaction().execute(async (trx) => {
    const row = await repo.findPartyEmbed(trx, partyId);
    if (!row) throw new AppError('not_found', 'Parten finns inte.');
    const now = deps.clock();
    const ok = row.version === f.version && (await repo.updatePartyEmbed(trx, partyId, f.version, next, now.toISOString()));
    if (!ok) throw new EditConflictError(auditable(row.settings), row.version);
    await recordAudit(trx, { actor, action: 'party.embed', entityType: 'party', entityId: partyId, before: auditable(row.settings), after: auditable(next) }, now);
  });
  return next;
}

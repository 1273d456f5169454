import type { Executor } from '../../../db/executor.js';
import { publicReports, reportLabel, reportPath } from '../../follow-up/reports.js';
import { messages } from '../../../platform/i18n/index.js';
import { formatDate } from '../../../platform/views/format.js';
import { periodLabel, type Party, type PledgeSummary } from '../../pledges/pledge.js';
import { municipalityCurrent } from '../../pledges/pledge-service.js';
import { loadPublishedPledge, loadPublishedVersion, publicVersionHistory } from '../../signing/published.js';
import { swedishDay } from './tables.js';
import { municipalityPaths, LICENSE_URI } from './urls.js';
import { el, xmlDocument } from './xml.js';

/**
 * The Atom 1.0 feed of a municipality (RFC 4287): one entry per signed version of each of its
 * public pledges, newest first. The feed is assembled from a list of entry sources, so the
 * follow-up reports of a later issue become one more source in FEED_ENTRY_SOURCES and need no
 * change here. Every source must read through the published functions only.
 */

export interface FeedEntry {
  /** A tag: URI (RFC 4151) that never changes for this entry. */
  id: string;
  title: string;
  /** RFC 3339. */
  updated: string;
  published?: string;
  /** Absolute URL of the public page the entry is about. */
  link: string;
  summary: string;
  /** What kind of news this is, e.g. a new version or (later) a follow-up report. */
  category: { term: string; label: string };
}

export interface FeedContext {
  db: Executor;
  municipality: Party;
  /** The municipality's public pledges (signed or archived), newest first. */
  pledges: readonly PledgeSummary[];
  base: string;
  tags: TagMinter;
}

export type FeedEntrySource = (ctx: FeedContext) => Promise<FeedEntry[]>;

/**
 * tag: URIs (RFC 4151) under the site's own domain. The date is fixed for good: it is part of
 * every id, and an id that changes makes every reader show all entries as new again.
 */
export const TAG_DATE = '2026';

export interface TagMinter {
  feed(municipalityId: string): string;
  version(pledgeId: string, number: number): string;
  /** For other entry sources: `kind` and `key` must identify the entry for good (use ids, not names). */
  other(kind: string, key: string): string;
}

export function tagMinter(base: string): TagMinter {
  const authority = new URL(base).hostname;
  const tag = (specific: string) => `tag:${authority},${TAG_DATE}:${specific}`;
  return {
    feed: (id) => tag(`kommun/${id}`),
    version: (pledgeId, n) => tag(`medborgarlofte/${pledgeId}/version/${n}`),
    other: (kind, key) => tag(`${kind}/${key}`),
  };
}

/** RFC 3339 in UTC, whole seconds unless the source had more. */
export function rfc3339(iso: string): string {
  return new Date(iso).toISOString().replace('.000Z', 'Z');
}

const sv = messages('sv');

function joinSv(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} och ${items[items.length - 1]}`;
}

/** A new signed version of a pledge: the first signing and every amendment. */
export const signedVersionEntries: FeedEntrySource = async ({ db, municipality, pledges, base, tags }) => {
  const entries: FeedEntry[] = [];
  for (const pledge of pledges) {
    for (const v of await publicVersionHistory(db, pledge.id)) {
      const published = await loadPublishedVersion(db, pledge.id, v.number);
      if (!published) continue;
      const doc = published.document;
      const partyName = new Map(doc.parties.map((p) => [p.id, p.name]));
      const signers = (doc.signing?.signatures ?? []).map((s) => `${s.name}, ${s.roleTitle.toLocaleLowerCase('sv')}, ${partyName.get(s.partyId) ?? ''}`);
      const period = periodLabel(doc);
      entries.push({
        id: tags.version(pledge.id, v.number),
        title: `Version ${v.number} av medborgarlöftet ${period} undertecknad`,
        updated: rfc3339(v.signedAt),
        published: rfc3339(v.signedAt),
        link: `${base}/kommun/${municipality.slug}/${doc.periodSlug}/versioner/${v.number}`,
        summary:
          `${doc.title}. Undertecknad ${formatDate(swedishDay(v.signedAt), sv)}` +
          (signers.length > 0 ? ` av ${joinSv(signers)}.` : '.') +
          ` Innehållets kontrollsumma (SHA-256): ${v.contentHash}.`,
        category: { term: 'version', label: 'Ny version' },
      });
    }
  }
  return entries;
};

/** A follow-up report frozen at a Brå meeting, or a year-end report. */
export const followUpReportEntries: FeedEntrySource = async ({ db, municipality, pledges, base, tags }) => {
  const entries: FeedEntry[] = [];
  for (const pledge of pledges) {
    const doc = await loadPublishedPledge(db, pledge.id);
    if (!doc) continue;
    for (const r of await publicReports(db, doc)) {
      const { tally, total } = r.snapshot;
      const progress = total.ratio === null ? '' : ` Framsteg totalt: ${Math.floor(total.ratio * 100)} %.`;
      entries.push({
        id: tags.other('uppfoljning', r.id),
        title: `${reportLabel(r, sv)}: medborgarlöftet ${periodLabel(doc)}`,
        updated: rfc3339(r.createdAt),
        published: rfc3339(r.createdAt),
        link: `${base}${reportPath(municipality.slug, doc.periodSlug, r)}`,
        summary: `${doc.title}. ${tally.withReport} av ${tally.activities} aktiviteter har rapporterats sedan förra uppföljningen.${progress}`,
        category: { term: 'follow-up', label: 'Uppföljning' },
      });
    }
  }
  return entries;
};

export const FEED_ENTRY_SOURCES: readonly FeedEntrySource[] = [signedVersionEntries, followUpReportEntries];

export interface Feed {
  id: string;
  title: string;
  subtitle: string;
  selfLink: string;
  pageLink: string;
  author: string;
  updated: string;
  entries: FeedEntry[];
}

/** The feed of /kommun/{slug}/flode.atom; not_found, like the page, when the municipality has no public pledge. */
export async function municipalityFeed(db: Executor, slug: string, today: string, base: string, sources: readonly FeedEntrySource[] = FEED_ENTRY_SOURCES): Promise<Feed> {
  const view = await municipalityCurrent(db, slug, today);
  const tags = tagMinter(base);
  const ctx: FeedContext = { db, municipality: view.municipality, pledges: view.periods, base, tags };
  const entries = (await Promise.all(sources.map((s) => s(ctx)))).flat();
  // Newest first; equal times in a stable order so the document does not change between requests.
  entries.sort((a, b) => b.updated.localeCompare(a.updated) || a.id.localeCompare(b.id));
  const paths = municipalityPaths(view.municipality.slug);
  return {
    id: tags.feed(view.municipality.id),
    title: `Medborgarlöften – ${view.municipality.name}`,
    subtitle: `Nya undertecknade versioner av medborgarlöftena mellan ${view.municipality.name} och Polisen.`,
    selfLink: `${base}${paths.feed}`,
    pageLink: `${base}${paths.page}`,
    author: view.municipality.name,
    // A municipality with a public pledge has at least one signed version, so at least one entry.
    updated: entries[0]?.updated ?? rfc3339(new Date(0).toISOString()),
    entries,
  };
}

export function atomXml(feed: Feed): string {
  return xmlDocument(
    el(
      'feed',
      { xmlns: 'http://www.w3.org/2005/Atom', 'xml:lang': 'sv' },
      el('id', null, feed.id),
      el('title', null, feed.title),
      el('subtitle', null, feed.subtitle),
      el('link', { rel: 'self', type: 'application/atom+xml', href: feed.selfLink }),
      el('link', { rel: 'alternate', type: 'text/html', href: feed.pageLink }),
      el('updated', null, feed.updated),
      el('author', null, el('name', null, feed.author)),
      el('rights', null, `Fri att återanvända: ${LICENSE_URI}`),
      feed.entries.map((e) =>
        el(
          'entry',
          null,
          el('id', null, e.id),
          el('title', null, e.title),
          el('updated', null, e.updated),
          e.published ? el('published', null, e.published) : null,
          el('link', { rel: 'alternate', type: 'text/html', href: e.link }),
          el('category', { term: e.category.term, label: e.category.label }),
          el('summary', { type: 'text' }, e.summary),
        ),
      ),
    ),
  );
}

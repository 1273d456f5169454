import type { Executor } from '../../../db/executor.js';
import { compareSv } from '../../../platform/text.js';
import type { Party, PledgeDocument } from '../../pledges/pledge.js';
import { getPublicPledge, listPublicPledges, municipalityCurrent, municipalityPeriod } from '../../pledges/pledge-service.js';

/**
 * Which pledges an open-data file holds. Every read goes through the published functions of the
 * pledge register (signed versions only), never the working copy: a draft, a version awaiting
 * signatures or a withdrawn one cannot end up in a download, a feed or the catalogue.
 */

/** Sorted the way a reader scans a spreadsheet: municipality in Swedish order, then oldest period first. */
export function sortPledges(docs: PledgeDocument[]): PledgeDocument[] {
  const key = (d: PledgeDocument) => d.parties.find((p) => p.kind === 'municipality')?.name ?? '';
  return [...docs].sort((a, b) => compareSv(key(a), key(b)) || a.startsOn.localeCompare(b.startsOn) || a.id.localeCompare(b.id));
}

/** Every public pledge in the country. */
export async function nationalPledges(db: Executor): Promise<PledgeDocument[]> {
  const list = await listPublicPledges(db, {});
  const docs: PledgeDocument[] = [];
  // One at a time: a national file is a few hundred pledges, and the pool is shared with the pages.
  for (const item of list) docs.push(await getPublicPledge(db, item.pledge.id));
  return sortPledges(docs);
}

/** Every public pledge of one municipality, all periods; not_found when it has none (drafts do not count). */
export async function municipalityPledges(db: Executor, slug: string, today: string): Promise<{ municipality: Party; pledges: PledgeDocument[] }> {
  const view = await municipalityCurrent(db, slug, today);
  const docs: PledgeDocument[] = [];
  for (const p of view.periods) docs.push(p.id === view.pledge.id ? view.pledge : await getPublicPledge(db, p.id));
  return { municipality: view.municipality, pledges: sortPledges(docs) };
}

/** The one public pledge of a municipality for a period, as on /kommun/{slug}/{period}. */
export async function periodPledge(db: Executor, slug: string, period: string, today: string): Promise<{ municipality: Party; pledge: PledgeDocument }> {
  const view = await municipalityPeriod(db, slug, period, today);
  return { municipality: view.municipality, pledge: view.pledge };
}

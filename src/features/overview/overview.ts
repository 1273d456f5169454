import { swedishDate } from '../pledges/pledge.js';

/** Rules of the national overview that hold whatever stores the data. */

export type Freshness = 'fresh' | 'aging' | 'stale' | 'none';

/** A tertial: the usual time between two Brå meetings, so a report within it is current. */
export const FRESH_DAYS = 122;
/** After a year without any report, the follow-up has stopped in practice. */
export const STALE_DAYS = 365;

function daysBetween(fromDate: string, toDate: string): number {
  return Math.round((Date.parse(`${toDate}T00:00:00Z`) - Date.parse(`${fromDate}T00:00:00Z`)) / 86_400_000);
}

/** How fresh a pledge's latest follow-up is on `today` (a Swedish calendar date), counted in Swedish days. */
export function freshness(lastFollowUp: string | null, today: string): Freshness {
  if (!lastFollowUp) return 'none';
  const days = daysBetween(swedishDate(new Date(lastFollowUp)), today);
  if (days <= FRESH_DAYS) return 'fresh';
  if (days <= STALE_DAYS) return 'aging';
  return 'stale';
}

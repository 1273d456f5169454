import type { FastifyRequest } from 'fastify';
import type { Links } from './tables.js';

/**
 * Where open data lives, and absolute links into the site. Feeds, the catalogue and the files
 * carry absolute URLs (the national data portal refuses relative ones), built from
 * PUBLIC_BASE_URL, or, when that is not set (development, tests), from the request itself.
 */

export const OPEN_DATA_PATHS = {
  pledgesCsv: '/data/medborgarloften.csv',
  pledgesJson: '/data/medborgarloften.json',
  activitiesCsv: '/data/aktiviteter.csv',
  activitiesJson: '/data/aktiviteter.json',
  dcat: '/dcat',
} as const;

export const municipalityPaths = (slug: string) => ({
  pledgesCsv: `/kommun/${slug}/medborgarloften.csv`,
  pledgesJson: `/kommun/${slug}/medborgarloften.json`,
  activitiesCsv: `/kommun/${slug}/aktiviteter.csv`,
  activitiesJson: `/kommun/${slug}/aktiviteter.json`,
  feed: `/kommun/${slug}/flode.atom`,
  page: `/kommun/${slug}`,
});

export const periodPaths = (slug: string, period: string) => ({
  activitiesCsv: `/kommun/${slug}/${period}/aktiviteter.csv`,
  activitiesJson: `/kommun/${slug}/${period}/aktiviteter.json`,
});

/** The site's origin without a trailing slash, e.g. https://medborgarloften.example.se. */
export function publicBase(publicBaseUrl: string | undefined, req: Pick<FastifyRequest, 'protocol' | 'host'>): string {
  if (publicBaseUrl) return publicBaseUrl.replace(/\/+$/, '');
  return `${req.protocol}://${req.host}`;
}

export function siteLinks(base: string): Links {
  return {
    page: (slug, period) => `${base}/kommun/${slug}/${period}`,
    version: (slug, period, n) => `${base}/kommun/${slug}/${period}/versioner/${n}`,
    api: (id) => `${base}/api/v1/pledges/${id}`,
  };
}

/** CC0: pledges are public documents of public authorities, and data without strings gets reused. */
export const LICENSE_URI = 'http://creativecommons.org/publicdomain/zero/1.0/';

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The one stylesheet, read once. Its URL carries a content hash so browsers may cache it for a
 * year and still see a new version the moment it changes.
 */
const file = fileURLToPath(new URL('../../../public/site.css', import.meta.url));
export const stylesheet = readFileSync(file, 'utf8');
export const stylesheetHash = createHash('sha256').update(stylesheet).digest('hex').slice(0, 12);

export function stylesheetHref(): string {
  return `/static/site.css?v=${stylesheetHash}`;
}

import { z } from 'zod';
import { isLoopbackUrl } from '../../sso/sso.js';

/**
 * A party's settings for the embed of its pledges on its own website: which sites may frame it
 * (CSP frame-ancestors), and how it looks there (accent colour, logo, heading level). The rules
 * live here so the form, tests and any later API agree. See docs/decisions/embeds.md.
 */

export interface EmbedSettings {
  /** Normalised origins (`https://host[:port]`), sorted, no duplicates. */
  origins: string[];
  /** `#rrggbb`, with at least MIN_CONTRAST against white; null for the default. */
  accentColor: string | null;
  /** An https URL; null for no logo. */
  logoUrl: string | null;
  /** The level of the focus areas' headings; the pledge's title is one level above. */
  headingLevel: HeadingLevel;
}

export const HEADING_LEVELS = [2, 3, 4] as const;
export type HeadingLevel = (typeof HEADING_LEVELS)[number];

/** WCAG 2.1 SC 1.4.3 for normal text: the accent colours links and headings on white. */
export const MIN_CONTRAST = 4.5;
/** The embed's own colour when a party has chosen none: the site's link colour (7.5:1 on white). */
export const DEFAULT_ACCENT = '#0b4fb3';
export const MAX_ORIGINS = 20;

// ---------------------------------------------------------------------------------------------
// Colour

/** `#abc` or `#aabbcc` (any case) as `#aabbcc`, or null if it is not a hex colour. */
export function normaliseHexColor(input: string): string | null {
  const s = input.trim().toLowerCase();
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/.exec(s);
  if (short) return `#${short[1]}${short[1]}${short[2]}${short[2]}${short[3]}${short[3]}`;
  return /^#[0-9a-f]{6}$/.test(s) ? s : null;
}

/** Relative luminance of an sRGB `#rrggbb` colour (WCAG 2.1 definition). */
export function relativeLuminance(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** Contrast ratio between two `#rrggbb` colours, from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * Rounded down to one decimal, the way the form reports it: 4.47 must read "4,4:1", never the
 * "4,5:1" that would contradict the refusal.
 */
function ratioText(r: number): string {
  return `${(Math.floor(r * 10) / 10).toFixed(1).replace('.', ',')}:1`;
}

// ---------------------------------------------------------------------------------------------
// Origins

/**
 * One line of the allow-list as an origin, or a Swedish reason why not. `https://host[:port]`
 * only, plain http only for this machine (tests and local development): a framing permission
 * for an http site would let anyone on the network path show our page inside theirs.
 */
export function parseOrigin(line: string): { origin: string } | { problem: string } {
  const s = line.trim();
  if (s.includes('*')) return { problem: 'jokertecken (*) går inte: ange varje webbplats för sig.' };
  if (!URL.canParse(s)) return { problem: 'det är inte en webbadress. Skriv hela adressen, t.ex. https://www.strangnas.se.' };
  const u = new URL(s);
  if (u.protocol === 'http:' && !isLoopbackUrl(u)) return { problem: 'adressen måste börja med https://. Okrypterad http går bara för localhost och 127.0.0.1.' };
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return { problem: 'adressen måste börja med https://.' };
  if (u.username || u.password) return { problem: 'adressen får inte innehålla inloggningsuppgifter.' };
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash || /[?#]/.test(s))
    return { problem: `ange bara webbplatsens adress, utan sökväg, t.ex. ${u.origin}.` };
  if (!isLoopbackUrl(u) && !u.hostname.includes('.')) return { problem: 'ange hela domännamnet, t.ex. https://www.strangnas.se.' };
  return { origin: u.origin };
}

const linesOf = (text: string) => text.split(/\r?\n/).map((l) => l.trim());

// ---------------------------------------------------------------------------------------------
// The form

const originsField = z
  .string()
  .max(5000, 'Högst 5000 tecken.')
  .default('')
  .superRefine((text, ctx) => {
    const lines = linesOf(text);
    // One message for the field (the form shows one per field), naming every line that is wrong.
    const problems = lines.flatMap((line, i) => {
      if (line === '') return [];
      const r = parseOrigin(line);
      return 'problem' in r ? [`Rad ${i + 1} (”${line.slice(0, 80)}”): ${r.problem}`] : [];
    });
    if (problems.length > 0) ctx.addIssue({ code: 'custom', message: problems.join(' ') });
    if (new Set(lines.filter(Boolean)).size > MAX_ORIGINS) ctx.addIssue({ code: 'custom', message: `Högst ${MAX_ORIGINS} webbplatser.` });
  })
  .transform((text) => {
    const origins = linesOf(text)
      .filter(Boolean)
      .map((l) => parseOrigin(l))
      .flatMap((r) => ('origin' in r ? [r.origin] : []));
    return [...new Set(origins)].sort();
  });

const accentField = z
  .string()
  .trim()
  .default('')
  .superRefine((s, ctx) => {
    if (s === '') return;
    const hex = normaliseHexColor(s);
    if (!hex) {
      ctx.addIssue({ code: 'custom', message: 'Ange färgen som en hexkod, t.ex. #0b4fb3.' });
      return;
    }
    const ratio = contrastRatio(hex, '#ffffff');
    if (ratio < MIN_CONTRAST)
      ctx.addIssue({
        code: 'custom',
        message: `Färgen ${hex} har kontrasten ${ratioText(ratio)} mot vit bakgrund. Välj en mörkare färg med minst 4,5:1, så att länkar och rubriker går att läsa.`,
      });
  })
  .transform((s) => (s === '' ? null : normaliseHexColor(s)));

const logoField = z
  .string()
  .trim()
  .max(500, 'Högst 500 tecken.')
  .default('')
  .superRefine((s, ctx) => {
    if (s === '' || s.length > 500) return;
    if (!URL.canParse(s)) {
      ctx.addIssue({ code: 'custom', message: 'Ange logotypens fullständiga adress, t.ex. https://www.strangnas.se/logo.svg.' });
      return;
    }
    const u = new URL(s);
    if (u.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'Logotypens adress måste börja med https://.' });
    else if (u.username || u.password) ctx.addIssue({ code: 'custom', message: 'Adressen får inte innehålla inloggningsuppgifter.' });
    else if (!u.hostname.includes('.')) ctx.addIssue({ code: 'custom', message: 'Ange hela domännamnet, t.ex. https://www.strangnas.se/logo.svg.' });
  })
  .transform((s) => (s === '' ? null : new URL(s).href));

export const EmbedSettingsForm = z.object({
  version: z.coerce.number().int().positive(),
  embedOrigins: originsField,
  accentColor: accentField,
  logoUrl: logoField,
  headingLevel: z.enum(['2', '3', '4'], 'Välj en rubriknivå.').transform((s) => Number(s) as HeadingLevel),
});

/** The settings as the form shows them: the allow-list one origin per line. */
export function settingsValues(s: EmbedSettings): Record<'embedOrigins' | 'accentColor' | 'logoUrl' | 'headingLevel', string> {
  return { embedOrigins: s.origins.join('\n'), accentColor: s.accentColor ?? '', logoUrl: s.logoUrl ?? '', headingLevel: String(s.headingLevel) };
}

/**
 * What the labs measure. Codes are stable (they are stored); names are what people read.
 * The order here is the order on every page: fixed, never by level, so no substance or district
 * is ever presented as "the worst".
 */
export const SUBSTANCES = ['benzoylecgonine', 'amphetamine', 'methamphetamine', 'mdma', 'thc_cooh', 'ketamine', 'cocaine', 'morphine'] as const;
export type SubstanceCode = (typeof SUBSTANCES)[number];

export interface SubstanceInfo {
  code: SubstanceCode;
  /** Swedish name of the biomarker, as on lab reports. */
  name: string;
  /** What it indicates, for readers: "kokain", "cannabis". */
  indicates: string;
  /** English, for ?lang=en and the API. */
  nameEn: string;
  indicatesEn: string;
  /** Substance key in the EUDA reference file, when EUDA publishes it. */
  euda: string | null;
}

export const SUBSTANCE_INFO: Record<SubstanceCode, SubstanceInfo> = {
  benzoylecgonine: { code: 'benzoylecgonine', name: 'Bensoylekgonin', indicates: 'kokain', nameEn: 'Benzoylecgonine', indicatesEn: 'cocaine', euda: 'cocaine' },
  amphetamine: { code: 'amphetamine', name: 'Amfetamin', indicates: 'amfetamin', nameEn: 'Amphetamine', indicatesEn: 'amphetamine', euda: 'amphetamine' },
  methamphetamine: { code: 'methamphetamine', name: 'Metamfetamin', indicates: 'metamfetamin', nameEn: 'Methamphetamine', indicatesEn: 'methamphetamine', euda: 'methamphetamine' },
  mdma: { code: 'mdma', name: 'MDMA', indicates: 'ecstasy', nameEn: 'MDMA', indicatesEn: 'ecstasy', euda: 'MDMA' },
  thc_cooh: { code: 'thc_cooh', name: 'THC-COOH', indicates: 'cannabis', nameEn: 'THC-COOH', indicatesEn: 'cannabis', euda: 'cannabis' },
  ketamine: { code: 'ketamine', name: 'Ketamin', indicates: 'ketamin', nameEn: 'Ketamine', indicatesEn: 'ketamine', euda: null },
  cocaine: { code: 'cocaine', name: 'Kokain', indicates: 'kokain (modersubstansen)', nameEn: 'Cocaine', indicatesEn: 'cocaine (parent drug)', euda: null },
  morphine: { code: 'morphine', name: 'Morfin', indicates: 'heroin och medicinsk morfin', nameEn: 'Morphine', indicatesEn: 'heroin and medical morphine', euda: null },
};

/** Lower case, NFC, without spaces, hyphens, dots, underscores and brackets: "THC-COOH" → "thccooh". */
function squash(s: string): string {
  return s.normalize('NFC').toLocaleLowerCase('sv').replace(/[\s\-_.,()/]+/g, '');
}

const ALIASES: Record<SubstanceCode, string[]> = {
  benzoylecgonine: ['bensoylekgonin', 'benzoylecgonine', 'benzoylekgonin', 'be'],
  amphetamine: ['amfetamin', 'amphetamine', 'amfetamine'],
  methamphetamine: ['metamfetamin', 'methamphetamine', 'metamfetamine', 'methamfetamin'],
  mdma: ['mdma', 'ecstasy'],
  thc_cooh: ['thccooh', 'thca', '11nor9carboxythc', '11nor9karboxithc', 'karboxithc', 'cannabis'],
  ketamine: ['ketamin', 'ketamine'],
  cocaine: ['kokain', 'cocaine'],
  morphine: ['morfin', 'morphine'],
};

const BY_ALIAS = new Map<string, SubstanceCode>();
for (const code of SUBSTANCES) for (const a of ALIASES[code]) BY_ALIAS.set(squash(a), code);

/** A lab writes the same few names on every row: remember them rather than fold each again. */
const seenNames = new Map<string, SubstanceCode | null>();

export function substanceFromLabName(name: string): SubstanceCode | null {
  let code = seenNames.get(name);
  if (code === undefined) {
    code = BY_ALIAS.get(squash(name)) ?? null;
    if (seenNames.size < 1000) seenNames.set(name, code);
  }
  return code;
}

function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** The Swedish name closest to a misspelt one ("amfetamine" → "amfetamin"), if any is close. */
export function suggestSubstance(name: string): string | null {
  const s = squash(name);
  if (s.length < 3) return null;
  let best: { alias: string; d: number } | null = null;
  for (const [alias] of BY_ALIAS) {
    if (alias.length < 3) continue;
    const d = levenshtein(s, alias);
    if (!best || d < best.d) best = { alias, d };
  }
  if (!best || best.d > Math.max(1, Math.floor(best.alias.length / 4))) return null;
  // Suggest the Swedish lab spelling, whichever alias was closest.
  return LAB_NAME[BY_ALIAS.get(best.alias)!];
}

/** As Swedish lab reports write them. */
export const LAB_NAME: Record<SubstanceCode, string> = {
  benzoylecgonine: 'bensoylekgonin',
  amphetamine: 'amfetamin',
  methamphetamine: 'metamfetamin',
  mdma: 'MDMA',
  thc_cooh: 'THC-COOH',
  ketamine: 'ketamin',
  cocaine: 'kokain',
  morphine: 'morfin',
};

export const KNOWN_SUBSTANCE_NAMES = 'bensoylekgonin, amfetamin, metamfetamin, MDMA, THC-COOH (THCA), ketamin, kokain, morfin';

/** "?substans=amfetamin" on public pages: the Swedish name, URL-friendly. */
export const SUBSTANCE_SLUG: Record<SubstanceCode, string> = {
  benzoylecgonine: 'bensoylekgonin',
  amphetamine: 'amfetamin',
  methamphetamine: 'metamfetamin',
  mdma: 'mdma',
  thc_cooh: 'thc-cooh',
  ketamine: 'ketamin',
  cocaine: 'kokain',
  morphine: 'morfin',
};

export function substanceFromSlug(slug: string): SubstanceCode | null {
  for (const code of SUBSTANCES) if (SUBSTANCE_SLUG[code] === slug || code === slug) return code;
  return null;
}

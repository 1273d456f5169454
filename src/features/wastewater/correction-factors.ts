import type { SubstanceCode } from './substances.js';

/**
 * Correction factors for back-calculating estimated consumption of the parent drug from a
 * biomarker's population-normalised load: CF = (M_parent / M_biomarker) / excretion_fraction.
 * Each factor carries its source so a municipality can see, and choose, what it relies on.
 * The CFs below are recomputed from the molar masses and excretion fractions (see the unit test),
 * not copied, so a typo in either shows up. See docs/decisions/wastewater.md for the choice of set.
 */

export interface CorrectionFactor {
  substance: SubstanceCode;
  /** The drug consumption is estimated for, in Swedish. */
  parentDrug: string;
  excretionFraction: number;
  /** M_parent / M_biomarker; 1 when the biomarker is the drug itself. */
  molarRatio: number;
  cf: number;
  source: string;
  /** Shown beside the estimate wherever it appears. */
  caveat?: string;
}

export const MOLAR_MASS = {
  cocaine: 303.36,
  benzoylecgonine: 289.33,
  thc: 314.47,
  thcCooh: 344.45,
  heroin: 369.42,
  morphine: 285.34,
} as const;

const ZUCCATO_2008 = 'Zuccato m.fl. 2008, Environmental Health Perspectives 116:1027';
const CASTIGLIONI_2013 = 'Castiglioni m.fl. 2013, Environmental Science & Technology 47:1452';
const GRACIA_LOR_2016 = 'Gracia-Lor m.fl. 2016, Science of the Total Environment 573:1648';

function factor(substance: SubstanceCode, parentDrug: string, excretionFraction: number, molarRatio: number, source: string, caveat?: string): CorrectionFactor {
  return { substance, parentDrug, excretionFraction, molarRatio, cf: Math.round((molarRatio / excretionFraction) * 100) / 100, source, ...(caveat ? { caveat } : {}) };
}

const cocaineRatio = MOLAR_MASS.cocaine / MOLAR_MASS.benzoylecgonine;
const thcRatio = MOLAR_MASS.thc / MOLAR_MASS.thcCooh;
const heroinRatio = MOLAR_MASS.heroin / MOLAR_MASS.morphine;
const MORPHINE_CAVEAT = 'Morfin kommer också från läkemedel (morfin och kodein); skattningen av heroin blir därför för hög.';
const AMPHETAMINE_CAVEAT = 'Amfetamin som läkemedel (ADHD) går inte att skilja från illegal användning.';

const basic: CorrectionFactor[] = [
  factor('benzoylecgonine', 'kokain', 0.45, cocaineRatio, ZUCCATO_2008),
  factor('amphetamine', 'amfetamin', 0.3, 1, ZUCCATO_2008, AMPHETAMINE_CAVEAT),
  factor('methamphetamine', 'metamfetamin', 0.43, 1, ZUCCATO_2008),
  factor('mdma', 'MDMA', 0.65, 1, ZUCCATO_2008),
  factor('thc_cooh', 'cannabis (THC)', 0.006, thcRatio, ZUCCATO_2008),
  factor('morphine', 'heroin', 0.42, heroinRatio, ZUCCATO_2008, MORPHINE_CAVEAT),
];

const refined: CorrectionFactor[] = [
  factor('benzoylecgonine', 'kokain', 0.292, cocaineRatio, CASTIGLIONI_2013),
  factor('amphetamine', 'amfetamin', 0.361, 1, GRACIA_LOR_2016, AMPHETAMINE_CAVEAT),
  factor('methamphetamine', 'metamfetamin', 0.43, 1, ZUCCATO_2008),
  factor('mdma', 'MDMA', 0.225, 1, GRACIA_LOR_2016),
  factor('thc_cooh', 'cannabis (THC)', 0.006, thcRatio, ZUCCATO_2008),
  factor('morphine', 'heroin', 0.42, heroinRatio, ZUCCATO_2008, MORPHINE_CAVEAT),
];

export const CORRECTION_SETS = {
  refined: {
    code: 'refined',
    name: 'Förfinade faktorer (Castiglioni 2013, Gracia-Lor 2016, övriga Zuccato 2008)',
    factors: refined,
  },
  zuccato2008: {
    code: 'zuccato2008',
    name: 'Ursprungliga faktorer (Zuccato 2008)',
    factors: basic,
  },
} as const satisfies Record<string, { code: string; name: string; factors: CorrectionFactor[] }>;

export type CorrectionSetCode = keyof typeof CORRECTION_SETS;
export const CORRECTION_SET_CODES = Object.keys(CORRECTION_SETS) as CorrectionSetCode[];
export const DEFAULT_CORRECTION_SET: CorrectionSetCode = 'refined';

export function correctionFactor(set: CorrectionSetCode, substance: SubstanceCode): CorrectionFactor | null {
  return CORRECTION_SETS[set].factors.find((f) => f.substance === substance) ?? null;
}

export function isCorrectionSet(code: string): code is CorrectionSetCode {
  return code in CORRECTION_SETS;
}

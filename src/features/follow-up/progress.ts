import type { ActivityStatus, Target } from '../pledges/pledge.js';

/**
 * How far an activity, a commitment and a focus area have come. Pure functions: the public page,
 * the reports and the tests all use these, and the rule is stated in words next to the numbers
 * (`followUp.rule` in the i18n catalogues). See docs/decisions/follow-up.md.
 *
 * The rule:
 * - An activity with a target in numbers and a reported outcome: outcome ÷ target, at most 100 %.
 * - Any other activity (text target, no target, or no outcome reported yet): 100 % when done
 *   (genomförd), otherwise 0 %.
 * - Cancelled (inställd) activities are left out.
 * - A commitment or focus area: the plain mean of its activities, every activity weighing the same
 *   (a focus area is the mean of all its activities, not of its commitments' means).
 */

export interface Outcome {
  value: number;
  unit: string;
}

export type ActivityProgress =
  | { kind: 'excluded' }
  /** Measured against a numeric target. */
  | { kind: 'numeric'; ratio: number; value: number; target: number; unit: string }
  /** Counted by status: 1 when done, else 0. */
  | { kind: 'status'; ratio: 0 | 1 };

export function sameUnit(a: string, b: string): boolean {
  return a.trim().toLocaleLowerCase('sv') === b.trim().toLocaleLowerCase('sv');
}

export function activityProgress(a: { status: ActivityStatus; target: Target | null }, outcome: Outcome | null): ActivityProgress {
  if (a.status === 'cancelled') return { kind: 'excluded' };
  const t = a.target;
  // A target of 0 cannot be divided by; an outcome in another unit (the target changed in an amendment) is not comparable.
  if (t?.kind === 'numeric' && t.value > 0 && outcome && sameUnit(outcome.unit, t.unit)) {
    return { kind: 'numeric', ratio: Math.min(Math.max(outcome.value, 0) / t.value, 1), value: outcome.value, target: t.value, unit: t.unit };
  }
  return { kind: 'status', ratio: a.status === 'done' ? 1 : 0 };
}

export interface RolledUp {
  /** Mean of the counted activities, 0–1; null when none counts. */
  ratio: number | null;
  /** Activities that count (not cancelled). */
  counted: number;
  /** Activities left out because they are cancelled. */
  excluded: number;
  /** Counted activities at 100 %. */
  complete: number;
}

export function rollUp(progress: readonly ActivityProgress[]): RolledUp {
  let sum = 0;
  let counted = 0;
  let excluded = 0;
  let complete = 0;
  for (const p of progress) {
    if (p.kind === 'excluded') {
      excluded++;
      continue;
    }
    counted++;
    sum += p.ratio;
    if (p.ratio >= 1) complete++;
  }
  return { ratio: counted === 0 ? null : sum / counted, counted, excluded, complete };
}

/**
 * A share as a whole percentage, rounded down: 99.6 % is not "100 %" until it really is.
 * Floating point is nudged first, so 0.29 × 100 = 28.999… still shows 29.
 */
export function percent(ratio: number): number {
  return Math.floor(ratio * 100 + 1e-9);
}

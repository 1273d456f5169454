import { describe, expect, it } from 'vitest';
import {
  PledgeInput,
  inForceConflict,
  isInForce,
  periodLabel,
  periodProblem,
  periodSlug,
  pledgeTiming,
  pledgeToShow,
  swedishDate,
  type PledgeSummary,
} from '../../src/features/pledges/pledge.js';

const summary = (id: string, startsOn: string, endsOn: string, state: PledgeSummary['state'] = 'signed'): PledgeSummary => ({
  id,
  title: id,
  startsOn,
  endsOn,
  periodSlug: periodSlug(startsOn, endsOn),
  state,
  isDemo: false,
});

describe('period', () => {
  it('names single- and multi-year periods the way they appear in URLs', () => {
    expect(periodSlug('2022-01-01', '2023-12-31')).toBe('2022-2023');
    expect(periodSlug('2022-01-01', '2022-12-31')).toBe('2022');
    expect(periodLabel({ startsOn: '2022-01-01', endsOn: '2023-12-31' })).toBe('2022–2023');
  });

  it('accepts one to four calendar years and rejects the rest with a Swedish reason', () => {
    expect(periodProblem('2022-01-01', '2023-12-31')).toBeNull();
    expect(periodProblem('2022-01-01', '2025-12-31')).toBeNull();
    expect(periodProblem('2022-01-01', '2026-01-01')).toMatch(/högst 4 kalenderår/);
    expect(periodProblem('2023-01-01', '2022-12-31')).toMatch(/sluta innan den börjar/);
    expect(periodProblem('2023-02-30', '2023-12-31')).toMatch(/ogiltigt datum/);
  });

  it('validates a pledge input and names the field that is wrong', () => {
    const r = PledgeInput.safeParse({
      title: 'x',
      startsOn: '2024-01-01',
      endsOn: '2023-01-01',
      partyIds: ['6f1c1b7e-2f51-4c55-9d2a-3a3e7b1c2d4e', '6f1c1b7e-2f51-4c55-9d2a-3a3e7b1c2d4f'],
      focusAreas: [{ title: 'FA', commitments: [{ title: 'C', activities: [{ ownerPartyId: '00000000-0000-4000-8000-000000000000', description: 'A' }] }] }],
    });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('endsOn');
    expect(paths).toContain('focusAreas.0.commitments.0.activities.0.ownerPartyId');
  });
});

describe('one pledge in force per municipality', () => {
  const existing = [summary('a', '2022-01-01', '2023-12-31'), summary('old-draft', '2024-01-01', '2024-12-31', 'draft')];

  it('refuses a signed pledge that overlaps a signed one', () => {
    expect(inForceConflict(summary('new', '2023-06-01', '2024-05-31'), existing)?.id).toBe('a');
  });

  it('allows adjacent periods, drafts and archived pledges to coexist', () => {
    expect(inForceConflict(summary('next', '2024-01-01', '2025-12-31'), existing)).toBeNull();
    expect(inForceConflict(summary('draft', '2022-06-01', '2022-12-31', 'draft'), existing)).toBeNull();
    expect(inForceConflict(summary('arch', '2022-06-01', '2022-12-31'), [summary('a', '2022-01-01', '2023-12-31', 'archived')])).toBeNull();
  });

  it('does not conflict with itself', () => {
    expect(inForceConflict(existing[0]!, existing)).toBeNull();
  });
});

describe('which pledge a municipality page shows', () => {
  const pledges = [summary('p21', '2021-01-01', '2021-12-31'), summary('p22', '2022-01-01', '2023-12-31'), summary('d24', '2024-01-01', '2025-12-31', 'draft')];

  it('shows the pledge in force on the date', () => {
    expect(pledgeToShow(pledges, '2022-06-01')).toEqual({ pledge: pledges[1], inForce: true });
    expect(isInForce(pledges[1]!, '2023-12-31')).toBe(true);
    expect(isInForce(pledges[1]!, '2024-01-01')).toBe(false);
  });

  it('falls back to the latest public pledge and never to a draft', () => {
    expect(pledgeToShow(pledges, '2026-11-27')).toEqual({ pledge: pledges[1], inForce: false });
    expect(pledgeToShow([pledges[2]!], '2026-11-27')).toBeNull();
  });

  it('shows an upcoming pledge when nothing has started yet', () => {
    expect(pledgeToShow([summary('p30', '2030-01-01', '2030-12-31')], '2026-01-01')?.pledge.id).toBe('p30');
  });

  it('tells the reader whether a pledge is in force, ended, upcoming or archived', () => {
    expect(pledgeTiming(pledges[1]!, '2023-01-01')).toBe('in_force');
    expect(pledgeTiming(pledges[1]!, '2026-01-01')).toBe('ended');
    expect(pledgeTiming(pledges[1]!, '2021-01-01')).toBe('upcoming');
    expect(pledgeTiming({ ...pledges[1]!, state: 'archived' }, '2023-01-01')).toBe('archived');
  });
});

describe('swedishDate', () => {
  it('uses the Swedish calendar day, not UTC', () => {
    expect(swedishDate(new Date('2025-12-31T23:30:00Z'))).toBe('2026-01-01');
    expect(swedishDate(new Date('2025-06-30T21:59:00Z'))).toBe('2025-06-30');
  });
});

import { describe, expect, it } from 'vitest';
import { isoWeekMonday, scheduleDates } from '../../src/features/follow-up/calendar.js';
import { addDays, staleSince } from '../../src/features/follow-up/public-progress.js';

const twoYears = { startsOn: '2022-01-01', endsOn: '2023-12-31' };

describe('campaign dates from a schedule', () => {
  it('knows ISO weeks: week 1 holds 4 January', () => {
    expect(isoWeekMonday(2022, 1)).toBe('2022-01-03');
    expect(isoWeekMonday(2022, 47)).toBe('2022-11-21');
    expect(isoWeekMonday(2026, 1)).toBe('2025-12-29');
    expect(isoWeekMonday(2020, 53)).toBe('2020-12-28');
  });

  it('takes the schedule’s dates first', () => {
    expect(scheduleDates({ startsOn: '2022-06-01', endsOn: '2022-08-31', text: 'Varje år vecka 25' }, twoYears)).toEqual([{ startsOn: '2022-06-01', endsOn: '2022-08-31', key: null }]);
    expect(scheduleDates({ startsOn: null, endsOn: '2022-05-01', text: null }, twoYears)).toEqual([{ startsOn: '2022-05-01', endsOn: '2022-05-01', key: null }]);
  });

  it('reads "Varje år vecka 47–48" as those weeks in each year of the period', () => {
    expect(scheduleDates({ startsOn: null, endsOn: null, text: 'Varje år vecka 47–48' }, twoYears)).toEqual([
      { startsOn: '2022-11-21', endsOn: '2022-12-04', key: '2022' },
      { startsOn: '2023-11-20', endsOn: '2023-12-03', key: '2023' },
    ]);
    expect(scheduleDates({ startsOn: null, endsOn: null, text: 'vecka 12 varje år' }, { startsOn: '2022-07-01', endsOn: '2023-12-31' })).toEqual([{ startsOn: '2023-03-20', endsOn: '2023-03-26', key: '2023' }]);
    // Week 53 only in years that have one.
    expect(scheduleDates({ startsOn: null, endsOn: null, text: 'Årligen vecka 53' }, { startsOn: '2020-01-01', endsOn: '2021-12-31' }).map((r) => r.key)).toEqual(['2020']);
  });

  it('does not guess', () => {
    expect(scheduleDates({ startsOn: null, endsOn: null, text: 'vecka 12' }, twoYears)).toEqual([]);
    expect(scheduleDates({ startsOn: null, endsOn: null, text: 'vecka 12' }, { startsOn: '2024-01-01', endsOn: '2024-12-31' })).toEqual([{ startsOn: '2024-03-18', endsOn: '2024-03-24', key: '2024' }]);
    expect(scheduleDates({ startsOn: null, endsOn: null, text: 'Löpande under perioden' }, twoYears)).toEqual([]);
    expect(scheduleDates({ startsOn: null, endsOn: null, text: 'Varje år vecka 48–47' }, twoYears)).toEqual([]);
    expect(scheduleDates(null, twoYears)).toEqual([]);
  });
});

describe('when an activity counts as not followed up', () => {
  const period = { startsOn: '2024-01-01', endsOn: '2025-12-31' };
  it('is after the configured number of days without an update, counted from the period start when there is none', () => {
    expect(addDays('2024-03-01', -120)).toBe('2023-11-02');
    expect(staleSince({ status: 'in_progress', lastReportedOn: '2024-03-01' }, period, '2024-06-29', 120)).toBeNull();
    expect(staleSince({ status: 'in_progress', lastReportedOn: '2024-03-01' }, period, '2024-06-30', 120)).toBe('2024-03-01');
    expect(staleSince({ status: 'planned', lastReportedOn: null }, period, '2024-06-30', 120)).toBe('2024-01-01');
    expect(staleSince({ status: 'planned', lastReportedOn: null }, period, '2024-03-01', 120)).toBeNull();
  });

  it('never for done or cancelled activities, nor before the period starts; after it ends, judged at its end', () => {
    expect(staleSince({ status: 'done', lastReportedOn: '2024-01-05' }, period, '2025-06-30', 120)).toBeNull();
    expect(staleSince({ status: 'cancelled', lastReportedOn: null }, period, '2025-06-30', 120)).toBeNull();
    expect(staleSince({ status: 'planned', lastReportedOn: null }, { startsOn: '2027-01-01', endsOn: '2027-12-31' }, '2026-11-27', 120)).toBeNull();
    expect(staleSince({ status: 'in_progress', lastReportedOn: '2025-10-01' }, period, '2030-01-01', 120)).toBeNull();
    expect(staleSince({ status: 'in_progress', lastReportedOn: '2025-08-01' }, period, '2030-01-01', 120)).toBe('2025-08-01');
  });
});

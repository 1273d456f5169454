import { afterEach, describe, expect, it, vi } from 'vitest';
import { dueReminderDay, startReminderSchedule } from '../../src/features/follow-up/reminders.js';

describe('which reminder day is due', () => {
  it('is the nearest reminder day not yet passed, never on or after the meeting day', () => {
    expect(dueReminderDay(20, [14, 3])).toBeNull();
    expect(dueReminderDay(14, [14, 3])).toBe(14);
    expect(dueReminderDay(9, [14, 3])).toBe(14);
    expect(dueReminderDay(3, [14, 3])).toBe(3);
    // The 14-day reminder was missed (the server was down): only the 3-day one goes out.
    expect(dueReminderDay(1, [14, 3])).toBe(3);
    expect(dueReminderDay(0, [14, 3])).toBeNull();
    expect(dueReminderDay(5, [])).toBeNull();
  });
});

describe('the periodic reminder run', () => {
  afterEach(() => vi.useRealTimers());

  it('runs at once and then every interval, never two at a time, and stop() waits for the run in progress', async () => {
    vi.useFakeTimers();
    let runs = 0;
    let release: (() => void) | null = null;
    const schedule = startReminderSchedule({
      intervalMs: 60_000,
      run: () => {
        runs++;
        return new Promise<void>((resolve) => (release = resolve));
      },
      onError: () => {},
    });
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runs).toBe(1); // the first run has not finished: this tick is skipped
    release!();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runs).toBe(2);
    let stopped = false;
    const stopping = schedule.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    release!();
    await stopping;
    await vi.advanceTimersByTimeAsync(600_000);
    expect(runs).toBe(2);
  });

  it('reports a failed run and keeps going', async () => {
    vi.useFakeTimers();
    const errors: unknown[] = [];
    let runs = 0;
    const schedule = startReminderSchedule({ intervalMs: 1000, run: async () => { runs++; throw new Error('databasen svarar inte'); }, onError: (e) => errors.push(e) });
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(2);
    expect(errors).toHaveLength(2);
    await schedule.stop();
  });
});

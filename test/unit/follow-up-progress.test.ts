import { describe, expect, it } from 'vitest';
import { countingUpdates, latestCounting, latestOutcome, newestFirst, parseDecimal, updateFormSchema, type ActivityUpdate } from '../../src/features/follow-up/activity-update.js';
import { activityProgress, percent, rollUp } from '../../src/features/follow-up/progress.js';

const walks = { kind: 'numeric' as const, value: 4, unit: 'trygghetsvandringar' };

describe('activity progress', () => {
  it('is outcome ÷ target for a numeric target, capped at 100 %', () => {
    expect(activityProgress({ status: 'in_progress', target: walks }, { value: 3, unit: 'trygghetsvandringar' })).toEqual({ kind: 'numeric', ratio: 0.75, value: 3, target: 4, unit: 'trygghetsvandringar' });
    expect(activityProgress({ status: 'done', target: walks }, { value: 9, unit: 'Trygghetsvandringar' })).toMatchObject({ kind: 'numeric', ratio: 1 });
    // Done but short of the target: the numbers win over the status.
    expect(activityProgress({ status: 'done', target: walks }, { value: 2, unit: 'trygghetsvandringar' })).toMatchObject({ ratio: 0.5 });
  });

  it('falls back to the status when there is no numeric target, no outcome or an outcome in another unit', () => {
    expect(activityProgress({ status: 'done', target: { kind: 'text', text: 'Minst en per kommundel' } }, null)).toEqual({ kind: 'status', ratio: 1 });
    expect(activityProgress({ status: 'in_progress', target: null }, null)).toEqual({ kind: 'status', ratio: 0 });
    expect(activityProgress({ status: 'done', target: walks }, null)).toEqual({ kind: 'status', ratio: 1 });
    expect(activityProgress({ status: 'delayed', target: walks }, { value: 3, unit: 'timmar' })).toEqual({ kind: 'status', ratio: 0 });
    expect(activityProgress({ status: 'done', target: { ...walks, value: 0 } }, { value: 0, unit: 'trygghetsvandringar' })).toEqual({ kind: 'status', ratio: 1 });
  });

  it('leaves cancelled activities out', () => {
    expect(activityProgress({ status: 'cancelled', target: walks }, { value: 4, unit: 'trygghetsvandringar' })).toEqual({ kind: 'excluded' });
  });
});

describe('the roll-up rule', () => {
  it('is the plain mean of the activities, cancelled ones excluded, each activity weighing the same', () => {
    const r = rollUp([
      activityProgress({ status: 'done', target: null }, null), // 100 %
      activityProgress({ status: 'in_progress', target: walks }, { value: 1, unit: 'trygghetsvandringar' }), // 25 %
      activityProgress({ status: 'planned', target: null }, null), // 0 %
      activityProgress({ status: 'cancelled', target: null }, null), // left out
    ]);
    expect(r).toEqual({ ratio: (1 + 0.25 + 0) / 3, counted: 3, excluded: 1, complete: 1 });
    expect(percent(r.ratio!)).toBe(41);
  });

  it('has no value when nothing counts', () => {
    expect(rollUp([])).toEqual({ ratio: null, counted: 0, excluded: 0, complete: 0 });
    expect(rollUp([{ kind: 'excluded' }])).toMatchObject({ ratio: null, excluded: 1 });
  });

  it('rounds down to whole percent, so almost done is not 100 %', () => {
    expect(percent(0.996)).toBe(99);
    expect(percent(0.29)).toBe(29);
    expect(percent(1)).toBe(100);
  });
});

const u = (over: Partial<ActivityUpdate>): ActivityUpdate => ({
  id: 'x',
  activityId: 'a',
  pledgeId: 'p',
  partyId: 'k',
  authorUserId: null,
  authorName: 'N',
  reportedOn: '2024-01-01',
  createdAt: '2024-01-01T10:00:00.000Z',
  status: 'in_progress',
  previousStatus: 'planned',
  statusReason: null,
  outcome: null,
  counts: [],
  narrative: '',
  evidence: null,
  correctsUpdateId: null,
  ...over,
});

describe('which updates count', () => {
  const a = u({ id: 'a', reportedOn: '2024-03-01', outcome: { value: 2, unit: 'st' } });
  const b = u({ id: 'b', reportedOn: '2024-05-01', status: 'done', outcome: { value: 5, unit: 'st' } });
  const bFixed = u({ id: 'c', reportedOn: '2024-05-01', createdAt: '2024-05-02T08:00:00.000Z', status: 'in_progress', outcome: { value: 3, unit: 'st' }, correctsUpdateId: 'b' });
  const late = u({ id: 'd', reportedOn: '2024-04-01', createdAt: '2024-06-01T08:00:00.000Z', narrative: 'efterhand' });

  it('drops corrected updates and orders by the day reported, then entry time', () => {
    expect(countingUpdates([a, b, bFixed]).map((x) => x.id)).toEqual(['a', 'c']);
    expect(newestFirst([a, late, b, bFixed]).map((x) => x.id)).toEqual(['c', 'b', 'd', 'a']);
    expect(latestCounting([a, b, bFixed, late])?.id).toBe('c');
  });

  it('measures by the newest counting outcome, skipping reports without one', () => {
    expect(latestOutcome([a, b, bFixed, late])?.outcome).toEqual({ value: 3, unit: 'st' });
    expect(latestOutcome([a, late])?.outcome).toEqual({ value: 2, unit: 'st' });
    expect(latestOutcome([late])).toBeNull();
  });
});

describe('the report form', () => {
  const schema = updateFormSchema({ today: '2024-06-15', previousStatus: 'planned', target: walks });

  it('accepts Swedish decimals and fills in today and the target unit', () => {
    const r = schema.parse({ version: '3', status: 'planned', outcomeValue: '2,5', countLabel1: ' Skolor ', countValue1: '6' });
    expect(r).toMatchObject({ version: 3, reportedOn: '2024-06-15', outcome: { value: 2.5, unit: 'trygghetsvandringar' }, counts: [{ label: 'Skolor', value: 6 }], statusReason: null, evidence: null });
    expect(parseDecimal('1 200')).toBe(1200);
    expect(parseDecimal('fyra')).toBeNaN();
  });

  it('names each bad field in Swedish', () => {
    const r = schema.safeParse({ version: '3', status: 'done', outcomeValue: '4', outcomeUnit: 'st', countLabel1: 'Skolor', countValue1: '-1', evidenceUrl: 'ftp://x.se', reportedOn: '2030-01-01' });
    expect(r.success).toBe(false);
    const fields = Object.fromEntries(r.error!.issues.map((i) => [i.path.join('.'), i.message]));
    expect(fields).toEqual({
      reportedOn: 'Datumet kan inte ligga i framtiden.',
      statusReason: 'Ange varför statusen ändras.',
      outcomeUnit: 'Ange utfallet i samma enhet som målet: trygghetsvandringar.',
      countValue1: 'Ett antal kan inte vara negativt.',
      evidenceUrl: 'Ange en fullständig webbadress som börjar med https://.',
    });
  });
});

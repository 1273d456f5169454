import { describe, expect, it } from 'vitest';
import type { ActivityUpdate } from '../../src/features/follow-up/activity-update.js';
import { buildAgenda } from '../../src/features/follow-up/agenda.js';
import { defaultTitle, meetingsOfYear, secondTuesday } from '../../src/features/follow-up/meeting.js';
import { activityAsOf, baselineAsOf, buildSnapshot, type Baseline } from '../../src/features/follow-up/report.js';
import type { VersionDocument } from '../../src/features/signing/version-content.js';
import { BarChart } from '../../src/platform/views/charts/index.js';
import { render } from 'preact-render-to-string';

const doc = (activities: { id: string; description: string; target?: VersionDocument['focusAreas'][0]['commitments'][0]['activities'][0]['target'] }[]): VersionDocument => ({
  format: 'loften.pledge-version/1',
  pledgeId: 'p',
  title: 'Löfte',
  startsOn: '2024-01-01',
  endsOn: '2025-12-31',
  background: '',
  isDemo: false,
  parties: [{ id: 'k', kind: 'municipality', name: 'Kommunen', slug: 'k', municipalityCode: null, county: null, websiteUrl: null }],
  signatories: [],
  focusAreas: [{ id: 'fa', title: 'Område', description: '', commitments: [{ id: 'c', title: 'Åtagande', description: '', activities: activities.map((a) => ({ id: a.id, ownerPartyId: 'k', description: a.description, target: a.target ?? null, schedule: null })) }] }],
});

let seq = 0;
const update = (activityId: string, reportedOn: string, status: ActivityUpdate['status'], previousStatus: ActivityUpdate['status'], over: Partial<ActivityUpdate> = {}): ActivityUpdate => ({
  id: `u${++seq}`,
  activityId,
  pledgeId: 'p',
  partyId: 'k',
  authorUserId: null,
  authorName: 'R',
  reportedOn,
  createdAt: `${reportedOn}T10:00:${String(seq).padStart(2, '0')}.000Z`,
  status,
  previousStatus,
  statusReason: status === previousStatus ? null : 'skäl',
  outcome: null,
  counts: [],
  narrative: '',
  evidence: null,
  correctsUpdateId: null,
  ...over,
});

describe('Brå meetings and reports (pure rules)', () => {
  it('plans on the second Tuesday, inside the period, skipping taken days', () => {
    expect(secondTuesday(2022, 4)).toBe('2022-04-12');
    expect(secondTuesday(2023, 12)).toBe('2023-12-12');
    expect(secondTuesday(2024, 10)).toBe('2024-10-08'); // 1 October 2024 is a Tuesday
    expect(meetingsOfYear(2024, [4, 9, 12], { startsOn: '2024-05-01', endsOn: '2024-12-31' }, new Set(['2024-12-10']))).toEqual(['2024-09-10']);
    expect(defaultTitle('2024-09-10')).toBe('Brå-möte 10 september 2024');
  });

  it('reads an activity as known on a day: later reports do not count, the status before the first report is its previous status', () => {
    const us = [update('a', '2024-03-01', 'in_progress', 'planned'), update('a', '2024-05-01', 'done', 'in_progress')];
    expect(activityAsOf(us, '2024-02-01', 'done').status).toBe('planned');
    expect(activityAsOf(us, '2024-04-01', 'done').status).toBe('in_progress');
    expect(activityAsOf(us, '2024-05-01', 'done').status).toBe('done');
    expect(activityAsOf([], '2024-05-01', 'delayed').status).toBe('delayed');
    // A correction replaces what it corrects.
    const wrong = update('b', '2024-03-01', 'in_progress', 'planned', { outcome: { value: 4, unit: 'st' } });
    const fixed = update('b', '2024-03-01', 'in_progress', 'planned', { outcome: { value: 5, unit: 'st' }, correctsUpdateId: wrong.id });
    expect(activityAsOf([wrong, fixed], '2024-03-31', 'planned').outcome).toEqual({ value: 5, unit: 'st' });
  });

  it('builds the agenda: news in the window, open activities without news flagged, finished ones apart', () => {
    const d = doc([
      { id: 'news', description: 'Med nytt' },
      { id: 'quiet', description: 'Tyst' },
      { id: 'old', description: 'Bara gammalt' },
      { id: 'done', description: 'Klar' },
    ]);
    const updates = [update('news', '2024-05-02', 'in_progress', 'planned'), update('old', '2024-03-01', 'in_progress', 'planned'), update('done', '2024-03-01', 'done', 'planned'), update('news', '2024-09-20', 'done', 'in_progress')];
    const a = buildAgenda({ document: d, updates, heldOn: '2024-09-10', periodStart: '2024-01-01', previousMeeting: { heldOn: '2024-04-09', title: 'April' }, liveStatus: new Map() });
    expect(a.from).toBe('2024-04-10');
    expect(a.withNews.map((x) => [x.activityId, x.news.length, x.status])).toEqual([['news', 1, 'in_progress']]);
    expect(a.noReport.map((x) => x.activityId)).toEqual(['quiet', 'old']);
    expect(a.finished.map((x) => x.activityId)).toEqual(['done']);
  });

  it('names activities added and removed by an amendment since the previous report', () => {
    const before: Baseline = { since: { kind: 'report', reportKind: 'meeting', date: '2024-04-09' }, activities: new Map([['kept', { description: 'Kvar', status: 'planned', outcome: null }], ['gone', { description: 'Borttagen', status: 'planned', outcome: null }]]) };
    const s = buildSnapshot({
      kind: 'meeting',
      reportDate: '2024-09-10',
      year: null,
      coversFrom: '2024-04-10',
      pledge: { id: 'p', periodSlug: '2024-2025' },
      version: { number: 2, contentHash: 'h', document: doc([{ id: 'kept', description: 'Kvar' }, { id: 'new', description: 'Ny' }]) },
      liveStatus: new Map(),
      updates: [],
      meeting: null,
      baseline: before,
    });
    expect(s.changes.added).toEqual([{ activityId: 'new', description: 'Ny' }]);
    expect(s.changes.removed).toEqual([{ activityId: 'gone', description: 'Borttagen' }]);
    expect(baselineAsOf(doc([{ id: 'x', description: 'X' }]), [], '2023-12-31', new Map()).activities.get('x')).toEqual({ description: 'X', status: 'planned', outcome: null });
  });

  it('draws bars as one image with a title and a description, and says "saknas" for a missing value', () => {
    const svg = render(BarChart({ id: 'b', title: 'Framsteg', description: 'A: 40 %; B: saknas.', bars: [{ label: 'A', value: 40 }, { label: 'B', value: null }], max: 100, suffix: ' %' }));
    expect(svg).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="b-title b-desc"/);
    expect(svg).toContain('<title id="b-title">Framsteg</title>');
    expect(svg).toContain('<desc id="b-desc">A: 40 %; B: saknas.</desc>');
    expect(svg).toContain('>40 %</text>');
    expect(svg).toContain('>saknas</text>');
  });
});

import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Executor } from '../../src/db/executor.js';
import { findPartyBySlug, listPledgeSummariesOfParty } from '../../src/features/pledges/pledge-repo.js';
import { openApp, type TestApp } from '../support/app.js';
import { targets } from '../support/databases.js';
import { createPledge } from '../../src/features/pledges/pledge-service.js';
import { buildMunicipality, buildPledge, buildPoliceArea, pledgeInput } from '../support/factories.js';

/**
 * The iCalendar feed, read back two ways: by hand against RFC 5545's framing rules (CRLF, lines of
 * at most 75 octets, folding, BEGIN/END pairs, required properties), and by ical.js, Mozilla's
 * parser, for the values.
 */

function checkFraming(ics: string): string[] {
  expect(ics.endsWith('\r\n') || ics.endsWith('END:VCALENDAR')).toBe(true);
  expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/); // every line break is CRLF
  const physical = ics.split('\r\n').filter((l) => l !== '');
  for (const line of physical) expect(Buffer.byteLength(line, 'utf8'), line).toBeLessThanOrEqual(75);
  // Unfold (RFC 5545 §3.1): a CRLF followed by one space or tab continues the line.
  const lines = ics.replace(/\r\n[ \t]/g, '').split('\r\n').filter((l) => l !== '');
  const stack: string[] = [];
  for (const l of lines) {
    if (l.startsWith('BEGIN:')) stack.push(l.slice(6));
    if (l.startsWith('END:')) expect(stack.pop(), l).toBe(l.slice(4));
  }
  expect(stack).toEqual([]);
  expect(lines[0]).toBe('BEGIN:VCALENDAR');
  expect(lines.at(-1)).toBe('END:VCALENDAR');
  return lines;
}

/** The unfolded property lines of each VEVENT. */
function events(lines: string[]): string[][] {
  const out: string[][] = [];
  let current: string[] | null = null;
  for (const l of lines) {
    if (l === 'BEGIN:VEVENT') current = [];
    else if (l === 'END:VEVENT') {
      out.push(current!);
      current = null;
    } else current?.push(l);
  }
  return out;
}

async function meeting(db: Executor, pledgeId: string, heldOn: string, state: 'planned' | 'closed' | 'cancelled', title: string, location: string | null = null): Promise<string> {
  const id = randomUUID();
  await db.insertInto('follow_up_meeting').values({ id, pledge_id: pledgeId, held_on: heldOn, title, location, state, created_at: '2022-01-10T09:00:00.000Z', updated_at: '2022-02-01T09:00:00.000Z', closed_at: state === 'closed' ? '2022-04-06T15:00:00.000Z' : null }).execute();
  return id;
}

for (const target of targets) {
  describe.skipIf(target.skip)(`the iCalendar feed on ${target.name}`, () => {
    let s: TestApp;
    let closed: string;
    let planned: string;
    const LONG = 'Kampanj; med semikolon, komma och en radbrytning\noch ett mycket långt namn på åtgärden som går över flera rader: å ä ö Å Ä Ö – “citat” \\ bakstreck';

    beforeAll(async () => {
      s = await openApp(target);
      const strangnas = (await findPartyBySlug(s.t.db, 'strangnas'))!;
      const pledge = (await listPledgeSummariesOfParty(s.t.db, strangnas.id)).find((p) => p.periodSlug === '2022-2023')!;
      closed = await meeting(s.t.db, pledge.id, '2022-04-06', 'closed', 'Brå-möte april', 'Stadshuset, Strängnäs');
      planned = await meeting(s.t.db, pledge.id, '2022-09-14', 'planned', 'Brå-möte september');
      await meeting(s.t.db, pledge.id, '2022-06-01', 'cancelled', 'Inställt möte');
      await s.t.db
        .insertInto('follow_up_report')
        // Any stored snapshot will do (the public pages read it); the demo's own reports have one.
        .values({ id: randomUUID(), pledge_id: pledge.id, meeting_id: closed, kind: 'meeting', report_date: '2022-04-06', snapshot_json: (await s.t.db.selectFrom('follow_up_report').select('snapshot_json').where('pledge_id', '=', pledge.id).executeTakeFirstOrThrow()).snapshot_json, created_at: '2022-04-06T15:00:00.000Z', created_by: 'test' })
        .execute();
    });
    afterAll(async () => s?.close());

    it('lists the meetings and the campaign weeks of the signed Strängnäs pledge, with stable UIDs', async () => {
      const res = await s.app.inject({ url: '/kommun/strangnas/2022-2023/kalender.ics' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8');
      expect(res.headers['content-disposition']).toBe('inline; filename="strangnas-2022-2023.ics"');
      const lines = checkFraming(res.body);
      expect(lines).toContain('VERSION:2.0');
      expect(lines.some((l) => l.startsWith('PRODID:'))).toBe(true);
      const evs = events(lines);
      for (const e of evs) {
        for (const required of ['UID:', 'DTSTAMP:', 'DTSTART;VALUE=DATE:', 'DTEND;VALUE=DATE:', 'SUMMARY:']) expect(e.some((l) => l.startsWith(required)), `${required} in ${e.join(' | ')}`).toBe(true);
      }
      const uids = evs.map((e) => e.find((l) => l.startsWith('UID:'))!);
      expect(new Set(uids).size).toBe(uids.length);
      expect(uids).toContain(`UID:meeting-${closed}@medborgarloften`);
      expect(uids).toContain(`UID:meeting-${planned}@medborgarloften`);
      expect(res.body).not.toContain('Inställt möte');

      // Read back by an independent parser.
      const cal = new ICAL.Component(ICAL.parse(res.body));
      const vevents = cal.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
      const april = vevents.find((e) => e.uid === `meeting-${closed}@medborgarloften`)!;
      expect(april.summary).toBe('Brå-möte april (Strängnäs kommun)');
      expect(april.location).toBe('Stadshuset, Strängnäs');
      expect(april.startDate.toString()).toBe('2022-04-06');
      expect(april.startDate.isDate).toBe(true);
      expect(april.endDate.toString()).toBe('2022-04-07');
      expect(april.description).toContain('/kommun/strangnas/2022-2023/uppfoljning/2022-04-06');
      // En vecka fri från våld: "Varje år vecka 47–48" becomes weeks 47–48 of 2022 and of 2023.
      const campaign = vevents.filter((e) => e.summary.startsWith('Extra fokus under den nationella kampanjveckan En vecka fri från våld'));
      expect(campaign.map((e) => [e.startDate.toString(), e.endDate.toString()])).toEqual([
        ['2022-11-21', '2022-12-05'],
        ['2023-11-20', '2023-12-04'],
      ]);
      expect(campaign[0]!.component.getFirstPropertyValue('transp')).toBe('TRANSPARENT');
      expect(campaign[0]!.description).toBe('Ansvarig: Strängnäs kommun. När: Varje år vecka 47–48. Ur Medborgarlöfte för Strängnäs kommun 2022–2023.');

      // The same data gives the same bytes: subscribers see no phantom changes.
      expect((await s.app.inject({ url: '/kommun/strangnas/2022-2023/kalender.ics' })).body).toBe(res.body);
    });

    it('escapes text and folds long lines at 75 octets without splitting a character', async () => {
      const m = await buildMunicipality(s.t.db);
      const p = await buildPoliceArea(s.t.db);
      const pledge = await createPledge(
        s.t.db,
        pledgeInput(m, p, {
          startsOn: '2033-01-01',
          endsOn: '2033-12-31',
          focusAreas: [{ title: 'Område', commitments: [{ title: 'Löfte', activities: [{ ownerPartyId: p.id, description: LONG, schedule: { startsOn: '2033-05-02', endsOn: '2033-05-06', text: 'Vecka 18; se plan' } }] }] }],
        }),
      );
      const res = await s.app.inject({ url: `/kommun/${m.slug}/2033/kalender.ics` });
      expect(res.statusCode).toBe(200);
      const lines = checkFraming(res.body);
      const physical = res.body.split('\r\n');
      // Folded close to the limit (a multi-byte letter may end a line a little short of it).
      expect(physical.some((l) => Buffer.byteLength(l, 'utf8') >= 73)).toBe(true);
      expect(physical.filter((l) => l.startsWith(' ')).length).toBeGreaterThan(1);
      const summary = lines.find((l) => l.startsWith('SUMMARY:'))!;
      expect(summary).toBe('SUMMARY:Kampanj\\; med semikolon\\, komma och en radbrytning\\noch ett mycket långt namn på åtgärden som går över flera rader: å ä ö Å Ä Ö – “citat” \\\\ bakstreck');
      const ev = new ICAL.Event(new ICAL.Component(ICAL.parse(res.body)).getFirstSubcomponent('vevent')!);
      expect(ev.summary).toBe(LONG);
      expect(ev.uid).toBe(`activity-${pledge.focusAreas[0]!.commitments[0]!.activities[0]!.id}@medborgarloften`);
      expect([ev.startDate.toString(), ev.endDate.toString()]).toEqual(['2033-05-02', '2033-05-07']);
    });

    it('exists only for signed pledges', async () => {
      const draft = await buildPledge(s.t.db, { state: 'draft', startsOn: '2034-01-01', endsOn: '2034-12-31' });
      expect((await s.app.inject({ url: `/kommun/${draft.municipality.slug}/2034/kalender.ics` })).statusCode).toBe(404);
      expect((await s.app.inject({ url: '/kommun/strangnas/1999/kalender.ics' })).statusCode).toBe(404);
      expect((await s.app.inject({ url: '/kommun/STRANGNAS/2022-2023/kalender.ics' })).statusCode).toBe(404);
    });

    it('is linked from the pledge page', async () => {
      const page = await s.app.inject({ url: '/kommun/strangnas/2022-2023' });
      expect(page.body).toContain('<a href="/kommun/strangnas/2022-2023/kalender.ics" type="text/calendar">Kalender med Brå-möten och kampanjdatum (iCalendar)</a>');
    });
  });
}

import type { Executor } from '../../db/executor.js';
import { listMeetingsOfPledge } from '../follow-up/meeting-repo.js';
import { addAttendee, addDecision, closeMeeting, createYearEndReport, saveMinutes, scheduleMeeting } from '../follow-up/meetings.js';
import { findPartyBySlug, listPledgeSummariesOfParty } from '../pledges/pledge-repo.js';
import { findSignedVersion } from '../signing/version-repo.js';

/**
 * Example Brå meetings for the Strängnäs 2022–2023 demo pledge: three a year (the second Tuesday of
 * April, September and December, a week after the example reports in follow-up-demo.ts), each
 * closed into a frozen follow-up report, and a year-end report for each year. Invented and labelled
 * so: attendees are "Exempel: …", the minutes say they are example data, the audit trail says
 * `exempeldata`, and every page of the pledge carries the example-data notice.
 */

const BY = { actor: null, label: 'exempeldata' };

const ATTENDEES = [
  { organisation: 'Lokalpolisområde Strängnäs', name: 'Exempel: kommunpolisen', roleTitle: 'Kommunpolis' },
  { organisation: 'Strängnäs kommun', name: 'Exempel: trygghetssamordnaren', roleTitle: 'Trygghetssamordnare' },
  { organisation: 'Strängnäs kommun', name: 'Exempel: rektor', roleTitle: 'Rektor, högstadiet' },
  { organisation: 'Räddningstjänsten', name: 'Exempel: räddningstjänsten', roleTitle: 'Brandinspektör' },
];

interface DemoMeeting {
  heldOn: string;
  location: string;
  minutes: string;
  /** Decisions, each optionally about the activity whose description starts with `about`. */
  decisions: { text: string; about?: string }[];
  /** How many of ATTENDEES came (the first n). */
  present: number;
}

const MEETINGS: DemoMeeting[] = [
  {
    heldOn: '2022-04-12',
    location: 'Stadshuset, Strängnäs',
    present: 4,
    minutes: 'Exempeldata. Första uppföljningen av löftet 2022–2023. Polisen och kommunen redovisade läget för varje aktivitet. Mätningen av avloppsvatten väntar på avtal med laboratoriet.',
    decisions: [
      { text: 'Avtalet om provtagning av avloppsvatten ska vara klart före sommaren.', about: 'Kommunen mäter avloppsvattnet' },
      { text: 'Polisen och kommunen planerar höstens informationsmöten tillsammans.', about: 'Kommunen bjuder i samverkan med polisen' },
    ],
  },
  {
    heldOn: '2022-09-13',
    location: 'Polisstationen, Strängnäs',
    present: 3,
    minutes: 'Exempeldata. Narkotikasöken med hund är försenade eftersom hundföraren är tjänstledig. Sommarens mopedkontroller gav elva körförbud.',
    decisions: [{ text: 'Polisen undersöker om en hundförare från grannområdet kan göra sök under hösten.', about: 'Polisen genomför narkotikasök' }],
  },
  {
    heldOn: '2022-12-13',
    location: 'Stadshuset, Strängnäs',
    present: 4,
    minutes: 'Exempeldata. Söken med hund är i gång igen. Kampanjveckan En vecka fri från våld genomfördes vecka 47–48.',
    decisions: [{ text: 'Årsrapporten för 2022 publiceras på kommunens och polisens webbplatser.' }],
  },
  {
    heldOn: '2023-04-11',
    location: 'Stadshuset, Strängnäs',
    present: 4,
    minutes: 'Exempeldata. Åkers styckebruk är ny mätpunkt för avloppsvattnet. Vårens utbildningstillfällen ställdes in och bokas om till hösten.',
    decisions: [
      { text: 'De inställda utbildningstillfällena bokas om till augusti.', about: 'Kommunen utbildar fler medarbetare' },
      { text: 'Resultaten från avloppsvattnet redovisas vid varje möte.', about: 'Kommunen mäter avloppsvattnet' },
    ],
  },
  {
    heldOn: '2023-09-12',
    location: 'Polisstationen, Strängnäs',
    present: 3,
    minutes: 'Exempeldata. Ingen rapport om avloppsvattnet sedan april; trygghetssamordnaren tar kontakt med laboratoriet.',
    decisions: [{ text: 'Trygghetssamordnaren rapporterar om avloppsvattnet före nästa möte.', about: 'Kommunen mäter avloppsvattnet' }],
  },
  {
    heldOn: '2023-12-12',
    location: 'Stadshuset, Strängnäs',
    present: 4,
    minutes: 'Exempeldata. Sista mötet under perioden. De flesta aktiviteterna är genomförda; arbetssätten fortsätter i nästa löfte.',
    decisions: [{ text: 'Erfarenheterna tas med i medborgarlöftet för 2024–2025.' }],
  },
];

/** Adds the example meetings once: a pledge that already has meetings is left alone. */
export async function seedFollowUpMeetingsDemo(db: Executor): Promise<number> {
  const strangnas = await findPartyBySlug(db, 'strangnas');
  if (!strangnas?.isDemo) return 0;
  const pledge = (await listPledgeSummariesOfParty(db, strangnas.id)).find((p) => p.periodSlug === '2022-2023' && p.isDemo);
  const signed = pledge ? await findSignedVersion(db, pledge.id) : null;
  if (!pledge || !signed || (await listMeetingsOfPledge(db, pledge.id)).length > 0) return 0;
  const activities = signed.document.focusAreas.flatMap((fa) => fa.commitments.flatMap((c) => c.activities));
  const activityId = (start: string) => {
    const a = activities.find((x) => x.description.startsWith(start));
    if (!a) throw new Error(`Demodata: ingen aktivitet som börjar med "${start}"`);
    return a.id;
  };
  let closed = 0;
  for (const d of MEETINGS) {
    // Planned in January of its year, filled in on the day, closed that afternoon.
    const at = (iso: string) => ({ db, clock: () => new Date(iso) });
    const meeting = await scheduleMeeting(at(`${d.heldOn.slice(0, 4)}-01-17T09:00:00Z`), BY, pledge.id, { heldOn: d.heldOn, location: d.location });
    const day = at(`${d.heldOn}T13:00:00Z`);
    for (const a of ATTENDEES.slice(0, d.present)) await addAttendee(day, BY, meeting.id, a);
    for (const dec of d.decisions) await addDecision(day, BY, meeting.id, { text: dec.text, activityId: dec.about ? activityId(dec.about) : '' });
    await saveMinutes(day, BY, meeting.id, { version: '1', minutes: d.minutes });
    await closeMeeting(at(`${d.heldOn}T15:30:00Z`), BY, meeting.id, { version: '2' });
    closed++;
    const year = d.heldOn.slice(0, 4);
    const lastOfYear = MEETINGS.every((x) => x.heldOn.slice(0, 4) !== year || x.heldOn <= d.heldOn);
    if (lastOfYear) await createYearEndReport(at(`${year}-12-31T12:00:00Z`), BY, pledge.id, Number(year));
  }
  return closed;
}

import { createHash } from 'node:crypto';
import { messages } from '../../platform/i18n/index.js';
import { formatDate, stockholmDateOf } from '../../platform/views/format.js';
import { periodLabel } from '../pledges/pledge.js';
import { joinNames, paragraphs, STYLE, TaggedPdf, WIDTH, type Column, type Struct } from '../publishing/pdf/tagged-pdf.js';
import type { ReportSnapshot } from './report.js';
import type { StoredReport } from './report-repo.js';
import { snapshotHash } from './meetings.js';
import { lastReportText, outcomeChangeText, outcomeText, progressText, promisedText, rolledUpPercent } from './report-text.js';
import { reportKey, reportLabel } from './reports.js';

/**
 * A follow-up report as an accessible, tagged PDF, built with the signed PDF's building blocks
 * (publishing/pdf/tagged-pdf.ts) from the frozen snapshot only: the same report always renders to
 * the same bytes (no clock; its dates are the report's own), so its ETag is the snapshot's hash.
 * Progress per focus area is a table here, not a picture: the table is what the web page offers
 * as the chart's equivalent, and a screen reader reads it as it is. Bump REPORT_PDF_REVISION when
 * a change here alters the bytes.
 */
export const REPORT_PDF_REVISION = 1;

const m = messages('sv');

const T = {
  documentKind: 'Uppföljningsrapport',
  creator: 'Medborgarlöften (loften)',
  sourceHeading: 'Rapporten på webben',
  sourceText: 'Rapporten finns också på den här adressen, tillsammans med de andra uppföljningsrapporterna för löftet:',
  linkContents: (label: string) => `${label} på webben`,
  headerDemo: 'EXEMPELDATA – inte ett officiellt dokument',
  footer: (date: string, hash: string) => `Fastställd ${date} · SHA-256 ${hash.slice(0, 12)}…`,
  page: (i: number, n: number) => `Sida ${i} av ${n}`,
};

export interface ReportPdfOptions {
  /** e.g. https://medborgarloften.example.se: the report's web address is printed in the PDF. */
  publicBaseUrl: string;
  municipalitySlug: string;
}

export function reportUrl(opts: ReportPdfOptions, r: Pick<StoredReport, 'kind' | 'reportDate' | 'year' | 'snapshot'>): string {
  return `${opts.publicBaseUrl.replace(/\/+$/, '')}/kommun/${opts.municipalitySlug}/${r.snapshot.pledge.periodSlug}/uppfoljning/${reportKey(r)}`;
}

/** A strong validator: the bytes depend on the stored snapshot, the layout revision and the address printed in it. */
export function reportPdfEtag(r: Pick<StoredReport, 'snapshotJson'>, opts: ReportPdfOptions): string {
  const render = createHash('sha256').update(`${REPORT_PDF_REVISION}\n${opts.publicBaseUrl}\n${opts.municipalitySlug}`).digest('hex').slice(0, 8);
  return `"${snapshotHash(r.snapshotJson)}.${render}"`;
}

export function reportPdfFilename(municipalitySlug: string, r: Pick<StoredReport, 'kind' | 'reportDate' | 'year' | 'snapshot'>): string {
  return `uppfoljning-${municipalitySlug}-${r.snapshot.pledge.periodSlug}-${reportKey(r)}.pdf`;
}

class ReportPdfWriter extends TaggedPdf {
  constructor(
    readonly report: StoredReport,
    readonly opts: ReportPdfOptions,
  ) {
    const s = report.snapshot;
    super({
      title: `${reportLabel(report, m)}: ${s.pledge.title}`,
      author: joinNames(s.parties.map((p) => p.name)),
      subject: `${T.documentKind} ${periodLabel(s.pledge)}, ${formatDate(s.coversFrom, m)} – ${formatDate(s.coversTo, m)}. SHA-256 ${snapshotHash(report.snapshotJson)}`,
      keywords: ['medborgarlöfte', 'uppföljning', ...s.parties.map((p) => p.name), periodLabel(s.pledge)].join(', '),
      creator: T.creator,
      date: new Date(report.createdAt),
    });
  }

  section(title: string, fill: (sect: Struct) => void): void {
    const sect = this.doc.struct('Sect');
    this.root.add(sect);
    this.heading(sect, 2, title);
    fill(sect);
    sect.end();
  }

  render(): void {
    const r = this.report;
    const s = r.snapshot;
    const root = this.root;
    const label = reportLabel(r, m);
    if (s.pledge.isDemo) this.demoNotice(m.pledge.demoNotice);
    this.heading(root, 1, label);
    this.block(root, 'P', s.pledge.title, STYLE.subtitle);
    this.block(root, 'P', m.reports.covers(formatDate(s.coversFrom, m), formatDate(s.coversTo, m)), STYLE.meta);
    this.block(root, 'P', `${m.reports.frozen(formatDate(stockholmDateOf(r.createdAt), m))} ${m.reports.basedOn(s.pledge.versionNumber)}`, STYLE.meta);
    this.doc.y += 4;
    this.rule();

    this.section(m.reports.changesHeading, (sect) => this.changes(sect, s));
    this.section(m.reports.progressHeading, (sect) => {
      this.table(
        sect,
        m.reports.tableCaption,
        [
          { header: m.reports.colFocusArea, width: 203 },
          { header: m.reports.colProgress, width: 70 },
          { header: m.reports.colCounted, width: 80 },
          { header: m.reports.colComplete, width: 65 },
          { header: m.reports.colExcluded, width: WIDTH - 203 - 70 - 80 - 65 },
        ],
        [
          ...s.focusAreas.map((fa) => [fa.title, rolledUpPercent(fa.progress, m), String(fa.progress.counted), String(fa.progress.complete), String(fa.progress.excluded)]),
          [m.reports.wholePledge, rolledUpPercent(s.total, m), String(s.total.counted), String(s.total.complete), String(s.total.excluded)],
        ],
      );
      this.block(sect, 'P', m.followUp.rule, STYLE.meta);
    });
    this.section(m.reports.outcomeHeading, (sect) => this.outcomes(sect, s));
    if (s.meeting) this.section(m.reports.meetingHeading, (sect) => this.meeting(sect, s));
    this.section(m.reports.updatesHeading, (sect) => this.updates(sect, s));
    this.section(T.sourceHeading, (sect) => {
      this.block(sect, 'P', T.sourceText, { ...STYLE.body, after: 3 });
      this.link(sect, reportUrl(this.opts, r), T.linkContents(label));
    });

    this.pageFurniture({
      header: `${T.documentKind} ${periodLabel(s.pledge)} · ${joinNames(s.parties.map((p) => p.name))}`,
      demoLabel: s.pledge.isDemo ? T.headerDemo : null,
      footer: T.footer(formatDate(stockholmDateOf(r.createdAt), m), snapshotHash(r.snapshotJson)),
      pageLabel: T.page,
    });
  }

  changes(sect: Struct, s: ReportSnapshot): void {
    const c = s.changes;
    const since = c.since.kind === 'report' ? `${m.reports.comparedWith} ${reportLabel({ kind: c.since.reportKind, reportDate: c.since.date, year: null }, m)}.` : m.reports.sinceStart(formatDate(c.since.date, m));
    this.block(sect, 'P', since, STYLE.body);
    if (c.statusChanges.length + c.newOutcomes.length + c.added.length + c.removed.length === 0) this.block(sect, 'P', m.reports.noChanges, STYLE.body);
    const group = (title: string, items: string[]) => {
      if (items.length === 0) return;
      const div = this.doc.struct('Div');
      sect.add(div);
      this.heading(div, 3, title, false);
      this.list(div, items);
      div.end();
    };
    group(
      m.reports.statusChangesHeading,
      c.statusChanges.map((x) => `${x.description}: ${m.reports.statusChange(m.status[x.from], m.status[x.to])}${x.reason ? `. ${m.reports.reason}: ${x.reason}` : ''}`),
    );
    group(m.reports.outcomesHeading, c.newOutcomes.map((x) => `${x.description}: ${outcomeChangeText(x, m)}`));
    group(m.reports.addedHeading, c.added.map((x) => x.description));
    group(m.reports.removedHeading, c.removed.map((x) => x.description));
  }

  outcomes(sect: Struct, s: ReportSnapshot): void {
    this.block(sect, 'P', m.reports.tally(s.tally.activities, s.tally.withReport, s.tally.noReport, s.tally.updates), STYLE.body);
    const columns: Column[] = [
      // Wide enough for "Lokalpolisområde" on one line: DejaVu breaks a word that does not fit.
      { header: m.reports.colActivity, width: 116 },
      { header: m.reports.colOwner, width: 92 },
      { header: m.reports.colPromised, width: 68 },
      { header: m.reports.colOutcome, width: 74 },
      { header: m.followUp.colStatusProgress, width: 70 },
      { header: m.reports.colLastReport, width: WIDTH - 116 - 92 - 68 - 74 - 70 },
    ];
    for (const fa of s.focusAreas) {
      const div = this.doc.struct('Div');
      sect.add(div);
      this.heading(div, 3, fa.title, false);
      for (const c of fa.commitments) {
        if (c.activities.length === 0) continue;
        this.table(
          div,
          m.reports.outcomeCaption(c.title),
          columns,
          c.activities.map((a) => [a.description, a.ownerName, promisedText(a, m), outcomeText(a, m), `${m.status[a.status]}, ${progressText(a.progress, m)}`, lastReportText(a, m)]),
        );
      }
      div.end();
    }
  }

  meeting(sect: Struct, s: ReportSnapshot): void {
    const mt = s.meeting!;
    this.block(sect, 'P', `${mt.title}, ${m.reports.meetingWhen(formatDate(mt.heldOn, m), mt.location)}`, STYLE.body);
    const part = (title: string, fill: (div: Struct) => void) => {
      const div = this.doc.struct('Div');
      sect.add(div);
      this.heading(div, 3, title, false);
      fill(div);
      div.end();
    };
    part(m.reports.attendeesHeading, (div) => {
      if (mt.attendees.length === 0) this.block(div, 'P', m.reports.noAttendees, STYLE.body);
      else
        this.table(
          div,
          m.reports.attendeesHeading,
          [
            { header: m.reports.colOrganisation, width: 170 },
            { header: m.reports.colName, width: 150 },
            { header: m.reports.colRole, width: WIDTH - 320 },
          ],
          mt.attendees.map((a) => [a.organisation, a.name, a.roleTitle ?? '–']),
        );
    });
    part(m.reports.decisionsHeading, (div) => {
      if (mt.decisions.length === 0) this.block(div, 'P', m.reports.noDecisions, STYLE.body);
      else this.list(div, mt.decisions.map((d) => (d.activityDescription ? `${d.text} ${m.reports.aboutActivity(d.activityDescription)}` : d.text)));
    });
    part(m.reports.minutesHeading, (div) => {
      const paras = paragraphs(mt.minutes);
      if (paras.length === 0) this.block(div, 'P', m.reports.noMinutes, STYLE.body);
      for (const p of paras) this.block(div, 'P', p, STYLE.body);
    });
  }

  updates(sect: Struct, s: ReportSnapshot): void {
    const withNews = s.focusAreas.flatMap((fa) => fa.commitments.flatMap((c) => c.activities)).filter((a) => a.updates.length > 0);
    if (withNews.length === 0) this.block(sect, 'P', m.reports.noUpdates, STYLE.body);
    for (const a of withNews) {
      const div = this.doc.struct('Div');
      sect.add(div);
      this.heading(div, 3, a.description, false);
      this.list(
        div,
        a.updates.map((u) => {
          const head = `${formatDate(u.reportedOn, m)}: ${m.status[u.status]}${u.correction ? ` (${m.reports.correction.toLocaleLowerCase('sv')})` : ''}${u.statusReason && u.status !== u.previousStatus ? `. ${m.reports.reason}: ${u.statusReason}` : ''}.`;
          const facts = [u.outcome ? `${m.reports.colOutcome}: ${outcomeText({ outcome: u.outcome, counts: [], status: u.status }, m)}` : '', ...u.counts.map((c) => `${c.label}: ${c.value}`)].filter(Boolean).join(' · ');
          return [head, u.narrative, facts].filter(Boolean).join(' ');
        }),
      );
      div.end();
    }
  }
}

export async function renderReportPdf(report: StoredReport, opts: ReportPdfOptions): Promise<Buffer> {
  const writer = new ReportPdfWriter(report, opts);
  writer.render();
  return writer.finish();
}

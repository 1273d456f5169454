import { messages } from '../../../platform/i18n/index.js';
import { formatDate } from '../../../platform/views/format.js';
import { periodLabel, type Party, type PledgeDocument, type SigningInfo } from '../../pledges/pledge.js';
import { schedule, target } from '../../pledges/views/pledge-body.js';
import { methodLabel } from '../../signing/signature-provider.js';
import { shortHash } from '../../signing/version-content.js';
import { COLOR, joinNames, LEFT, paragraphs, STYLE, TaggedPdf, WIDTH, type Column, type Struct } from './tagged-pdf.js';

/**
 * The signed pledge as a PDF: an accessible, tagged document (PDF/UA-minded, see
 * docs/decisions/signed-pdf.md) holding exactly what was signed, plus a signature page with the
 * signatories, the version and its content hash. Activity status is left out on purpose: it moves
 * with follow-up, and this file is the signed document, which never changes.
 *
 * The output depends only on the signed version and `publicBaseUrl` (no clock, no randomness), so
 * the same version renders to the same bytes on every instance. Bump PDF_LAYOUT_REVISION in
 * signed-pdf.ts whenever a change here alters them: it is part of the HTTP validator.
 */

export interface PledgePdfOptions {
  /** Where the verification page lives, e.g. https://medborgarloften.example.se (no trailing slash needed). */
  publicBaseUrl: string;
}

/** The signed document is Swedish; its labels come from the Swedish catalogue where the web pages have them too. */
const m = messages('sv');

const T = {
  documentKind: 'Medborgarlöfte',
  creator: 'Medborgarlöften (loften)',
  period: 'Period',
  versionLine: (n: number, signedOn: string) => `Version ${n}, undertecknad ${signedOn}. Underskrifter och kontrollsumma finns på sista sidan.`,
  partiesHeading: m.pledge.partiesHeading,
  backgroundHeading: m.pledge.backgroundHeading,
  signaturesHeading: 'Underskrifter',
  signaturesIntro: (n: number, period: string) => `Version ${n} av medborgarlöftet för ${period} är undertecknad av:`,
  colName: 'Namn',
  colRole: 'Roll',
  colParty: 'Part',
  colSignedAt: 'Undertecknat',
  colMethod: 'Metod',
  timesNote: 'Tiderna anges i svensk tid.',
  verifyHeading: 'Kontrollera dokumentet',
  version: 'Version',
  hashLabel: 'Innehållets kontrollsumma (SHA-256):',
  hashExplained:
    'Kontrollsumman räknas fram ur löftets hela innehåll: parter, undertecknare, fokusområden, löften, aktiviteter, mål och period. Ändras ett enda tecken blir summan en helt annan.',
  verifyAt: 'På den här adressen kan vem som helst se att kontrollsumman hör till en undertecknad version, och om det finns en senare version:',
  linkContents: (n: number) => `Kontrollera version ${n} av medborgarlöftet`,
  activitiesTitle: m.pledge.activitiesCaption,
  headerDemo: 'EXEMPELDATA – inte ett officiellt dokument',
  footerVersion: (n: number, hash: string) => `Version ${n} · SHA-256 ${shortHash(hash)}…`,
  footerPage: (i: number, n: number) => `Sida ${i} av ${n}`,
};

export { joinNames } from './tagged-pdf.js';

const stockholmTime = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Stockholm',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** "2022-01-20T12:00:00Z" → "20 januari 2022 kl. 13:00", in Swedish time. */
export function swedishDateTime(iso: string): string {
  return stockholmTime.format(new Date(iso));
}

function swedishDay(iso: string): string {
  return formatDate(new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(new Date(iso)), m);
}

/** The verification address printed on the signature page; served by the verification feature at /v/{shortHash}. */
export function verificationUrl(publicBaseUrl: string, contentHash: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/v/${shortHash(contentHash)}`;
}

// ---------------------------------------------------------------------------------------------

class PledgePdfWriter extends TaggedPdf {
  constructor(
    readonly pledge: PledgeDocument,
    readonly signing: SigningInfo,
    readonly opts: PledgePdfOptions,
  ) {
    const period = periodLabel(pledge);
    super({
      title: `${pledge.title}, version ${signing.versionNumber}`,
      author: joinNames(pledge.parties.map((p) => p.name)),
      subject: `${T.documentKind} ${period}, undertecknad version ${signing.versionNumber}. SHA-256 ${signing.contentHash}`,
      keywords: ['medborgarlöfte', ...pledge.parties.map((p) => p.name), period].join(', '),
      creator: T.creator,
      date: new Date(signing.signedAt),
    });
  }

  render(): void {
    const p = this.pledge;
    const s = this.signing;
    const root = this.root;
    const period = periodLabel(p);
    const partyById = new Map<string, Party>(p.parties.map((x) => [x.id, x]));

    if (p.isDemo) this.demoNotice(m.pledge.demoNotice);
    this.heading(root, 1, joinNames(p.parties.map((x) => x.name)));
    this.block(root, 'P', p.title, STYLE.subtitle);
    this.block(root, 'P', `${T.period}: ${period} (${formatDate(p.startsOn, m)} – ${formatDate(p.endsOn, m)})`, STYLE.meta);
    this.block(root, 'P', T.versionLine(s.versionNumber, swedishDay(s.signedAt)), STYLE.meta);
    this.doc.y += 4;
    this.rule();

    const parties = this.doc.struct('Sect');
    root.add(parties);
    this.heading(parties, 2, T.partiesHeading);
    this.list(parties, p.parties.map((x) => `${x.name} (${m.partyKind[x.kind].toLocaleLowerCase('sv')})`));
    parties.end();

    if (p.background.trim()) {
      const background = this.doc.struct('Sect');
      root.add(background);
      this.heading(background, 2, T.backgroundHeading);
      for (const para of paragraphs(p.background)) this.block(background, 'P', para, STYLE.body);
      background.end();
    }

    const columns: Column[] = [
      { header: m.pledge.colActivity, width: 213 },
      { header: m.pledge.colOwner, width: 100 },
      { header: m.pledge.colTarget, width: 90 },
      { header: m.pledge.colSchedule, width: WIDTH - 213 - 100 - 90 },
    ];
    for (const fa of p.focusAreas) {
      const sect = this.doc.struct('Sect');
      root.add(sect);
      this.heading(sect, 2, fa.title);
      for (const para of paragraphs(fa.description)) this.block(sect, 'P', para, STYLE.body);
      for (const c of fa.commitments) {
        const div = this.doc.struct('Div');
        sect.add(div);
        this.heading(div, 3, c.title);
        for (const para of paragraphs(c.description)) this.block(div, 'P', para, STYLE.body);
        if (c.activities.length === 0) this.block(div, 'P', m.pledge.noActivities, STYLE.meta);
        else
          this.table(
            div,
            T.activitiesTitle(c.title),
            columns,
            c.activities.map((a) => [a.description, partyById.get(a.ownerPartyId)?.name ?? '', target(a, m), schedule(a, m)]),
          );
        div.end();
      }
      sect.end();
    }

    this.signaturePage(period, partyById);
    this.pageFurniture({
      header: `${T.documentKind} ${period} · ${joinNames(p.parties.map((x) => x.name))}`,
      demoLabel: p.isDemo ? T.headerDemo : null,
      footer: T.footerVersion(s.versionNumber, s.contentHash),
      pageLabel: T.footerPage,
    });
  }

  signaturePage(period: string, partyById: Map<string, Party>): void {
    const s = this.signing;
    this.doc.addPage();
    const sect = this.doc.struct('Sect');
    this.root.add(sect);
    this.heading(sect, 2, T.signaturesHeading);
    this.block(sect, 'P', T.signaturesIntro(s.versionNumber, period), STYLE.body);
    this.table(
      sect,
      T.signaturesHeading,
      [
        { header: T.colName, width: 96 },
        { header: T.colRole, width: 92 },
        { header: T.colParty, width: 100 },
        { header: T.colSignedAt, width: 85 },
        { header: T.colMethod, width: WIDTH - 96 - 92 - 100 - 85 },
      ],
      s.signatures.map((x) => [x.name, x.roleTitle, partyById.get(x.partyId)?.name ?? '', swedishDateTime(x.signedAt), methodLabel(x.method)]),
    );
    this.block(sect, 'P', T.timesNote, STYLE.meta);
    sect.end();

    const verify = this.doc.struct('Sect');
    this.root.add(verify);
    this.heading(verify, 2, T.verifyHeading);
    this.block(verify, 'P', `${T.version}: ${s.versionNumber}`, STYLE.body);
    this.block(verify, 'P', T.hashLabel, { ...STYLE.body, after: 2 });
    this.block(verify, 'P', s.contentHash, STYLE.hash);
    this.block(verify, 'P', T.hashExplained, STYLE.body);
    this.block(verify, 'P', T.verifyAt, { ...STYLE.body, after: 3 });
    this.link(verify, verificationUrl(this.opts.publicBaseUrl, s.contentHash), T.linkContents(s.versionNumber));
    verify.end();
  }

}

/**
 * Renders a signed pledge (a public document from published.ts, which carries `signing`) as the
 * signed PDF. Throws for a document without signing information: only signed versions have a PDF.
 */
export async function renderPledgePdf(pledge: PledgeDocument, opts: PledgePdfOptions): Promise<Buffer> {
  if (!pledge.signing) throw new Error('renderPledgePdf: only a signed version has a PDF');
  const writer = new PledgePdfWriter(pledge, pledge.signing, opts);
  writer.render();
  return writer.finish();
}

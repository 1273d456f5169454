import type { Messages } from '../../../platform/i18n/index.js';
import { formatDate, formatDateTime, stockholmDateOf } from '../../../platform/views/format.js';
import { Layout, type PageContext } from '../../../platform/views/layout.js';
import { href } from '../../../platform/views/links.js';
import { periodLabel, type Party, type PledgeDocument, type SigningInfo } from '../../pledges/pledge.js';
import type { MunicipalityView } from '../../pledges/pledge-service.js';
import { PledgeBody } from '../../pledges/views/pledge-body.js';
import type { PublicVersionEntry, PublicVersionPage, Verification } from '../published.js';
import { REGISTERED_METHOD, methodLabel } from '../signature-provider.js';
import { shortHash } from '../version-content.js';
import { diffVersions } from '../version-diff.js';

/** A signature registered after the fact carries a date only; its time of day would be made up. */
const signedWhen = (s: { signedAt: string; method: string }, m: Messages) =>
  s.method === REGISTERED_METHOD ? formatDate(stockholmDateOf(s.signedAt), m) : formatDateTime(s.signedAt, m);

const names = (s: SigningInfo, parties: readonly Party[]) =>
  s.signatures.map((x) => `${x.name}, ${x.roleTitle.toLocaleLowerCase('sv')}, ${parties.find((p) => p.id === x.partyId)?.name ?? ''}`).join(' och ');

/** "Undertecknat 3 mars 2022 av … vid ett digitalt möte. Version 2 · Kontrollsumma … · Kontrollera äktheten" */
export function SignedLine({ pledge, m, base, locale }: { pledge: PledgeDocument; m: Messages; base: string; locale: PageContext['locale'] }) {
  const s = pledge.signing;
  if (!s) return null;
  const date = formatDate(s.meeting?.on ?? stockholmDateOf(s.signedAt), m);
  const sentence = m.signing.signedBy(date, names(s, pledge.parties));
  return (
    <div class="signed-line">
      <p>
        {s.meeting ? `${sentence.slice(0, -1)} ${m.signing.atMeeting[s.meeting.kind]}.` : sentence}
      </p>
      <p class="meta">
        <a href={href(`${base}/versioner/${s.versionNumber}`, locale)}>{m.signing.versionLabel(s.versionNumber)}</a>
        {' · '}
        {m.signing.hashLabel}: <code class="hash">{shortHash(s.contentHash)}</code>{' '}
        <a href={href(`/v/${shortHash(s.contentHash)}`, locale)}>{m.signing.verifyLink}</a>
        {s.earlierVersions > 0 ? (
          <>
            {' · '}
            <a href={href(`${base}/versioner`, locale)}>{m.signing.versionsLink}</a>
          </>
        ) : null}
      </p>
    </div>
  );
}

function Crumbs({ ctx, view, here }: { ctx: PageContext; view: MunicipalityView; here: string }) {
  const { m } = ctx;
  return (
    <nav aria-label={m.lang === 'sv' ? 'Brödsmulor' : 'Breadcrumbs'} class="crumbs">
      <a href={href('/', ctx.locale)}>{m.siteName}</a> › <a href={href(`/kommun/${view.municipality.slug}/${view.pledge.periodSlug}`, ctx.locale)}>{view.municipality.name} {periodLabel(view.pledge)}</a> ›{' '}
      <span aria-current="page">{here}</span>
    </nav>
  );
}

export function VersionsPage({ ctx, view, versions }: { ctx: PageContext; view: MunicipalityView; versions: PublicVersionEntry[] }) {
  const { m } = ctx;
  const base = `/kommun/${view.municipality.slug}/${view.pledge.periodSlug}`;
  const title = m.signing.versionsTitle(view.pledge.title);
  return (
    <Layout ctx={ctx} title={title}>
      <Crumbs ctx={ctx} view={view} here={m.signing.colVersion} />
      <h1>{title}</h1>
      <p>{m.signing.versionsIntro}</p>
      <table>
        <caption class="visually-hidden">{title}</caption>
        <thead>
          <tr>
            <th scope="col">{m.signing.colVersion}</th>
            <th scope="col">{m.signing.colSigned}</th>
            <th scope="col">{m.signing.colHash}</th>
            <th scope="col">{m.index.colStatus}</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.number}>
              <td>
                <a href={href(`${base}/versioner/${v.number}`, ctx.locale)}>{m.signing.versionLabel(v.number)}</a>
              </td>
              <td>{formatDateTime(v.signedAt, m)}</td>
              <td>
                <code class="hash">{shortHash(v.contentHash)}</code>
              </td>
              <td>{v.current ? m.signing.current : m.signing.superseded}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}

export function VersionPublicPage({ ctx, view, page }: { ctx: PageContext; view: MunicipalityView; page: PublicVersionPage }) {
  const { m } = ctx;
  const { version, document: doc, previous } = page;
  const party = new Map(doc.parties.map((p) => [p.id, p.name]));
  const title = m.signing.versionTitle(version.number, doc.title);
  const changes = previous ? diffVersions(previous.document, version.document) : [];
  return (
    <Layout ctx={ctx} title={title}>
      <Crumbs ctx={ctx} view={view} here={m.signing.versionLabel(version.number)} />
      {doc.isDemo ? (
        <p class="notice demo" role="note">
          {m.pledge.demoNotice}
        </p>
      ) : null}
      <h1>{title}</h1>
      <p class="meta">
        {m.pledge.periodLabel}: <strong>{periodLabel(doc)}</strong> ({formatDate(doc.startsOn, m)} – {formatDate(doc.endsOn, m)})
      </p>
      {version.state === 'superseded' ? <p class="notice">{m.signing.supersededNotice(page.currentNumber)}</p> : null}
      <p>
        {m.signing.hashLabel}: <code class="hash">{version.contentHash}</code>
      </p>

      <section aria-labelledby="underskrifter">
        <h2 id="underskrifter">{m.signing.signaturesHeading}</h2>
        <div class="table-scroll" role="region" aria-labelledby="underskrifter" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">{m.signing.colName}</th>
                <th scope="col">{m.signing.colRole}</th>
                <th scope="col">{m.signing.colParty}</th>
                <th scope="col">{m.signing.colTime}</th>
                <th scope="col">{m.signing.colMethod}</th>
              </tr>
            </thead>
            <tbody>
              {doc.signing!.signatures.map((s) => (
                <tr key={s.name + s.signedAt}>
                  <td>{s.name}</td>
                  <td>{s.roleTitle}</td>
                  <td>{party.get(s.partyId)}</td>
                  <td>{signedWhen(s, m)}</td>
                  <td>{methodLabel(s.method)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      {previous ? (
        <section aria-labelledby="andringar">
          <h2 id="andringar">{m.signing.changesHeading(previous.number)}</h2>
          {changes.length === 0 ? (
            <p>{m.signing.noChanges}</p>
          ) : (
            <ul class="changes diff">
              {changes.map((c, i) => (
                <li key={i}>
                  <strong>
                    {m.signing.change[c.kind]}: {m.signing.part[c.part].toLocaleLowerCase(m.lang)}
                  </strong>{' '}
                  ”{c.label}”
                  {c.fields.length > 0 ? (
                    <dl>
                      {c.fields.map((f) => (
                        <div key={f.field}>
                          <dt>{m.signing.field[f.field] ?? f.field}</dt>
                          <dd>
                            <del>
                              <span class="visually-hidden">{m.signing.before}: </span>
                              {f.before || '–'}
                            </del>{' '}
                            <ins>
                              <span class="visually-hidden">{m.signing.after}: </span>
                              {f.after || '–'}
                            </ins>
                          </dd>
                        </div>
                      ))}
                    </dl>
                  ) : null}
                </li>
              ))}
            </ul>
          )}
        </section>
      ) : null}

      {doc.background ? (
        <section aria-labelledby="bakgrund">
          <h2 id="bakgrund">{m.pledge.backgroundHeading}</h2>
          <p>{doc.background}</p>
        </section>
      ) : null}
      <PledgeBody pledge={doc} m={m} showStatus={false} />
    </Layout>
  );
}

export function VerifyPage({ ctx, input, result }: { ctx: PageContext; input: string; result: Verification | null }) {
  const { m } = ctx;
  const invalid = result?.status === 'invalid';
  return (
    <Layout ctx={ctx} title={m.signing.verifyTitle}>
      <h1>{m.signing.verifyTitle}</h1>
      <p>{m.signing.verifyIntro}</p>
      <form method="get" action="/verifiera" class="search">
        {ctx.locale === 'en' ? <input type="hidden" name="lang" value="en" /> : null}
        <div class={`field${invalid ? ' invalid' : ''}`}>
          <label for="f-kontrollsumma">{m.signing.verifyLabel}</label>
          <p class="hint" id="f-kontrollsumma-hint">
            {m.signing.verifyHint}
          </p>
          {invalid ? (
            <p class="field-error" id="f-kontrollsumma-error">
              {m.signing.verifyInvalid}
            </p>
          ) : null}
          <input
            id="f-kontrollsumma"
            name="kontrollsumma"
            value={input}
            spellcheck={false}
            autoComplete="off"
            aria-describedby={invalid ? 'f-kontrollsumma-hint f-kontrollsumma-error' : 'f-kontrollsumma-hint'}
            aria-invalid={invalid ? 'true' : undefined}
          />
        </div>
        <button type="submit">{m.signing.verifyButton}</button>
      </form>
      {result?.status === 'not_found' ? (
        <p class="notice" role="status">
          {m.signing.verifyNotFound}
        </p>
      ) : null}
      {result?.status === 'found'
        ? result.matches.map(({ version, signatures }) => {
            const municipality = version.document.parties.find((p) => p.kind === 'municipality');
            const link = `/kommun/${municipality?.slug}/${version.periodSlug}/versioner/${version.number}`;
            return (
              <section key={version.id} class="notice ok" aria-label={m.signing.verifyFound}>
                <p>
                  <strong>{m.signing.verifyFound}</strong>
                </p>
                <p>
                  <a href={href(link, ctx.locale)}>{m.signing.versionTitle(version.number, version.title)}</a>
                </p>
                <p>
                  {m.signing.hashLabel}: <code class="hash">{version.contentHash}</code>
                </p>
                <ul>
                  {signatures.map((s) => (
                    <li key={s.id}>
                      {s.signerName}, {s.roleTitle.toLocaleLowerCase('sv')}: {signedWhen(s, m)}
                    </li>
                  ))}
                </ul>
                {version.state === 'superseded' ? <p>{m.signing.verifySuperseded}</p> : null}
              </section>
            );
          })
        : null}
    </Layout>
  );
}

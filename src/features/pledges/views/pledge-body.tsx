import type { Messages } from '../../../platform/i18n/index.js';
import { formatDate, formatNumber } from '../../../platform/views/format.js';
import type { Activity, Party, PledgeDocument } from '../pledge.js';
import type { PledgeProgress } from '../../follow-up/public-progress.js';
import { ActivityProgressCell, RolledUpLine } from '../../follow-up/views/progress-views.js';

export function target(a: Pick<Activity, 'target'>, m: Messages): string {
  if (!a.target) return m.pledge.noTarget;
  return a.target.kind === 'numeric' ? `${formatNumber(a.target.value, m)} ${a.target.unit}` : a.target.text;
}

export function schedule(a: Pick<Activity, 'schedule'>, m: Messages): string {
  const s = a.schedule;
  if (!s) return m.pledge.noSchedule;
  const range = [s.startsOn, s.endsOn].filter((d): d is string => d !== null).map((d) => formatDate(d, m)).join('–');
  return [range, s.text].filter(Boolean).join(', ');
}

/**
 * The focus areas, commitments and activity tables of a pledge: the same markup on the public
 * page, a signed version's page, the embed and the signing page, so they never drift apart.
 * `headingLevel` lets an embed fit under the host page's own headings. With `progress` (public
 * pages of the version in force) the status column also shows progress and the last follow-up,
 * and each focus area and commitment its rolled-up progress.
 */
export function PledgeBody({
  pledge: p,
  m,
  headingLevel = 2,
  showStatus = true,
  progress,
}: {
  pledge: Pick<PledgeDocument, 'parties' | 'focusAreas'>;
  m: Messages;
  headingLevel?: 2 | 3 | 4;
  showStatus?: boolean;
  progress?: PledgeProgress;
}) {
  const partyName = new Map<string, Party>(p.parties.map((x) => [x.id, x]));
  const H = `h${headingLevel}` as 'h2';
  const H2 = `h${headingLevel + 1}` as 'h3';
  return (
    <>
      {p.focusAreas.map((fa, i) => (
        <section key={fa.id} aria-labelledby={`fa-${i + 1}`} class="focus-area">
          <H id={`fa-${i + 1}`}>{fa.title}</H>
          {progress ? <RolledUpLine r={progress.focusAreas.get(fa.id)} m={m} /> : null}
          {fa.description ? <p>{fa.description}</p> : null}
          {fa.commitments.map((c) => (
            <div key={c.id} class="commitment">
              <H2>{c.title}</H2>
              {progress && c.activities.length > 0 ? <RolledUpLine r={progress.commitments.get(c.id)} m={m} /> : null}
              {c.description ? <p>{c.description}</p> : null}
              {c.activities.length === 0 ? (
                <p class="muted">{m.pledge.noActivities}</p>
              ) : (
                <div class="table-scroll" role="region" aria-label={m.pledge.activitiesCaption(c.title)} tabIndex={0}>
                  <table class={progress && showStatus ? 'activities with-progress' : 'activities'}>
                    <caption class="visually-hidden">{m.pledge.activitiesCaption(c.title)}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{m.pledge.colActivity}</th>
                        <th scope="col">{m.pledge.colOwner}</th>
                        <th scope="col">{m.pledge.colTarget}</th>
                        <th scope="col">{m.pledge.colSchedule}</th>
                        {showStatus ? <th scope="col">{progress ? m.followUp.colStatusProgress : m.pledge.colStatus}</th> : null}
                      </tr>
                    </thead>
                    <tbody>
                      {c.activities.map((a) => (
                        <tr key={a.id}>
                          <td>{a.description}</td>
                          <td>{partyName.get(a.ownerPartyId)?.name}</td>
                          <td>{target(a, m)}</td>
                          <td>{schedule(a, m)}</td>
                          {showStatus ? (
                            <td>
                              {progress ? <ActivityProgressCell p={progress.activities.get(a.id)} m={m} status={a.status} /> : <span class={`status s-${a.status}`}>{m.status[a.status]}</span>}
                            </td>
                          ) : null}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </div>
          ))}
        </section>
      ))}

    </>
  );
}

import type { Messages } from '../../../platform/i18n/index.js';
import { formatDate, formatNumber } from '../../../platform/views/format.js';
import type { ActivityStatus } from '../../pledges/pledge.js';
import { percent, type RolledUp } from '../progress.js';
import type { PublicActivityProgress } from '../public-progress.js';

/**
 * Progress on public pages: text first, with a bar beside it. The bar (a native <progress>) is
 * hidden from assistive technology because the text next to it already says the same.
 */

function Bar({ ratio }: { ratio: number }) {
  return <progress max={100} value={percent(ratio)} aria-hidden="true" />;
}

export function ActivityProgressCell({ p, m, status }: { p: PublicActivityProgress | undefined; m: Messages; status: ActivityStatus }) {
  const badge = <span class={`status s-${status}`}>{m.status[status]}</span>;
  if (!p) return badge;
  const pr = p.progress;
  return (
    <>
      {badge}
      {pr.kind === 'excluded' ? null : (
        <span class="progress">
          <Bar ratio={pr.ratio} />{' '}
          {pr.kind === 'numeric' ? m.followUp.progressOf(formatNumber(pr.value, m), formatNumber(pr.target, m), pr.unit, percent(pr.ratio)) : m.followUp.progressPercent(percent(pr.ratio))}
        </span>
      )}
      <span class={p.staleSince ? 'followed stale' : 'followed'}>
        {p.staleSince ? m.followUp.staleSince(formatDate(p.staleSince, m)) : p.lastReportedOn ? m.followUp.lastUpdate(formatDate(p.lastReportedOn, m)) : m.followUp.noUpdateYet}
      </span>
    </>
  );
}

export function RolledUpLine({ r, m }: { r: RolledUp | undefined; m: Messages }) {
  if (!r) return null;
  if (r.ratio === null) return r.excluded > 0 ? <p class="progress-line">{m.followUp.noneCounted}</p> : null;
  return (
    <p class="progress-line">
      <Bar ratio={r.ratio} /> {m.followUp.rolledUp(percent(r.ratio), r.counted, r.excluded)}
    </p>
  );
}

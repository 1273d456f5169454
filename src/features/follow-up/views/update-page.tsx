import { messages } from '../../../platform/i18n/index.js';
import { formatDate } from '../../../platform/views/format.js';
import type { FormState } from '../../../platform/views/forms.js';
import { AdminLayout, type AdminContext } from '../../admin/views/admin-layout.js';
import type { Target } from '../../pledges/pledge.js';
import type { UpdateEntry } from '../activity-updates.js';
import { ResponseFormView, UpdateCard } from './update-views.js';

const sv = messages('sv');

/** One update on a page of its own, where the other party writes a comment or acknowledges it. */
export function UpdatePage(props: {
  ctx: AdminContext;
  entry: UpdateEntry;
  activityDescription: string;
  partyName: (id: string) => string;
  target: Target | null;
  canRespond: boolean;
  state: FormState;
}) {
  const u = props.entry;
  return (
    <AdminLayout ctx={props.ctx} title={`Rapport från ${formatDate(u.reportedOn, sv)}`}>
      <p class="crumbs">
        <a href={`/admin/aktiviteter/${u.activityId}`}>Tillbaka till aktiviteten</a>
      </p>
      <h1>Rapport från {formatDate(u.reportedOn, sv)}</h1>
      <p class="meta">{props.activityDescription}</p>
      <UpdateCard ctx={props.ctx} entry={u} partyName={props.partyName} target={props.target} canCorrect={false} canRespond={false} level={2} linkToPage={false} />
      {props.canRespond ? <ResponseFormView ctx={props.ctx} updateId={u.id} state={props.state} /> : null}
    </AdminLayout>
  );
}

import type { VersionDocument } from './version-content.js';

/**
 * What changed between two versions of one pledge, part by part. An amendment edits the same rows
 * as the version before it, so parts keep their ids and can be matched by them.
 */

export type PartKind = 'pledge' | 'signatory' | 'focus_area' | 'commitment' | 'activity';

export interface FieldDiff {
  field: string;
  before: string;
  after: string;
}

export interface Change {
  kind: 'added' | 'removed' | 'changed';
  part: PartKind;
  label: string;
  fields: FieldDiff[];
}

type Flat = { id: string; part: PartKind; label: string; fields: Record<string, string> };

type Activity = VersionDocument['focusAreas'][number]['commitments'][number]['activities'][number];

const targetText = (t: Activity['target']) => (!t ? '' : t.kind === 'numeric' ? `${String(t.value).replace('.', ',')} ${t.unit}` : t.text);
const scheduleText = (s: Activity['schedule']) => (!s ? '' : [[s.startsOn, s.endsOn].filter(Boolean).join('–'), s.text].filter(Boolean).join(', '));

function flatten(v: VersionDocument): Flat[] {
  const party = (id: string) => v.parties.find((p) => p.id === id)?.name ?? id;
  const out: Flat[] = [
    { id: 'pledge', part: 'pledge', label: v.title, fields: { title: v.title, startsOn: v.startsOn, endsOn: v.endsOn, background: v.background, parties: v.parties.map((p) => p.name).join(', ') } },
  ];
  for (const s of v.signatories) out.push({ id: s.id, part: 'signatory', label: s.name, fields: { name: s.name, roleTitle: s.roleTitle, party: party(s.partyId) } });
  for (const fa of v.focusAreas) {
    out.push({ id: fa.id, part: 'focus_area', label: fa.title, fields: { title: fa.title, description: fa.description } });
    for (const c of fa.commitments) {
      out.push({ id: c.id, part: 'commitment', label: c.title, fields: { title: c.title, description: c.description, focusArea: fa.title } });
      for (const a of c.activities)
        out.push({ id: a.id, part: 'activity', label: a.description, fields: { description: a.description, owner: party(a.ownerPartyId), target: targetText(a.target), schedule: scheduleText(a.schedule), commitment: c.title } });
    }
  }
  return out;
}

export function diffVersions(before: VersionDocument, after: VersionDocument): Change[] {
  const old = new Map(flatten(before).map((f) => [f.id, f]));
  const now = flatten(after);
  const changes: Change[] = [];
  for (const f of now) {
    const o = old.get(f.id);
    if (!o) {
      changes.push({ kind: 'added', part: f.part, label: f.label, fields: [] });
      continue;
    }
    const fields = Object.keys(f.fields)
      .filter((k) => f.fields[k] !== o.fields[k])
      .map((k) => ({ field: k, before: o.fields[k] ?? '', after: f.fields[k] ?? '' }));
    if (fields.length > 0) changes.push({ kind: 'changed', part: f.part, label: f.label, fields });
  }
  const kept = new Set(now.map((f) => f.id));
  for (const o of old.values()) if (!kept.has(o.id)) changes.push({ kind: 'removed', part: o.part, label: o.label, fields: [] });
  return changes;
}

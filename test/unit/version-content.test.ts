import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalContent, contentHash, VERSION_FORMAT, type VersionDocument } from '../../src/features/signing/version-content.js';
import { diffVersions } from '../../src/features/signing/version-diff.js';

const doc = (over: Partial<VersionDocument> = {}): VersionDocument => ({
  format: VERSION_FORMAT,
  pledgeId: 'p1',
  title: 'Medborgarlöfte för Åre',
  startsOn: '2024-01-01',
  endsOn: '2024-12-31',
  background: '',
  isDemo: false,
  parties: [
    { id: 'm', kind: 'municipality', name: 'Åre kommun', slug: 'are', municipalityCode: '2321', county: 'Jämtlands län', websiteUrl: null },
    { id: 'p', kind: 'police_area', name: 'LPO Åre', slug: 'lpo-are', municipalityCode: null, county: null, websiteUrl: null },
  ],
  signatories: [{ id: 's1', partyId: 'p', userId: 'u1', name: 'Pia', roleTitle: 'Lokalpolisområdeschef' }],
  focusAreas: [
    {
      id: 'f1',
      title: 'Trygghet',
      description: '',
      commitments: [{ id: 'c1', title: 'Färre mopeder', description: '', activities: [{ id: 'a1', ownerPartyId: 'p', description: 'Kontroller', target: { kind: 'numeric', value: 12.5, unit: 'st' }, schedule: null }] }],
    },
  ],
  ...over,
});

describe('the signed content of a version', () => {
  it('is RFC 8785 canonical JSON: sorted keys, no whitespace, names instead of ids', () => {
    const text = canonicalContent(doc());
    expect(text).toBe(
      '{"background":"","focusAreas":[{"commitments":[{"activities":[{"description":"Kontroller","owner":"LPO Åre","schedule":null,"target":{"kind":"numeric","unit":"st","value":12.5}}],"description":"","title":"Färre mopeder"}],"description":"","title":"Trygghet"}],"format":"loften.pledge-version/1","parties":[{"kind":"municipality","municipalityCode":"2321","name":"Åre kommun"},{"kind":"police_area","municipalityCode":null,"name":"LPO Åre"}],"period":{"endsOn":"2024-12-31","startsOn":"2024-01-01"},"signatories":[{"name":"Pia","party":"LPO Åre","roleTitle":"Lokalpolisområdeschef"}],"title":"Medborgarlöfte för Åre"}',
    );
    expect(contentHash(doc())).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
  });

  it('does not depend on ids, accounts or the demo flag, only on what a reader sees', () => {
    const renamed = doc({ pledgeId: 'other', isDemo: true, signatories: [{ id: 's9', partyId: 'p', userId: null, name: 'Pia', roleTitle: 'Lokalpolisområdeschef' }] });
    expect(contentHash(renamed)).toBe(contentHash(doc()));
    expect(contentHash(doc({ title: 'Medborgarlöfte för Åre.' }))).not.toBe(contentHash(doc()));
    expect(contentHash(doc({ endsOn: '2025-12-31' }))).not.toBe(contentHash(doc()));
  });
});

describe('what changed between two versions', () => {
  it('matches parts by id and reports added, removed and changed fields', () => {
    const before = doc();
    const after = doc({
      title: 'Nytt namn',
      signatories: [],
      focusAreas: [
        {
          ...before.focusAreas[0]!,
          commitments: [
            { ...before.focusAreas[0]!.commitments[0]!, activities: [{ ...before.focusAreas[0]!.commitments[0]!.activities[0]!, target: { kind: 'numeric', value: 14, unit: 'st' } }] },
            { id: 'c2', title: 'Nytt löfte', description: '', activities: [] },
          ],
        },
      ],
    });
    const changes = diffVersions(before, after);
    expect(changes).toEqual([
      { kind: 'changed', part: 'pledge', label: 'Nytt namn', fields: [{ field: 'title', before: 'Medborgarlöfte för Åre', after: 'Nytt namn' }] },
      { kind: 'changed', part: 'activity', label: 'Kontroller', fields: [{ field: 'target', before: '12,5 st', after: '14 st' }] },
      { kind: 'added', part: 'commitment', label: 'Nytt löfte', fields: [] },
      { kind: 'removed', part: 'signatory', label: 'Pia', fields: [] },
    ]);
    expect(diffVersions(before, doc())).toEqual([]);
  });
});

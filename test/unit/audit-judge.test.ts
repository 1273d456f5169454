import { describe, expect, it } from 'vitest';
import { judgeAudit, type AllowEntry } from '../../.ci/audit-judge.mjs';

/** Reports in the shape `npm audit --json` (auditReportVersion 2) prints. */
function report(vulns: Record<string, { severity: string; via: unknown[] }>) {
  const counts = { info: 0, low: 0, moderate: 0, high: 0, critical: 0 } as Record<string, number>;
  for (const v of Object.values(vulns)) counts[v.severity] = (counts[v.severity] ?? 0) + 1;
  return {
    auditReportVersion: 2,
    vulnerabilities: Object.fromEntries(Object.entries(vulns).map(([name, v]) => [name, { name, severity: v.severity, isDirect: false, via: v.via, effects: [], range: '*', nodes: [`node_modules/${name}`], fixAvailable: true }])),
    metadata: { vulnerabilities: { ...counts, total: Object.keys(vulns).length } },
  };
}
const advisory = (name: string, ghsa: string, severity: string) => ({ source: 1100000, name, dependency: name, title: `Problem in ${name}`, url: `https://github.com/advisories/${ghsa}`, severity, range: '<2.0.0' });
const GHSA = 'GHSA-9wv6-86v2-598j';
const allow = (until: string, pkg = 'path-to-regexp', id = GHSA): AllowEntry => ({ advisory: id, package: pkg, why: 'used only at build time', until });

describe('the npm audit verdict', () => {
  it('passes a report with no advisories, and one with only moderate ones', () => {
    expect(judgeAudit(report({}), [], '2026-11-27').status).toBe('passed');
    expect(judgeAudit(report({ qs: { severity: 'moderate', via: [advisory('qs', GHSA, 'moderate')] } }), [], '2026-11-27').status).toBe('passed');
  });

  it('fails on a high or critical advisory, naming the package and the advisory', () => {
    const v = judgeAudit(report({ 'path-to-regexp': { severity: 'high', via: [advisory('path-to-regexp', GHSA, 'high')] }, router: { severity: 'high', via: ['path-to-regexp'] } }), [], '2026-11-27');
    expect(v.status).toBe('failed');
    expect(v.lines.filter((l) => l.startsWith('FOUND'))).toEqual([expect.stringContaining(`high path-to-regexp <2.0.0 ${GHSA}`)]);
    expect(judgeAudit(report({ x: { severity: 'critical', via: [advisory('x', 'GHSA-2222-3333-4444', 'critical')] } }), [], '2026-11-27').status).toBe('failed');
  });

  it('lets through only the allow-listed advisory of the allow-listed package, until its date', () => {
    const found = report({ 'path-to-regexp': { severity: 'high', via: [advisory('path-to-regexp', GHSA, 'high')] } });
    expect(judgeAudit(found, [allow('2027-01-01')], '2026-11-27').status).toBe('passed');
    expect(judgeAudit(found, [allow('2026-11-26')], '2026-11-27').status).toBe('failed');
    expect(judgeAudit(found, [allow('2027-01-01', 'other-package')], '2026-11-27').status).toBe('failed');
    // A second, new advisory in the same package is not covered by the first one's entry.
    const more = report({ 'path-to-regexp': { severity: 'high', via: [advisory('path-to-regexp', GHSA, 'high'), advisory('path-to-regexp', 'GHSA-rhx6-c78j-4q9w', 'high')] } });
    expect(judgeAudit(more, [allow('2027-01-01')], '2026-11-27').status).toBe('failed');
  });

  it('fails on an allow-list entry that no longer matches anything, so the list stays narrow', () => {
    const v = judgeAudit(report({}), [allow('2027-01-01')], '2026-11-27');
    expect(v.status).toBe('failed');
    expect(v.lines.some((l) => l.startsWith('STALE'))).toBe(true);
  });

  it('tells an unreachable advisory service from a clean report', () => {
    const refused = { message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk', statusCode: 405 };
    expect(judgeAudit(refused, [], '2026-11-27')).toEqual({ status: 'unavailable', lines: [expect.stringContaining('405')] });
    expect(judgeAudit(null, [], '2026-11-27').status).toBe('unavailable');
  });
});

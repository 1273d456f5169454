// The verdict on an `npm audit --json` report, kept apart from running npm so that a test can
// feed it reports of the real shape (the registry here refuses the advisory endpoint).
// See docs/decisions/security-checks.md.

const BLOCKING = new Set(['high', 'critical']);

/** "https://github.com/advisories/GHSA-xxxx-xxxx-xxxx" → "GHSA-xxxx-xxxx-xxxx"; the numeric source id otherwise. */
function advisoryId(via) {
  const m = /GHSA(-[23456789cfghjmpqrvwx]{4}){3}/i.exec(String(via.url ?? ''));
  return m ? m[0] : String(via.source ?? via.title ?? 'unknown');
}

/**
 * @param {unknown} report   parsed stdout of `npm audit --json`
 * @param {{ advisory: string; package: string; why: string; until: string }[]} allowList
 * @param {string} today     YYYY-MM-DD
 * @returns {{ status: 'passed' | 'failed' | 'unavailable'; lines: string[] }}
 */
export function judgeAudit(report, allowList, today) {
  if (!report || typeof report !== 'object' || !('vulnerabilities' in report) || typeof report.vulnerabilities !== 'object') {
    const why = report && typeof report === 'object' && 'message' in report ? String(report.message) : 'no report';
    return { status: 'unavailable', lines: [`npm audit could not check any advisory: ${why}`] };
  }
  // Only advisories themselves (objects in `via`), not the packages that merely depend on one:
  // the allow-list names the advisory and the package it is about, nothing wider.
  const findings = new Map();
  for (const vuln of Object.values(report.vulnerabilities)) {
    for (const via of vuln?.via ?? []) {
      if (typeof via !== 'object' || via === null || !BLOCKING.has(via.severity)) continue;
      const key = `${via.name} ${advisoryId(via)}`;
      if (!findings.has(key)) findings.set(key, { package: via.name, advisory: advisoryId(via), severity: via.severity, title: via.title ?? '', range: via.range ?? '' });
    }
  }
  const lines = [];
  let failed = false;
  const used = new Set();
  for (const f of findings.values()) {
    const entry = allowList.find((a) => a.package === f.package && a.advisory.toUpperCase() === f.advisory.toUpperCase());
    if (entry && entry.until >= today) {
      used.add(entry);
      lines.push(`allowed  ${f.severity} ${f.package} ${f.advisory} (until ${entry.until}): ${entry.why}`);
    } else {
      failed = true;
      lines.push(`${entry ? 'EXPIRED' : 'FOUND  '}  ${f.severity} ${f.package} ${f.range} ${f.advisory} ${f.title}`);
    }
  }
  // An entry that matches nothing any more is removed, so the list never grows into a blanket waiver.
  for (const a of allowList) {
    if (!used.has(a) && !lines.some((l) => l.startsWith('EXPIRED') && l.includes(a.advisory))) {
      failed = true;
      lines.push(`STALE    allow-list entry ${a.package} ${a.advisory} matches no advisory now: remove it from .ci/audit-allowlist.json`);
    }
  }
  const counts = report.metadata?.vulnerabilities ?? {};
  lines.push(`npm audit: ${counts.critical ?? 0} critical, ${counts.high ?? 0} high, ${counts.moderate ?? 0} moderate, ${counts.low ?? 0} low; ${findings.size} high or critical advisories, ${used.size} allow-listed`);
  return { status: failed ? 'failed' : 'passed', lines };
}

// CI step: `npm audit --audit-level=high` over production and dev dependencies, judged by
// audit-judge.mjs against the narrow allow-list in audit-allowlist.json. Writes its outcome as a
// check for summary.mjs, which counts it beside the tests; exits non-zero when it failed.
//   passed       no high or critical advisory outside the allow-list
//   failed       one was found, or an allow-list entry expired or matches nothing
//   unavailable  the registry gave no report (e.g. no advisory endpoint): counted as skipped,
//                or as failed when AUDIT_REQUIRED=true
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { judgeAudit } from './audit-judge.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] ?? 'test-results/check-audit.json';
const allowList = JSON.parse(readFileSync(join(here, 'audit-allowlist.json'), 'utf8'));
const run = spawnSync('npm', ['audit', '--audit-level=high', '--include=dev', '--include=prod', '--json'], { cwd: join(here, '..'), encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
let report = null;
try {
  report = JSON.parse(run.stdout);
} catch {
  report = { message: (run.stderr || run.error?.message || 'no output').trim().split('\n').slice(-1)[0] };
}
const verdict = judgeAudit(report, allowList, new Date().toISOString().slice(0, 10));
for (const line of verdict.lines) console.log(line);
const required = process.env.AUDIT_REQUIRED === 'true';
const status = verdict.status === 'unavailable' ? (required ? 'failed' : 'skipped') : verdict.status;
if (verdict.status === 'unavailable') console.log(required ? 'npm audit: UNAVAILABLE and AUDIT_REQUIRED=true: failed' : 'npm audit: UNAVAILABLE: counted as skipped (set AUDIT_REQUIRED=true to fail instead)');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ name: 'npm audit', status, lines: verdict.lines }, null, 2));
process.exit(status === 'failed' ? 1 : 0);

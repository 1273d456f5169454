// Prints "N passed, N failed[, N skipped]" from vitest's JSON report plus any check files
// (`{ name, status: passed|failed|skipped }`, e.g. the npm audit step), each counted as one; exits
// non-zero when anything failed, the report is missing (say, the type check failed first) or no test ran.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test-results/results.json';
const checks = process.argv.slice(3).filter((f) => existsSync(f)).map((f) => JSON.parse(readFileSync(f, 'utf8')));
const count = (status) => checks.filter((c) => c.status === status).length;
for (const c of checks) console.log(`${c.name}: ${c.status}`);
if (!existsSync(file)) {
  console.log(`${count('passed')} passed, ${1 + count('failed')} failed`);
  process.exit(1);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
const passed = (r.numPassedTests ?? 0) + count('passed');
// A test file that failed to load has no failed test in it; count it, or a broken import would pass unnoticed.
const loadErrors = (r.testResults ?? []).filter((f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed')).length;
const failed = (r.numFailedTests ?? 0) + loadErrors + count('failed');
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0) + count('skipped');
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || (r.numPassedTests ?? 0) === 0 ? 1 : 0);

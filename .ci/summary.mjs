// Prints "N passed, N failed[, N skipped]" from vitest's JSON report; exits non-zero when
// anything failed, the report is missing (say, the type check failed first) or no test ran.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test-results/results.json';
if (!existsSync(file)) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
const passed = r.numPassedTests ?? 0;
// A test file that failed to load has no failed test in it; count it, or a broken import would pass unnoticed.
const loadErrors = (r.testResults ?? []).filter((f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed')).length;
const failed = (r.numFailedTests ?? 0) + loadErrors;
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);

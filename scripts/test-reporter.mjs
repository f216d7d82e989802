// node:test reporter for scripts/test-worker.ts: one JSON line per finished test file (the worker's
// top-level suites), with its counts, duration and failures, for scripts/test.mjs to add up and print.
const text = (err) => {
  if (!err) return '';
  const cause = err.cause ?? err;
  return String(cause?.stack ?? cause?.message ?? cause);
};

export default async function* fileResults(source) {
  let c = { passed: 0, failed: 0, skipped: 0, failures: [] };
  for await (const { type, data } of source) {
    if (type !== 'test:pass' && type !== 'test:fail') continue;
    const failedHere = type === 'test:fail';
    if (data.nesting === 0) {
      // A file that failed outside any test (an import error, a hook, its timeout) still counts once.
      if (failedHere && c.failed === 0) {
        c.failed = 1;
        c.failures.push(`${data.name}: ${text(data.details?.error)}`);
      }
      yield `@@rf-file ${JSON.stringify({ label: data.name, ms: data.details?.duration_ms ?? 0, passed: c.passed, failed: c.failed, skipped: c.skipped, failures: c.failures })}\n`;
      c = { passed: 0, failed: 0, skipped: 0, failures: [] };
      continue;
    }
    if (data.details?.type === 'suite') continue;
    if (failedHere) {
      c.failed++;
      c.failures.push(`${data.name}\n${text(data.details?.error)}`);
    } else if (data.skip !== undefined || data.todo !== undefined) c.skipped++;
    else c.passed++;
  }
}

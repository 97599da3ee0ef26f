#!/usr/bin/env node
// What `npm test` runs after `npm run build`: node's test runner (with tsx) over every test file of
// test/unit, test/integration and test/e2e that exists. Node 20's --test does not expand globs, so
// the files are listed here. Output streams through; the exit code is the runner's.
// Usage: node scripts/run-tests.mjs [unit] [integration] [e2e]   (default: all three)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GROUPS = ['unit', 'integration', 'e2e'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : GROUPS;
for (const g of wanted) {
  if (!GROUPS.includes(g)) {
    console.error(`run-tests: unknown group ${g} (expected ${GROUPS.join(', ')})`);
    process.exit(2);
  }
}

const files = wanted.flatMap((group) => {
  const dir = join(ROOT, 'test', group);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => join('test', group, f));
});
if (!files.length) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
console.error(`run-tests: ${files.length} files (${wanted.join(', ')})`);

// Every temporary file of the run goes under one directory of its own (TMPDIR), removed at the end,
// so a test that forgets to clean up leaves nothing behind on the machine. KEEP_TEST_TMP=1 keeps it.
const runTmp = mkdtempSync(join(tmpdir(), 'sentry-onprem-tests-'));
const cleanTmp = () => {
  if (process.env.KEEP_TEST_TMP) console.error(`run-tests: temporary files kept in ${runTmp}`);
  else rmSync(runTmp, { recursive: true, force: true });
};

// One file at a time: integration and e2e tests share fixed loopback ports, the Docker engine and /tmp state.
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, TMPDIR: runTmp },
});
const forward = (sig) => () => child.kill(sig);
process.on('SIGINT', forward('SIGINT'));
process.on('SIGTERM', forward('SIGTERM'));
child.on('exit', (code, signal) => {
  cleanTmp();
  process.exit(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1));
});

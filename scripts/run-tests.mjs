#!/usr/bin/env node
// What `npm test` runs after `npm run build`: node's test runner (with tsx) over every test file of
// test/unit, test/integration and test/e2e that exists. Node 20's --test does not expand globs, so
// the files are listed here.
//
// Two lanes run side by side when e2e and another group are asked for:
//   engine lane: test/e2e, one file at a time (Sentry's data volumes are host-wide: one Sentry per engine);
//   local lane:  test/unit and test/integration, one file at a time, at a lower CPU priority (nice 10), so
//                the engine lane's timings are what they would be alone. The local lane only reads the
//                engine (versions, image inspects) and its loopback ports are not the e2e tests' ports.
// The engine lane's TAP streams through as it runs; the local lane's is printed when it ends. The last
// line is the total over both: `N passed, N failed` (a skipped or cancelled test is counted and named on
// the line before; cancelled counts as failed). SERIAL=1 runs everything in one lane, one file at a time;
// ONLY=REGEX runs the files whose path matches.
// Usage: node scripts/run-tests.mjs [unit] [integration] [e2e]   (default: all three)
import { spawn, spawnSync } from 'node:child_process';
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

// ONLY=REGEX keeps the files whose path matches (e.g. ONLY='upgrade|render-nginx').
const only = process.env.ONLY ? new RegExp(process.env.ONLY) : undefined;
const filesOf = (groups) =>
  groups.flatMap((group) => {
    const dir = join(ROOT, 'test', group);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => f.endsWith('.test.ts'))
      .sort()
      .map((f) => join('test', group, f))
      .filter((f) => !only || only.test(f));
  });

const ordered = GROUPS.filter((g) => wanted.includes(g));
const split = !process.env.SERIAL && ordered.includes('e2e') && ordered.length > 1;
const lanes = split
  ? [
      { name: 'engine', files: filesOf(['e2e']), stream: true, nice: 0 },
      { name: 'local', files: filesOf(ordered.filter((g) => g !== 'e2e')), stream: false, nice: 10 },
    ]
  : [{ name: 'all', files: filesOf(ordered), stream: true, nice: 0 }];
const total = lanes.reduce((n, l) => n + l.files.length, 0);
if (!total) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
console.error(`run-tests: ${total} files (${ordered.join(', ')})${split ? `; lanes: ${lanes.map((l) => `${l.name} ${l.files.length}`).join(', ')}` : ''}`);

// Every temporary file of the run goes under one directory of its own (TMPDIR), removed at the end,
// so a test that forgets to clean up leaves nothing behind on the machine. KEEP_TEST_TMP=1 keeps it.
const runTmp = mkdtempSync(join(tmpdir(), 'sentry-onprem-tests-'));
const cleanTmp = () => {
  if (process.env.KEEP_TEST_TMP) console.error(`run-tests: temporary files kept in ${runTmp}`);
  else rmSync(runTmp, { recursive: true, force: true });
};

const hasNice = spawnSync('nice', ['-n', '0', 'true']).status === 0;
const children = [];

/** Runs one lane; resolves with its exit code, TAP output (when captured) and the totals its runner printed. */
function runLane(lane) {
  const args = ['--import', 'tsx', '--test', '--test-reporter=tap', '--test-concurrency=1', ...lane.files];
  const [cmd, argv] = lane.nice && hasNice ? ['nice', ['-n', String(lane.nice), process.execPath, ...args]] : [process.execPath, args];
  // A lane of its own process group, so that its priority can be raised as a whole (renice -g).
  const child = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TMPDIR: runTmp }, detached: split });
  children.push(child);
  lane.child = child;
  const started = Date.now();
  let tail = '';
  const captured = [];
  child.stdout.on('data', (chunk) => {
    if (lane.stream) process.stdout.write(chunk);
    else captured.push(chunk);
    tail = (tail + chunk.toString()).slice(-4000);
  });
  return new Promise((resolveLane) => {
    child.on('close', (code, signal) => {
      const count = (k) => Number(new RegExp(`^# ${k} (\\d+)$`, 'm').exec(tail)?.[1] ?? 0);
      resolveLane({
        lane,
        code: code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1),
        output: Buffer.concat(captured),
        seconds: (Date.now() - started) / 1000,
        totals: { tests: count('tests'), pass: count('pass'), fail: count('fail'), cancelled: count('cancelled'), skipped: count('skipped'), todo: count('todo') },
      });
    });
  });
}

const forward = (sig) => () =>
  children.forEach((c) => {
    try {
      if (split) process.kill(-c.pid, sig);
      else c.kill(sig);
    } catch {
      /* already gone */
    }
  });
process.on('SIGINT', forward('SIGINT'));
process.on('SIGTERM', forward('SIGTERM'));

const running = lanes.map(runLane);
// When the engine lane ends first, the local lane has the machine to itself: back to normal priority.
if (split) {
  running[0].then(() => {
    const local = lanes[1].child;
    if (local.exitCode === null && local.signalCode === null && hasNice) {
      const r = spawnSync('renice', ['-n', '0', '-g', String(local.pid)], { encoding: 'utf8' });
      console.error(`run-tests: engine lane done; local lane back to nice 0${r.status === 0 ? '' : ` (renice failed: ${(r.stderr || '').trim()})`}`);
    }
  });
}
const results = await Promise.all(running);
for (const r of results) if (!r.lane.stream) process.stdout.write(r.output);
cleanTmp();

const sum = (k) => results.reduce((n, r) => n + r.totals[k], 0);
for (const r of results) {
  const t = r.totals;
  console.log(`# lane ${r.lane.name}: ${r.lane.files.length} files, ${t.tests} tests, ${t.pass} passed, ${t.fail} failed, ${t.cancelled} cancelled, ${t.skipped} skipped, ${r.seconds.toFixed(0)} s, exit ${r.code}`);
}
const failed = sum('fail') + sum('cancelled');
// A lane that died without its runner's totals is a failure even when no test was counted as failed.
const broken = results.filter((r) => r.code !== 0 && failed === 0).length;
console.log(`# ${sum('skipped')} skipped, ${sum('todo')} todo, ${sum('cancelled')} cancelled`);
console.log(`${sum('pass')} passed, ${failed + broken} failed`);
process.exit(results.some((r) => r.code !== 0) ? results.find((r) => r.code !== 0).code : 0);

/**
 * `cleanup` and the install lock through the command line (run from source, with no Docker reachable, so a
 * cleanup that does run stops at once): a skipped cleanup is silent with --quiet until it has been skipped
 * for a day, and a lock file planted by another user does not make it skip.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { layoutFor, type Layout } from '../../src/layout.js';
import { processStart, type Holder } from '../../src/lock/holder.js';
import { skipWarning } from '../../src/cleanup/skipped.js';
import { ROOT, minimalAnswers, removeDir, tempDir, writeAnswers } from '../helpers/cli.js';

const DAY = 24 * 3600_000;

function cleanupQuiet(dir: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'install.ts'), 'cleanup', '--dir', dir, '--quiet'], {
    cwd: ROOT,
    // No docker binary and no engine: a cleanup that gets past the lock fails right away, touching nothing.
    env: { PATH: dirname(process.execPath), HOME: dirname(dir), DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function install(root: string): Layout {
  const layout = layoutFor(join(root, 'install'));
  mkdirSync(layout.stateDir, { recursive: true, mode: 0o700 });
  writeAnswers(layout.answersFile, minimalAnswers('9.1.2'));
  return layout;
}

function plant(layout: Layout, h: Partial<Holder>, uid?: number): void {
  const holder: Holder = { pid: 1, start: processStart(1), command: 'upgrade', since: new Date().toISOString(), nonce: '0123456789abcdef', ...h };
  writeFileSync(layout.lockFile, JSON.stringify(holder), { mode: 0o600 });
  if (uid !== undefined) chownSync(layout.lockFile, uid, uid);
}

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

test('skipWarning: only when the holder, or the skipping, is older than a day', () => {
  const layout = layoutFor('/srv/sentry');
  const h: Holder = { pid: 42, start: '7', command: 'backup', since: ago(3600_000), nonce: 'x' };
  assert.equal(skipWarning(layout, h, ago(3600_000)), undefined);
  assert.match(skipWarning(layout, h, ago(DAY + 60_000))!, /^warning: no cleanup ran in \/srv\/sentry: sentry-onprem backup \(pid 42\) has held its lock since [^,]+, and cleanups have been skipped since .*\(kill 42\)/);
  assert.match(skipWarning(layout, { ...h, since: ago(2 * DAY) }, new Date().toISOString())!, /has held its lock since/);
});

test('cleanup --quiet behind a live holder: silent and exit 0 for a day, then a warning on stderr; a run clears the record', { timeout: 120_000 }, () => {
  const root = tempDir();
  const sleeper = spawn('sleep', ['120']);
  try {
    const layout = install(root);
    plant(layout, { pid: sleeper.pid, start: processStart(sleeper.pid!) });
    const first = cleanupQuiet(layout.dir);
    assert.deepEqual(first, { code: 0, stdout: '', stderr: '' });
    const since = (JSON.parse(readFileSync(layout.cleanupSkippedFile, 'utf8')) as { since: string }).since;
    assert.ok(Date.now() - Date.parse(since) < 60_000, since);
    assert.match(readFileSync(join(layout.logsDir, 'cleanup.log'), 'utf8'), /sentry-onprem upgrade \(pid \d+\) is working on .*; cleanup did nothing/);

    writeFileSync(layout.cleanupSkippedFile, JSON.stringify({ since: ago(DAY + 60_000) }));
    const later = cleanupQuiet(layout.dir);
    assert.equal(later.code, 0);
    assert.equal(later.stdout, '');
    assert.match(later.stderr, new RegExp(`^warning: no cleanup ran in ${layout.dir}: sentry-onprem upgrade \\(pid ${sleeper.pid}\\) has held its lock since`, 'm'));

    sleeper.kill();
    spawnSync('sleep', ['0.2']);
    const ran = cleanupQuiet(layout.dir); // the holder is gone: it runs (and fails at once: no Docker here)
    assert.notEqual(ran.code, 0, ran.stderr);
    assert.doesNotMatch(ran.stderr, /no cleanup ran/);
    assert.equal(existsSync(layout.cleanupSkippedFile), false, 'a cleanup that ran clears the record of skips');
  } finally {
    sleeper.kill();
    removeDir(root);
  }
});

test('cleanup --quiet with a lock file planted by another user: says so on stderr and runs', { skip: process.geteuid?.() !== 0 && 'needs root to chown', timeout: 60_000 }, () => {
  const root = tempDir();
  try {
    const layout = install(root);
    plant(layout, { command: 'cleanup' }, 65534); // pid 1 with its real start time: "alive"
    const r = cleanupQuiet(layout.dir);
    assert.match(r.stderr, /^warning: .*\/\.sentry-onprem\/lock belonged to uid 65534, who may not hold this lock: removed it/m);
    const log = readFileSync(join(layout.logsDir, 'cleanup.log'), 'utf8');
    assert.doesNotMatch(log, /nothing done|did nothing/);
    assert.match(log, /^.*failed: /m, 'the cleanup ran (and failed at once: no Docker here)');
    assert.notEqual(r.code, 0);
    assert.equal(existsSync(layout.cleanupSkippedFile), false);
  } finally {
    removeDir(root);
  }
});

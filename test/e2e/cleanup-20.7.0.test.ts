/**
 * Cleanup on 20.7.0, whose compose file runs Sentry's cleanup itself (the sentry-cleanup service): the
 * cron entry's run (--scheduled) only vacuums; a hand-run cleanup does both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runCli, installedSuite } from './harness.js';
import { cronFilePath } from '../../src/cron/entry.js';

const suite = installedSuite('20.7.0', { http: 18620, https: 18621 });
const { skip, env } = suite;

test("20.7.0: the cron entry's run leaves Sentry's cleanup to the sentry-cleanup service and only vacuums", { skip, timeout: 5 * 60_000 }, async () => {
  const line = readFileSync(cronFilePath(suite.fx.dir), 'utf8').split('\n').find((l) => l.includes('install.js cleanup'))!;
  const command = line.split(/\s+/).slice(6).join(' ').replace(/\\%/g, '%');
  const cron = spawnSync('/bin/sh', ['-c', command], { env: { SHELL: '/bin/sh', PATH: '/usr/bin:/bin', HOME: '/root', LOGNAME: 'root' }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 300_000 });
  assert.equal(cron.status, 0, `${cron.stdout}\n${cron.stderr}`);
  const log = readFileSync(join(suite.fx.dir, 'logs', 'cleanup.log'), 'utf8');
  assert.match(log, /sentry cleanup: skipped, the sentry-cleanup service runs it daily at 00:00 with --days 90 \(retention\.days\)/);
  assert.match(log, /vacuum: VACUUM \(ANALYZE\) in/);
  assert.doesNotMatch(log, /compose.* run --rm --no-deps -T web sentry cleanup/);
});

test('20.7.0: a hand-run cleanup runs Sentry cleanup and the vacuum', { skip, timeout: 5 * 60_000 }, async () => {
  const r = await runCli(['cleanup', '--dir', suite.fx.dir, '--days', '30', '--json'], env);
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  const out = JSON.parse(r.stdout);
  assert.deepEqual({ ran: out.sentryCleanup.ran, days: out.sentryCleanup.days }, { ran: true, days: 30 });
  assert.equal(out.vacuum.run, 'analyze');
  assert.match(r.stderr, /Removing old NodeStore values/);
});

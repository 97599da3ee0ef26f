/**
 * Cleanup on 20.7.0, whose compose file runs Sentry's cleanup itself (the sentry-cleanup service): the
 * cron entry's run (--scheduled) only vacuums; a hand-run cleanup does both.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { engineReachable, fixture, composeEnv, runCli, teardown, type Fixture } from './harness.js';
import { RELEASES } from '../../src/catalog.js';
import { cronFilePath } from '../../src/cron/entry.js';

const skip = !engineReachable() && !process.env.CI ? 'no Docker engine (run .ci/run)' : false;
const tag = '20.7.0';
const project = RELEASES[tag].projectName;
const volumes = RELEASES[tag].externalVolumes;
const env = composeEnv('v2');
let fx: Fixture;

before(async () => {
  if (skip) return;
  fx = fixture(tag, { http: 18620, https: 18621 });
  teardown(fx.dir, 'v2', project, volumes);
  const r = await runCli(['install', '--dir', fx.dir, '--answers', fx.answersFile, '--yes'], env);
  assert.equal(r.code, 0, `install failed:\n${r.stderr.slice(-3000)}`);
});

after(() => {
  if (!skip && fx) teardown(fx.dir, 'v2', project, volumes);
});

test("20.7.0: the cron entry's run leaves Sentry's cleanup to the sentry-cleanup service and only vacuums", { skip, timeout: 5 * 60_000 }, async () => {
  const line = readFileSync(cronFilePath(fx.dir), 'utf8').split('\n').find((l) => l.includes('install.js cleanup'))!;
  const command = line.split(/\s+/).slice(6).join(' ').replace(/\\%/g, '%');
  const cron = spawnSync('/bin/sh', ['-c', command], { env: { SHELL: '/bin/sh', PATH: '/usr/bin:/bin', HOME: '/root', LOGNAME: 'root' }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 300_000 });
  assert.equal(cron.status, 0, `${cron.stdout}\n${cron.stderr}`);
  const log = readFileSync(join(fx.dir, 'logs', 'cleanup.log'), 'utf8');
  assert.match(log, /sentry cleanup: skipped, the sentry-cleanup service runs it daily at 00:00 with --days 90 \(retention\.days\)/);
  assert.match(log, /vacuum: VACUUM \(ANALYZE\) in/);
  assert.doesNotMatch(log, /compose.* run --rm --no-deps -T web sentry cleanup/);
});

test('20.7.0: a hand-run cleanup runs Sentry cleanup and the vacuum', { skip, timeout: 5 * 60_000 }, async () => {
  const r = await runCli(['cleanup', '--dir', fx.dir, '--days', '30', '--json'], env);
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  const out = JSON.parse(r.stdout);
  assert.deepEqual({ ran: out.sentryCleanup.ran, days: out.sentryCleanup.days }, { ran: true, days: 30 });
  assert.equal(out.vacuum.run, 'analyze');
  assert.match(r.stderr, /Removing old NodeStore values/);
});

/**
 * Day-2 commands on one 20.7.0 install (made once for this file, by the harness):
 *  - cleanup: 20.7.0's compose file runs Sentry's cleanup itself (the sentry-cleanup service), so the cron
 *    entry's run (--scheduled) only vacuums, while a hand-run cleanup does both;
 *  - reconfigure after adding a plugin: both the Sentry image and the sentry-cleanup image (built FROM it)
 *    are rebuilt; the six Sentry services are recreated; Snuba, Kafka, ClickHouse, Relay, nginx and the
 *    databases keep their containers.
 * The reconfigure runs last: it changes the images the others run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { containers, docker, runCli, installedSuite } from './harness.js';
import { RELEASES } from '../../src/catalog.js';
import { cronFilePath } from '../../src/cron/entry.js';

const suite = installedSuite('20.7.0', { http: 18620, https: 18621 });
const { skip, tag, project, env } = suite;

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

test('20.7.0 reconfigure after adding a plugin: the Sentry and sentry-cleanup images are rebuilt, only the Sentry services recreated', { skip, timeout: 10 * 60_000 }, async () => {
  const file = join(suite.fx.dir, 'sentry-onprem.yml');
  const a = yaml.load(readFileSync(file, 'utf8')) as Record<string, any>;
  a.plugins = ['sentry-onprem-testplugin==1.0'];
  writeFileSync(file, yaml.dump(a));
  const ids = () => new Map(containers(project).filter((c) => !c.oneoff).map((c) => [c.service, `${c.id} ${c.startedAt}`]));
  const before = ids();
  const r = await runCli(['reconfigure', '--dir', suite.fx.dir, '--yes'], env);
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  const after = ids();
  const changed = [...before.keys()].filter((s) => before.get(s) !== after.get(s)).sort();
  assert.deepEqual(changed, RELEASES[tag].sentryServices.slice().sort());
  assert.match(r.stdout, /rebuilt: sentry-onpremise-local, sentry-cleanup-onpremise-local/);
  const cleanup = containers(project).find((c) => c.service === 'sentry-cleanup' && !c.oneoff)!;
  assert.match(docker(['exec', cleanup.id, 'python3', '-c', 'import sentry_onprem_testplugin as p; print(p.__version__)']), /^1\.0/m);
  console.log(`# 20.7.0 reconfigure with a plugin: ${(r.ms / 1000).toFixed(1)} s; ${after.size - changed.length} of ${after.size} containers untouched`);
});

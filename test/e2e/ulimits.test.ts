/**
 * ClickHouse's `ulimits: nofile 262144` (20.7.0) on an engine that cannot set it (this machine's dockerd:
 * hard nofile 20000, no CAP_SYS_RESOURCE). A fresh install without an override stops at preflight,
 * exit 3, with the override lines, and changes nothing. A run that fails at bootstrap because of a limit
 * no engine can set (above fs.nr_open) says so in words; once the override is corrected, the re-run
 * recreates the clickhouse container the failed run left and completes (Compose v1 and v2).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { composeEnv, containers, docker, engineReachable, fixture, runCli, teardown, type Fixture, type Flavor } from './harness.js';
import { RELEASES } from '../../src/catalog.js';
import { readEngineLimits } from '../../checks/host/engine-limits.js';
import { ulimitProblems } from '../../src/engine/rlimits.js';

const skip = !engineReachable() && !process.env.CI ? 'no Docker engine (run .ci/run)' : false;
const tag = '20.7.0';
const project = RELEASES[tag].projectName;
const volumes = RELEASES[tag].externalVolumes;
const made: Fixture[] = [];

after(() => {
  for (const fx of made) {
    teardown(fx.dir, 'v2', project, volumes);
    rmSync(dirname(fx.dir), { recursive: true, force: true });
  }
});

const override = (nofile: number) => `version: '3.4'\nservices:\n  clickhouse:\n    ulimits:\n      nofile:\n        soft: ${nofile}\n        hard: ${nofile}\n`;
const volumeNames = () => new Set(docker(['volume', 'ls', '-q']).split('\n').filter(Boolean));
const clickhouse = () => containers(project).find((c) => c.service === 'clickhouse' && !c.oneoff);
const nofileOf = (id: string) => JSON.parse(docker(['inspect', '-f', '{{json .HostConfig.Ulimits}}', id])) as Array<{ Name: string; Soft: number; Hard: number }> | null;

test('a fresh 20.7.0 install on an engine that cannot set nofile 262144: exit 3 at preflight, the override lines, nothing written', { skip, timeout: 5 * 60_000 }, async (t) => {
  const engine = await readEngineLimits('unix:///var/run/docker.sock');
  assert.ok(engine.ok, `this test reads the local dockerd: ${!engine.ok && engine.reason}`);
  if (!ulimitProblems(RELEASES[tag].ulimits!, engine.limits).length) return t.skip('this engine can set nofile 262144: nothing to refuse');
  const allowed = Math.min(engine.limits.limits.get('nofile')!.hard, engine.limits.nrOpen ?? Infinity);
  const fx = fixture(tag, { http: 18720, https: 18721 });
  made.push(fx);
  rmSync(join(fx.dir, 'docker-compose.override.yml')); // the harness writes one for every 20.7.0 install
  teardown(fx.dir, 'v2', project, volumes);
  const volumesBefore = volumeNames();
  const r = await runCli(['install', '--dir', fx.dir, '--answers', fx.answersFile, '--yes'], composeEnv('v2'));
  assert.equal(r.code, 3, r.stderr.slice(-3000));
  assert.match(r.stderr, /FAIL ulimits: found dockerd \(pid \d+\) has nofile \d+\/\d+.*cannot set clickhouse nofile 262144/);
  assert.ok(
    r.stderr.includes(`create ${join(fx.dir, 'docker-compose.override.yml')} with\nversion: '3.4'\nservices:\n  clickhouse:\n    ulimits:\n      nofile:\n        soft: ${allowed}\n        hard: ${allowed}\n`),
    r.stderr.slice(-3000),
  );
  assert.match(r.stderr, /\[Service\]\nLimitNOFILE=262144\n/);
  assert.match(r.stderr, /preflight check failed: ulimits/);
  // Refused at preflight: nothing at all in the install directory (no rendered file, state, secrets, not even
  // this run's log: the whole message is on stderr, which says nothing was changed).
  assert.deepEqual(readdirSync(fx.dir), [], 'a file was written to the install directory');
  assert.match(r.stderr, /Nothing was changed\./);
  assert.deepEqual([...volumeNames()].filter((v) => !volumesBefore.has(v)), [], 'no volume created');
  assert.deepEqual(containers(project), [], 'no container created');
  // Following the remedy makes the same engine pass the check.
  writeFileSync(join(fx.dir, 'docker-compose.override.yml'), override(allowed));
  const c = await runCli(['check', '--tag', tag, '--dir', fx.dir, '--skip-check', 'ports'], composeEnv('v2'));
  assert.match(c.stdout, /PASS ulimits: dockerd/, c.stdout + c.stderr);
  rmSync(join(fx.dir, 'docker-compose.override.yml'));
});

for (const flavor of ['v2', 'v1'] as Flavor[]) {
  test(`${flavor}: a run that failed at bootstrap on a limit the engine cannot set completes once the override is corrected`, { skip, timeout: 20 * 60_000 }, async () => {
    const nrOpen = Number(readFileSync('/proc/sys/fs/nr_open', 'utf8'));
    const fx = fixture(tag, { http: 18722, https: 18723 });
    made.push(fx);
    const env = composeEnv(flavor);
    teardown(fx.dir, flavor, project, volumes);
    // Above fs.nr_open: no engine can set it. The check would refuse it; skipped so that bootstrap meets it.
    writeFileSync(join(fx.dir, 'docker-compose.override.yml'), override(nrOpen + 1));
    const failed = await runCli(['install', '--dir', fx.dir, '--answers', fx.answersFile, '--yes', '--skip-check', 'ulimits'], env);
    assert.equal(failed.code, 1, failed.stderr.slice(-3000));
    assert.match(failed.stderr, /WARN ulimits: .*cannot set clickhouse nofile \d+ \(above the kernel's fs\.nr_open/);
    assert.match(failed.stderr, /step "Bootstrap Snuba and Relay" failed/);
    assert.match(failed.stderr, new RegExp(`could not set the container limit nofile \\(RLIMIT_NOFILE; runc: "error setting rlimit type 7: operation not permitted"\\) \\(asked for by clickhouse: ${nrOpen + 1}/${nrOpen + 1}\\)`));
    assert.match(failed.stderr, /next: Either lower the limit for this install: add to .*docker-compose\.override\.yml\n/);
    const left = clickhouse();
    assert.ok(left && !left.running, 'the failed run left a clickhouse container that never started');
    assert.equal(nofileOf(left.id)?.find((u) => u.Name === 'nofile')?.Hard, nrOpen + 1);

    writeFileSync(join(fx.dir, 'docker-compose.override.yml'), override(20000));
    const fixed = await runCli(['install', '--dir', fx.dir, '--answers', fx.answersFile, '--yes'], env);
    assert.equal(fixed.code, 0, fixed.stderr.slice(-3000));
    assert.match(fixed.stderr, /recreated clickhouse with the current configuration before `run snuba-api`/);
    const now = clickhouse();
    assert.ok(now?.running, 'clickhouse runs');
    assert.notEqual(now.id, left.id, 'the container of the failed run was recreated, not started as it was');
    assert.deepEqual(nofileOf(now.id)?.find((u) => u.Name === 'nofile'), { Name: 'nofile', Soft: 20000, Hard: 20000 });
    // Only clickhouse: the other dependencies the failed run started were current and kept.
    assert.doesNotMatch(fixed.stderr, /recreated [^\n]*(kafka|redis|zookeeper)/);
    teardown(fx.dir, flavor, project, volumes);
  });
}

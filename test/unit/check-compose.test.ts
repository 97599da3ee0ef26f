import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectCompose } from '../../src/engine/detect-compose.js';
import type { ProbeResult, RunProbe } from '../../src/engine/run-probe.js';
import { decideCompose } from '../../checks/compose.js';
import { minimumsFor } from '../../src/catalog.js';

let dir: string;
let env: NodeJS.ProcessEnv;

// A PATH with stand-in `docker` and `docker-compose` files (the fake runner answers for them), a
// private DOCKER_CONFIG and a private cache file.
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'check-compose-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'docker-config'));
  env = { PATH: join(dir, 'bin'), DOCKER_CONFIG: join(dir, 'docker-config'), HOME: dir };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function onPath(name: string, content = '#!/bin/sh\n'): string {
  const f = join(dir, 'bin', name);
  writeFileSync(f, content);
  chmodSync(f, 0o755);
  return f;
}
function plugin(content = 'plugin'): string {
  mkdirSync(join(dir, 'docker-config', 'cli-plugins'), { recursive: true });
  const f = join(dir, 'docker-config', 'cli-plugins', 'docker-compose');
  writeFileSync(f, content);
  chmodSync(f, 0o755);
  return f;
}

function fakeRun(answers: { plugin?: Partial<ProbeResult>; standalone?: Partial<ProbeResult> }) {
  const calls: string[] = [];
  const run: RunProbe = async (file, args) => {
    calls.push([file, ...args].join(' '));
    const a = file.endsWith('docker-compose') ? answers.standalone : answers.plugin;
    if (!a) return { exitCode: -1, stdout: '', stderr: '', spawnError: 'ENOENT' };
    return { exitCode: 0, stdout: '', stderr: '', ...a };
  };
  return { run, calls };
}
const cacheFile = () => join(dir, 'cache.json');

test('v2 plugin new enough: used, and the slow v1 is never asked', async () => {
  onPath('docker');
  onPath('docker-compose');
  const { run, calls } = fakeRun({ plugin: { stdout: 'Docker Compose version v2.26.1\n' }, standalone: { stdout: 'docker-compose version 1.29.2, build 5becea4c\n' } });
  const d = await detectCompose({ minimum: '1.23.0', env, run, cacheFile: null });
  assert.deepEqual(d.chosen?.argv, ['docker', 'compose']);
  assert.equal(d.chosen?.flavor, 'v2');
  assert.equal(d.standalone, null);
  assert.deepEqual(calls, [`${join(dir, 'bin', 'docker')} compose version`]);
});

test('no v2 plugin (exit 125 "unknown flag"): v1 docker-compose is used', async () => {
  onPath('docker');
  onPath('docker-compose');
  const { run } = fakeRun({
    plugin: { exitCode: 125, stderr: "unknown flag: --short\nSee 'docker --help'." },
    standalone: { stdout: 'docker-compose version 1.29.2, build 5becea4c\n' },
  });
  const d = await detectCompose({ minimum: '1.23.0', env, run, cacheFile: null });
  assert.deepEqual(d.chosen?.argv, ['docker-compose']);
  assert.equal(d.chosen?.version, '1.29.2');
  assert.equal(d.chosen?.flavor, 'v1');
  assert.equal(d.plugin.ok, false);
  assert.equal(!d.plugin.ok && d.plugin.reason, 'the docker CLI has no compose plugin');
  const v = decideCompose(d, minimumsFor('20.7.0'));
  assert.equal(v.status, 'pass');
  assert.match(v.found, /will use `docker-compose` 1\.29\.2 \(v1\); also seen: docker compose: the docker CLI has no compose plugin/);
});

test('v2 plugin too old for the release: a newer standalone v2 docker-compose is used', async () => {
  onPath('docker');
  onPath('docker-compose');
  const { run } = fakeRun({ plugin: { stdout: 'Docker Compose version v2.17.2' }, standalone: { stdout: 'Docker Compose version v2.24.6' } });
  const d = await detectCompose({ minimum: '2.19.0', allowV1: false, env, run, cacheFile: null });
  assert.deepEqual(d.chosen?.argv, ['docker-compose']);
  assert.equal(d.chosen?.flavor, 'v2');
});

test('a release that dropped v1 does not take docker-compose 1.29.2', async () => {
  onPath('docker');
  onPath('docker-compose');
  const { run } = fakeRun({ plugin: { exitCode: 1, stderr: "docker: 'compose' is not a docker command." }, standalone: { stdout: 'docker-compose version 1.29.2, build 5becea4c' } });
  const d = await detectCompose({ minimum: '1.28.0', allowV1: false, env, run, cacheFile: null });
  assert.equal(d.chosen, null);
  const v = decideCompose(d, { compose: '2.0.1', composeV1: false });
  assert.equal(v.status, 'fail');
  assert.match(v.remedy!, /v2 plugin/);
});

test('nothing installed: a failure that says what was looked for', async () => {
  const { run } = fakeRun({});
  const d = await detectCompose({ minimum: '1.23.0', env, run, cacheFile: null });
  assert.equal(d.chosen, null);
  const v = decideCompose(d, minimumsFor('20.7.0'));
  assert.equal(v.status, 'fail');
  assert.equal(v.found, 'docker compose: no docker CLI on PATH; docker-compose: no docker-compose on PATH');
  assert.match(v.remedy!, /docker-compose-plugin.*1\.23\.0/);
});

test('v1 exactly at the minimum passes; one patch under fails', async () => {
  onPath('docker-compose');
  for (const [printed, ok] of [['1.23.0', true], ['1.22.9', false]] as const) {
    const { run } = fakeRun({ standalone: { stdout: `docker-compose version ${printed}, build 1719ceb` } });
    const d = await detectCompose({ minimum: '1.23.0', env, run, cacheFile: null });
    assert.equal(d.chosen !== null, ok, printed);
  }
});

test('the v1 version is cached by path, size and mtime', async () => {
  const bin = onPath('docker-compose', '#!/bin/sh\necho v1\n');
  const { run, calls } = fakeRun({ standalone: { stdout: 'docker-compose version 1.29.2, build 5becea4c\n' } });
  const first = await detectCompose({ minimum: '1.23.0', env, run, cacheFile: cacheFile() });
  const second = await detectCompose({ minimum: '1.23.0', env, run, cacheFile: cacheFile() });
  assert.equal(calls.filter((c) => c.includes('docker-compose --version')).length, 1);
  assert.equal(first.chosen?.cached, undefined);
  assert.equal(second.chosen?.cached, true);
  assert.equal(second.chosen?.version, '1.29.2');

  utimesSync(bin, new Date(), new Date(Date.now() + 5000)); // an upgrade: new mtime
  await detectCompose({ minimum: '1.23.0', env, run, cacheFile: cacheFile() });
  assert.equal(calls.filter((c) => c.includes('docker-compose --version')).length, 2);

  writeFileSync(bin, '#!/bin/sh\necho a bigger v1 binary\n'); // a replaced binary: new size
  await detectCompose({ minimum: '1.23.0', env, run, cacheFile: cacheFile() });
  assert.equal(calls.filter((c) => c.includes('docker-compose --version')).length, 3);
});

test('the v2 version is cached only while the docker CLI and every plugin location are unchanged', async () => {
  onPath('docker');
  const p = plugin('v2 plugin');
  const { run, calls } = fakeRun({ plugin: { stdout: 'Docker Compose version 2.26.1-4\n' } });
  await detectCompose({ minimum: '1.23.0', env, run, cacheFile: cacheFile() });
  const again = await detectCompose({ minimum: '1.23.0', env, run, cacheFile: cacheFile() });
  assert.equal(calls.length, 1);
  assert.equal(again.chosen?.cached, true);
  assert.equal(again.chosen?.printed, '2.26.1-4');
  writeFileSync(p, 'upgraded v2 plugin');
  await detectCompose({ minimum: '1.23.0', env, run, cacheFile: cacheFile() });
  assert.equal(calls.length, 2);
});

test('"no plugin" is remembered while no plugin file exists where the CLI looks; installing one is seen at once', async () => {
  onPath('docker');
  onPath('docker-compose');
  let answers: { plugin?: Partial<ProbeResult>; standalone?: Partial<ProbeResult> } = {
    plugin: { exitCode: 1, stderr: "docker: 'compose' is not a docker command." },
    standalone: { stdout: 'docker-compose version 1.29.2, build 5becea4c' },
  };
  const calls: string[] = [];
  const run: RunProbe = async (file, args) => {
    calls.push([file, ...args].join(' '));
    return { exitCode: 0, stdout: '', stderr: '', ...(file.endsWith('docker-compose') ? answers.standalone : answers.plugin) };
  };
  const first = await detectCompose({ minimum: '1.23.0', env, run, cacheFile: cacheFile() });
  const second = await detectCompose({ minimum: '1.23.0', env, run, cacheFile: cacheFile() });
  assert.equal(calls.filter((c) => c.endsWith('compose version')).length, 1);
  assert.equal(calls.filter((c) => c.endsWith('--version')).length, 1);
  assert.deepEqual([first.chosen?.flavor, second.chosen?.flavor], ['v1', 'v1']);
  assert.equal(!second.plugin.ok && second.plugin.reason, 'the docker CLI has no compose plugin');

  plugin(); // the v2 plugin gets installed
  answers = { ...answers, plugin: { stdout: 'Docker Compose version v2.26.1' } };
  const third = await detectCompose({ minimum: '1.23.0', env, run, cacheFile: cacheFile() });
  assert.deepEqual(third.chosen?.argv, ['docker', 'compose']);
});

test('a "no plugin" answer while a plugin file exists (a broken plugin, a shim) is never cached', async () => {
  onPath('docker');
  plugin('broken');
  const { run, calls } = fakeRun({ plugin: { exitCode: 1, stderr: "docker: 'compose' is not a docker command." } });
  await detectCompose({ minimum: '1.23.0', env, run, cacheFile: cacheFile() });
  await detectCompose({ minimum: '1.23.0', env, run, cacheFile: cacheFile() });
  assert.equal(calls.filter((c) => c.endsWith('compose version')).length, 2);
});

test('an unreadable or corrupt cache file is ignored', async () => {
  onPath('docker-compose');
  writeFileSync(cacheFile(), '{not json');
  const { run } = fakeRun({ standalone: { stdout: 'docker-compose version 1.29.2, build 5becea4c' } });
  const d = await detectCompose({ minimum: '1.23.0', env, run, cacheFile: cacheFile() });
  assert.equal(d.chosen?.version, '1.29.2');
});

test('24.8.0: Compose v2 2.19.0 or newer only (v1 refused), 3800 MB RAM (7800 advised), 2 CPUs', async () => {
  const min = minimumsFor('24.8.0');
  assert.equal(min.compose, '2.19.0');
  assert.equal(min.composeV1, false);
  assert.equal(min.ramMb, 3800);
  assert.equal(min.ramSoftMb, 7800);
  assert.equal(min.cpus, 2);
  onPath('docker');
  onPath('docker-compose');
  for (const [plugin, ok] of [['v2.18.1', false], ['v2.19.0', true]] as const) {
    const { run } = fakeRun({ plugin: { stdout: `Docker Compose version ${plugin}` }, standalone: { stdout: 'docker-compose version 1.29.2, build 5becea4c' } });
    const d = await detectCompose({ minimum: min.compose, allowV1: min.composeV1, env, run, cacheFile: null });
    const v = decideCompose(d, min);
    assert.equal(v.status, ok ? 'pass' : 'fail', plugin);
    if (!ok) assert.match(v.remedy!, /v2 plugin.*2\.19\.0/);
  }
});

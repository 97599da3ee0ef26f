/**
 * The pull path for real: a registry mirror (Docker Distribution, Debian's docker-registry, on a
 * loopback port this test owns) holds the 9.1.2 images under the mirror prefix; an install with
 * images.registry set pulls every one of them from it over the registry protocol, builds on the
 * mirrored Sentry image and comes up healthy. A second run pulls nothing. (The engine already holds
 * the layers, under the official names, so a pull resolves each tag at the mirror and transfers
 * only what it lacks: the other tests need those images, and removing them to force a download
 * would break every later test if this one failed half-way.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { composeEnv, containers, docker, engineReachable, fixture, runCli, teardown } from './harness.js';
import { RELEASES } from '../../src/catalog.js';
import { imagesFor } from '../../src/render/images.js';

const REGISTRY_BIN = '/usr/bin/docker-registry';
const PORT = 18500;
const MIRROR = `127.0.0.1:${PORT}/mirror`;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function skipReason(): string | false {
  if (process.env.CI) return false; // in CI a missing engine or registry fails the test
  if (!engineReachable()) return 'no Docker engine (run .ci/run)';
  if (!existsSync(REGISTRY_BIN)) return 'no docker-registry (Debian package docker-registry; .ci/run installs it)';
  return false;
}

async function startRegistry(root: string): Promise<{ child: ChildProcess; log: () => string }> {
  assert.ok(existsSync(REGISTRY_BIN), `${REGISTRY_BIN} is missing: install the Debian package docker-registry`);
  mkdirSync(join(root, 'storage'), { recursive: true });
  const config = join(root, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log: {level: info, accesslog: {disabled: false}}',
      `storage: {filesystem: {rootdirectory: ${JSON.stringify(join(root, 'storage'))}}, delete: {enabled: true}}`,
      `http: {addr: "127.0.0.1:${PORT}"}`,
    ].join('\n') + '\n',
  );
  // The log goes to a file, not a pipe: the test blocks in `docker push`, and a full pipe would stop
  // the registry in the middle of the push.
  // Something else on the port (a registry left by an interrupted run) would answer in this one's stead.
  const taken = await fetch(`http://127.0.0.1:${PORT}/v2/`).then(() => true, () => false);
  assert.ok(!taken, `127.0.0.1:${PORT} already answers: stop what listens there (scripts/e2e-clean.sh stops registries left by earlier runs)`);
  const logFile = join(root, 'registry.log');
  const fd = openSync(logFile, 'a');
  const child = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const log = () => readFileSync(logFile, 'utf8');
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${PORT}/v2/`);
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the registry did not start:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, log };
}

test('install with images.registry pulls every image from a real registry mirror, then a re-run pulls nothing', { skip: skipReason(), timeout: 10 * 60_000 }, async () => {
  const tag = '9.1.2';
  const project = RELEASES[tag].projectName;
  const volumes = RELEASES[tag].externalVolumes;
  const env = { ...composeEnv('v2'), SENTRY_ONPREM_PULL_BACKOFF_MS: '200' };
  const fx = fixture(tag, { http: 18502, https: 18503 }, `images: {registry: "${MIRROR}"}`);
  const registry = await startRegistry(join(dirname(fx.dir), 'registry'));
  const official = imagesFor(tag, '');
  const mirrored = imagesFor(tag, MIRROR);
  const pairs = Object.keys(official).map((k) => [official[k as keyof typeof official], mirrored[k as keyof typeof mirrored]] as const);
  teardown(fx.dir, 'v2', project, volumes);
  try {
    // The mirror holds the images; this engine has them only under their official names.
    for (const [from, to] of pairs) {
      docker(['tag', from, to]);
      docker(['push', to]);
      docker(['rmi', to]);
    }
    for (const [, to] of pairs) assert.throws(() => docker(['image', 'inspect', to]), `${to} is still on the engine before the install`);

    const logBefore = registry.log().length;
    const r = await runCli(['install', '--dir', fx.dir, '--answers', fx.answersFile, '--yes'], env);
    assert.equal(r.code, 0, `install failed:\n${r.stderr.slice(-3000)}`);
    const output = r.stdout + r.stderr;
    for (const [, to] of pairs) {
      assert.match(output, new RegExp(`pulling ${escape(to)}`), `${to} was not pulled`);
      const digests = JSON.parse(docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', to])) as string[];
      assert.ok(digests.some((d) => d.startsWith(`${to.replace(/:[^:/]+$/, '')}@sha256:`)), `${to} has no digest from the mirror: ${digests}`);
      // During the install the engine asked the registry for the image's manifest (a HEAD is enough when
      // it already holds that digest's content; its access log names the repository and tag).
      const repo = to.slice(`127.0.0.1:${PORT}/`.length).replace(/:[^:/]+$/, '');
      const tagOf = /:([^:/]+)$/.exec(to)?.[1] ?? 'latest';
      const asked = new RegExp(`"(GET|HEAD) /v2/${escape(repo)}/manifests/${escape(tagOf)} HTTP`);
      assert.ok(asked.test(registry.log().slice(logBefore)), `the registry was not asked for ${repo}:${tagOf} during the install`);
    }
    const running = containers(project).filter((c) => !c.oneoff);
    assert.ok(running.length >= 8 && running.every((c) => c.running), `not every service runs: ${running.map((c) => `${c.service}:${c.running}`).join(', ')}`);
    assert.ok(running.filter((c) => c.service !== 'web' && c.service !== 'worker' && c.service !== 'cron').every((c) => c.image.startsWith(MIRROR)), 'a service runs an image that is not from the mirror');

    const again = await runCli(['install', '--dir', fx.dir, '--answers', fx.answersFile, '--yes'], env);
    assert.equal(again.code, 0, again.stderr.slice(-2000));
    assert.match(again.stdout + again.stderr, /all 6 images present/);
    assert.doesNotMatch(again.stdout + again.stderr, /pulling /);
  } finally {
    teardown(fx.dir, 'v2', project, volumes);
    for (const [, to] of pairs) {
      try {
        docker(['rmi', to]);
      } catch {
        /* not there */
      }
    }
    registry.child.kill();
    rmSync(dirname(fx.dir), { recursive: true, force: true });
  }
});

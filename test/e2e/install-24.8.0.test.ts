/**
 * `sentry-onprem install` of Sentry 24.8.0 end to end with Compose v2, on the real engine with the stand-in
 * images: a fresh install exits 0 with every service of the feature-complete profile running and every
 * compose healthcheck healthy, /_health/ answers 200 through the vhost with the rendered certificate, the
 * admin exists, and a re-run changes nothing (same containers, same start times, no file written); a
 * changed mail host restarts only what reads sentry/config.yml.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { assertAllHealthy, assertMigrated, assertNoopRerun, assertVhostAndAdmin, bootstrapReports, containers, docker, engineReachable, fixture, composeEnv, runCli, SHORT_HEALTHCHECKS, teardown } from './harness.js';
import { RELEASES } from '../../src/catalog.js';

before(() => {
  if (!engineReachable() && process.env.CI) throw new Error('no Docker engine: .ci/run must start dockerd before the tests');
});

const skipReason = () => (!engineReachable() && !process.env.CI ? 'no Docker engine (run .ci/run)' : false);



test('install 24.8.0 with compose v2: fresh install, every service running and healthy, health through the vhost, the admin, then a no-op re-run', { skip: skipReason(), timeout: 15 * 60_000 }, async () => {
  const tag = '24.8.0';
  const ports = { http: 18470, https: 18471 };
  const fx = fixture(tag, ports);
  const project = RELEASES[tag].projectName;
  const volumes = RELEASES[tag].externalVolumes;
  const env = { ...composeEnv('v2'), ...SHORT_HEALTHCHECKS };
  teardown(fx.dir, 'v2', project, volumes);
  try {
    const first = await runCli(['install', '--dir', fx.dir, '--answers', fx.answersFile, '--yes'], env);
    assert.equal(first.code, 0, `install failed:\n${first.stderr.slice(-5000)}`);
    assert.match(first.stderr, /using docker compose/);
    // The official installer's work for a fresh install, each in its step's report.
    for (const re of bootstrapReports(tag, 'feature-complete')) assert.match(first.stderr, re);
    // The local ClickHouse image, built from the pinned altinity base (here or by an earlier run of this test).
    assert.match(first.stderr, /Build images: (built |skipped, images are up to date)/);
    assert.match(docker(['image', 'inspect', '-f', '{{index .Config.Labels "io.sentry-onprem.inputs"}}', 'clickhouse-self-hosted-local']).trim(), /^[0-9a-f]{32}$/);
    assert.match(first.stderr, /every service healthy after/);

    // Every service of the feature-complete profile runs, and each with a healthcheck is healthy.
    const { services, checked } = assertAllHealthy(fx.dir, project, 'feature-complete');
    assert.equal(services.length, 56);
    assert.deepEqual(checked.sort(), ['clickhouse', 'kafka', 'memcached', 'postgres', 'redis', 'web']);

    // Health through the vhost with the rendered certificate, the admin, and Sentry's own Kafka topics
    // (sentry upgrade --create-kafka-topics).
    await assertVhostAndAdmin(fx.dir, project, ports.https);
    assertMigrated(tag, project);

    // A second run is a no-op.
    const second = await assertNoopRerun(fx.dir, project, [], env);
    console.log(`# ${tag} v2: install ${(first.ms / 1000).toFixed(1)} s, no-op re-run ${(second.ms / 1000).toFixed(1)} s`);

    // reconfigure with another mail host: sentry/config.yml changes, so the Sentry services restart (and
    // what depends on web is refreshed); no image is rebuilt and the rest keeps its containers.
    const answersPath = join(fx.dir, 'sentry-onprem.yml');
    const answers = yaml.load(readFileSync(answersPath, 'utf8')) as Record<string, any>;
    answers.mail.host = 'smtp.example.net';
    writeFileSync(answersPath, yaml.dump(answers));
    const ids = () => new Map(containers(project).filter((c) => !c.oneoff).map((c) => [c.service, `${c.id} ${c.startedAt}`]));
    const beforeReconf = ids();
    const re = await runCli(['reconfigure', '--dir', fx.dir, '--yes'], env);
    assert.equal(re.code, 0, re.stderr.slice(-3000));
    const afterReconf = ids();
    const touched = [...beforeReconf.keys()].filter((s) => beforeReconf.get(s) !== afterReconf.get(s)).sort();
    const allowed = new Set([...RELEASES[tag].sentryServices, 'nginx', 'relay']);
    assert.ok(touched.includes('web') && touched.includes('worker'), `the Sentry services were not restarted: ${touched.join(' ')}`);
    assert.deepEqual(touched.filter((s) => !allowed.has(s)), [], 'a service that does not read sentry/config.yml was touched');
    assert.match(re.stderr, /- Build images: skipped/);
    assert.match(readFileSync(join(fx.dir, 'sentry/config.yml'), 'utf8'), /^mail\.host: ["']?smtp\.example\.net["']?$/m);
    console.log(`# ${tag} reconfigure (mail host): ${(re.ms / 1000).toFixed(1)} s; ${afterReconf.size - touched.length} of ${afterReconf.size} containers untouched`);
  } finally {
    teardown(fx.dir, 'v2', project, volumes);
  }
});

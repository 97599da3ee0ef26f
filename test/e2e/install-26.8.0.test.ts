/**
 * `sentry-onprem install` of Sentry 26.8.0 (the newest release) end to end with Compose v2, on the real
 * engine with the stand-in images under the official names (ghcr.io, registry.gitlab.com, Docker Hub):
 *  - this 2-CPU machine is refused for feature-complete (4 CPUs) without --skip-check cpu: exit 3, nothing written;
 *  - feature-complete: every service running, every healthcheck healthy, health 200 through the vhost with the
 *    rendered certificate, the admin in auth_user, no secret in any log; a no-op re-run changes nothing in at
 *    most 0.05x the install time; a plugin added by reconfigure rebuilds only the Sentry images;
 *    uninstall --delete-data leaves no container, volume or network of it;
 *  - errors-only: a fresh install on the 2-CPU minimum, about half the containers, every one healthy.
 * The answers pin images by tag (`images.digests: drop`: the stand-ins carry no registry digest, and a test
 * must never pull) and name the S3 nodestore plugin, which the release otherwise installs from GitHub.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { assertAllHealthy as allHealthy, assertMigrated, assertNoopRerun, assertVhostAndAdmin, bootstrapReports, containers, docker, engineReachable, fixture, composeEnv, runCli, teardown, type Fixture, SHORT_HEALTHCHECKS } from './harness.js';
import { RELEASES } from '../../src/catalog.js';

const tag = '26.8.0';
const project = RELEASES[tag].projectName;
const volumes = RELEASES[tag].externalVolumes;
// The release's healthcheck timings are `.env` variables (30 s, file heartbeats 60 s); Compose lets the
// environment override `.env`, as an operator may. Shorter here, so the waits for health take seconds:
// the same checks, run sooner (the stand-in consumers write their heartbeat file every 5 s).
const env = { ...composeEnv('v2'), ...SHORT_HEALTHCHECKS };
const ports = { http: 18480, https: 18481 };
const OFFLINE = 'images: {digests: drop}\nplugins: [sentry-nodestore-s3==1.0.0]';

before(() => {
  if (!engineReachable() && process.env.CI) throw new Error('no Docker engine: .ci/run must start dockerd before the tests');
});
const skip = !engineReachable() && !process.env.CI ? 'no Docker engine (run .ci/run)' : false;

/** Every service of the profile running and healthy (harness), and nearly every one has a healthcheck in 26.8.0. */
function assertAllHealthy(fx: Fixture, profile: 'feature-complete' | 'errors-only'): { services: string[]; running: number } {
  const { services, checked, running } = allHealthy(fx.dir, project, profile);
  assert.ok(checked.length >= services.length - 8, `only ${checked.length} of ${services.length} services have a healthcheck`);
  return { services, running };
}

/** No secret of the install (secrets.json, relay credentials, the answers' passwords) is in any log. */
function assertNoSecretInLogs(fx: Fixture): void {
  const values: string[] = [];
  const walk = (x: unknown): void => {
    if (typeof x === 'string' && x.length >= 8) values.push(x);
    else if (x && typeof x === 'object') Object.values(x).forEach(walk);
  };
  walk(JSON.parse(readFileSync(join(fx.dir, '.sentry-onprem/secrets.json'), 'utf8')));
  values.push((JSON.parse(readFileSync(join(fx.dir, 'relay/credentials.json'), 'utf8')) as { secret_key: string }).secret_key);
  values.push(fx.passwords.admin, fx.passwords.mail);
  assert.ok(values.length >= 5);
  for (const f of readdirSync(join(fx.dir, 'logs'))) {
    const text = readFileSync(join(fx.dir, 'logs', f), 'utf8');
    for (const v of values) assert.ok(!text.includes(v), `a secret (${v.slice(0, 3)}...) is in logs/${f}`);
  }
}

const imageId = (name: string) => docker(['image', 'inspect', '-f', '{{.Id}}', name]).trim();

test('26.8.0 feature-complete asks for 4 CPUs: this 2-CPU machine is refused with exit 3 and nothing written', { skip, timeout: 120_000 }, async (t) => {
  const fx = fixture(tag, ports, OFFLINE);
  const cpus = Number(docker(['info', '--format', '{{.NCPU}}']).trim());
  if (cpus >= 4) return t.skip(`the engine has ${cpus} CPUs: nothing to refuse`);
  const before = readdirSync(fx.dir).sort();
  const r = await runCli(['install', '--dir', fx.dir, '--answers', fx.answersFile, '--yes'], env);
  assert.equal(r.code, 3, r.stderr.slice(-2000));
  assert.match(r.stderr, /CPU/);
  assert.match(r.stderr, /4/);
  assert.match(r.stderr, /--skip-check cpu|errors-only/);
  assert.deepEqual(readdirSync(fx.dir).sort(), before, 'the refused install wrote files');
  assert.equal(containers(project).length, 0);
});

test('install 26.8.0 feature-complete with compose v2: every service healthy, vhost, admin, no secret in logs; no-op re-run; a plugin rebuilds only the Sentry images; uninstall leaves nothing', { skip, timeout: 20 * 60_000 }, async () => {
  const fx = fixture(tag, ports, OFFLINE);
  teardown(fx.dir, 'v2', project, volumes);
  try {
    const first = await runCli(['install', '--dir', fx.dir, '--answers', fx.answersFile, '--yes', '--skip-check', 'cpu'], env);
    assert.equal(first.code, 0, `install failed:\n${first.stderr.slice(-5000)}`);
    assert.match(first.stderr, /using docker compose/);
    // The official installer's work for a fresh 26.8.0, each in its step's report.
    for (const re of bootstrapReports(tag, 'feature-complete')) assert.match(first.stderr, re);
    assert.match(first.stderr, /every service healthy after/);
    assert.doesNotMatch(first.stderr, /Pulling|pull access/, 'the install pulled an image');

    const { services, running } = assertAllHealthy(fx, 'feature-complete');
    assert.equal(services.length, 57);
    await assertVhostAndAdmin(fx.dir, project, ports.https);
    assertNoSecretInLogs(fx);
    assertMigrated(tag, project);

    // A second run is a no-op: same containers, same start times, no file written, the steps skipped.
    const second = await assertNoopRerun(fx.dir, project, ['--skip-check', 'cpu'], env);
    assert.ok(second.ms <= 0.05 * first.ms, `no-op re-run ${second.ms} ms > 0.05 x ${first.ms} ms`);
    console.log(`# ${tag} feature-complete: install ${(first.ms / 1000).toFixed(1)} s, ${running} containers; no-op re-run ${(second.ms / 1000).toFixed(1)} s (${(second.ms / first.ms).toFixed(3)}x)`);

    // reconfigure adding a plugin: the Sentry image (and the cleanup image built from it) are rebuilt,
    // the other local image (ClickHouse) is not.
    const others = RELEASES[tag].builtImages.map((b) => b.image).filter((i) => !/^sentry-/.test(i));
    assert.ok(others.length >= 1, `other built images: ${others.join(' ')}`);
    const otherIds = new Map(others.map((i) => [i, imageId(i)]));
    const sentryId = imageId('sentry-self-hosted-local');
    const answersPath = join(fx.dir, 'sentry-onprem.yml');
    const answers = yaml.load(readFileSync(answersPath, 'utf8')) as Record<string, any>;
    answers.plugins = [...answers.plugins, 'sentry-onprem-testplugin==1.0'];
    writeFileSync(answersPath, yaml.dump(answers));
    const re = await runCli(['reconfigure', '--dir', fx.dir, '--yes', '--skip-check', 'cpu'], env);
    assert.equal(re.code, 0, re.stderr.slice(-3000));
    assert.match(re.stdout, /rebuilt: sentry-self-hosted-local, sentry-cleanup-self-hosted-local\n/);
    assert.notEqual(imageId('sentry-self-hosted-local'), sentryId);
    for (const [i, id] of otherIds) assert.equal(imageId(i), id, `${i} was rebuilt`);
    const web = containers(project).find((c) => c.service === 'web' && c.running && !c.oneoff)!;
    assert.match(docker(['exec', web.id, 'python3', '-c', 'import sentry_onprem_testplugin as p; print(p.__version__)']), /^1\.0/m);
    assertAllHealthy(fx, 'feature-complete');
    console.log(`# ${tag} reconfigure with a plugin: ${(re.ms / 1000).toFixed(1)} s`);

    // uninstall --delete-data: nothing of this install is left on the engine.
    const un = await runCli(['uninstall', '--dir', fx.dir, '--delete-data', '--yes'], env);
    assert.equal(un.code, 0, un.stderr.slice(-3000));
    assert.equal(containers(project).length, 0);
    const left = docker(['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`]).trim();
    assert.equal(left, '', `project volumes left: ${left}`);
    for (const v of volumes) assert.equal(docker(['volume', 'ls', '-q', '--filter', `name=^${v}$`]).trim(), '', `volume ${v} left`);
    const nets = docker(['network', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`]).trim();
    assert.equal(nets, '', `networks left: ${nets}; attached: ${nets ? docker(['network', 'inspect', '-f', '{{json .Containers}}', ...nets.split('\n')]) : ''}; all containers: ${docker(['ps', '-a', '--format', '{{.Names}} {{.Labels}}'])}\nuninstall said: ${un.stderr.slice(-2000)}`);
  } finally {
    teardown(fx.dir, 'v2', project, volumes);
  }
});

test('install 26.8.0 errors-only with compose v2 on 2 CPUs: about half the containers, every one healthy, vhost and admin', { skip, timeout: 15 * 60_000 }, async () => {
  const fx = fixture(tag, ports, `${OFFLINE}\nprofile: errors-only`);
  teardown(fx.dir, 'v2', project, volumes);
  try {
    const r = await runCli(['install', '--dir', fx.dir, '--answers', fx.answersFile, '--yes'], env);
    assert.equal(r.code, 0, `install failed:\n${r.stderr.slice(-5000)}`);
    const { services, running } = assertAllHealthy(fx, 'errors-only');
    assert.equal(services.length, 28);
    assert.ok(running <= 57 / 2, `${running} containers under errors-only`);
    await assertVhostAndAdmin(fx.dir, project, ports.https);
    assert.match(readFileSync(join(fx.dir, '.env'), 'utf8'), /^COMPOSE_PROFILES=errors-only$/m);
    console.log(`# ${tag} errors-only: install ${(r.ms / 1000).toFixed(1)} s, ${running} containers`);
  } finally {
    teardown(fx.dir, 'v2', project, volumes);
  }
});

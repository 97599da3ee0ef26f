/**
 * `sentry-onprem reconfigure` end to end on 9.1.2: a plugin rebuilds the Sentry image and recreates only
 * the Sentry services; an SMTP change only restarts them; no change touches nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { containers, docker, runCli, type ContainerFacts, installedSuite } from './harness.js';
import { RELEASES } from '../../src/catalog.js';

const suite = installedSuite('9.1.2', { http: 18610, https: 18611 });
const { skip, tag, project, env } = suite;
const sentryServices = RELEASES[tag].sentryServices.slice().sort();

const byService = () => new Map(containers(project).filter((c) => !c.oneoff).map((c) => [c.service, c] as [string, ContainerFacts]));
function editAnswers(change: (a: Record<string, any>) => void): void {
  const file = join(suite.fx.dir, 'sentry-onprem.yml');
  const a = yaml.load(readFileSync(file, 'utf8')) as Record<string, any>;
  change(a);
  writeFileSync(file, yaml.dump(a));
}
function compare(before: Map<string, ContainerFacts>, after: Map<string, ContainerFacts>) {
  const recreated: string[] = [];
  const restarted: string[] = [];
  const untouched: string[] = [];
  for (const [s, b] of before) {
    const a = after.get(s)!;
    assert.ok(a?.running, `${s} is not running after reconfigure`);
    if (a.id !== b.id) recreated.push(s);
    else if (a.startedAt !== b.startedAt) restarted.push(s);
    else untouched.push(s);
  }
  return { recreated: recreated.sort(), restarted: restarted.sort(), untouched: untouched.sort() };
}

test('reconfigure after adding a plugin: the Sentry image is rebuilt with it, only the Sentry services are recreated', { skip, timeout: 10 * 60_000 }, async () => {
  const imageBefore = docker(['image', 'inspect', '-f', '{{.Id}}', 'sentry-onpremise-local']).trim();
  editAnswers((a) => (a.plugins = ['sentry-onprem-testplugin==1.0']));
  const dry = await runCli(['reconfigure', '--dir', suite.fx.dir, '--dry-run'], env);
  assert.equal(dry.code, 0, dry.stderr.slice(-3000));
  assert.match(dry.stderr, /would build sentry-onpremise-local \(inputs changed\)/);
  const before = byService();
  const r = await runCli(['reconfigure', '--dir', suite.fx.dir, '--yes'], env);
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  const c = compare(before, byService());
  assert.deepEqual(c.recreated, sentryServices);
  assert.deepEqual(c.restarted, []);
  assert.deepEqual(c.untouched, ['memcached', 'nginx', 'postgres', 'redis', 'smtp']);
  // nginx resolved web's address when it loaded its config: reloaded (not restarted) to reach the new web.
  assert.match(r.stderr, /\+ Start Sentry: healthy over https after [\d.]+ s; reloaded nginx/);
  assert.notEqual(docker(['image', 'inspect', '-f', '{{.Id}}', 'sentry-onpremise-local']).trim(), imageBefore);
  assert.match(r.stderr, /\+ Run database migrations: migrations applied/);
  assert.match(r.stdout, /rebuilt: sentry-onpremise-local/);
  assert.match(r.stdout, new RegExp(`recreated: ${sentryServices.join(', ')}\nuntouched: memcached, nginx, postgres, redis, smtp`));
  for (const s of sentryServices) {
    assert.match(docker(['exec', byService().get(s)!.id, 'python3', '-c', 'import sentry_onprem_testplugin as p; print(p.__version__)']), /^1\.0/m, s);
  }
  console.log(`# reconfigure with a plugin: ${(r.ms / 1000).toFixed(1)} s`);
});

test('reconfigure after changing only the SMTP host: no rebuild, only the Sentry services restart', { skip, timeout: 10 * 60_000 }, async () => {
  editAnswers((a) => (a.mail.host = 'mail.e2e.test'));
  const before = byService();
  const r = await runCli(['reconfigure', '--dir', suite.fx.dir, '--yes'], env);
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  assert.match(r.stderr, /- Build images: skipped/);
  assert.match(r.stderr, /- Run database migrations: skipped/);
  const c = compare(before, byService());
  assert.deepEqual(c.recreated, []);
  assert.deepEqual(c.restarted, sentryServices);
  assert.deepEqual(c.untouched, ['memcached', 'nginx', 'postgres', 'redis', 'smtp']);
  assert.match(readFileSync(join(suite.fx.dir, 'sentry/config.yml'), 'utf8'), /mail\.host: ['"]?mail\.e2e\.test/);
  assert.match(r.stdout, new RegExp(`restarted: ${sentryServices.join(', ')}`));
  assert.match(r.stderr, /\+ Start Sentry: healthy over https after [\d.]+ s; restarted (cron|web|worker), (cron|web|worker), (cron|web|worker); reloaded nginx/);
  console.log(`# reconfigure with a new SMTP host: ${(r.ms / 1000).toFixed(1)} s`);
});

test('reconfigure with nothing changed restarts nothing and says so', { skip, timeout: 10 * 60_000 }, async () => {
  const before = byService();
  const r = await runCli(['reconfigure', '--dir', suite.fx.dir, '--yes'], env);
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  const c = compare(before, byService());
  assert.deepEqual([...c.recreated, ...c.restarted], []);
  assert.match(r.stdout, /^Nothing changed: no image was rebuilt, no container was recreated or restarted\.$/m);
  for (const step of ['Render configuration files', 'Build images', 'Run database migrations', 'Start Sentry']) assert.match(r.stderr, new RegExp(`- ${step}: skipped`));
  console.log(`# reconfigure with nothing changed: ${(r.ms / 1000).toFixed(1)} s`);
});

test('reconfigure outside an install directory is a usage error', { skip, timeout: 60_000 }, async () => {
  const r = await runCli(['reconfigure', '--dir', join(suite.fx.dir, 'nope'), '--yes'], env);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /is not a sentry-onprem install/);
});

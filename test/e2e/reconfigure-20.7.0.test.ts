/**
 * `reconfigure` on 20.7.0 after adding a plugin: both the Sentry image and the sentry-cleanup image (built
 * FROM it) are rebuilt; the six Sentry services are recreated; Snuba, Kafka, ClickHouse, Relay, nginx and
 * the databases keep their containers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { containers, docker, runCli, installedSuite } from './harness.js';
import { RELEASES } from '../../src/catalog.js';

const suite = installedSuite('20.7.0', { http: 18630, https: 18631 });
const { skip, tag, project, env } = suite;

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

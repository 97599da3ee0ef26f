import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servicesToRecreate, dependentsToRefresh, configHashes, outdatedServices, dependencyClosure } from '../../src/install/recreate-plan.js';
import { syncDependenciesWith } from '../../src/install/sync-deps.js';
import type { ServiceContainer } from '../../src/install/docker.js';
import type { ComposeRunner } from '../../compose/runner.js';

const c = (service: string, configHash: string, image: string, state = 'running'): ServiceContainer => ({ id: `id-${service}`, service, state, oneoff: false, image, configHash });
const images: Record<string, string> = { 'sentry-onpremise-local': 'sha-new', 'postgres:9.6': 'sha-pg', 'nginx:1.16': 'sha-nginx' };
const imageId = async (i: string) => images[i];

test('only services with a changed config hash or image, or without a running container, are recreated', async () => {
  const services = [
    { name: 'web', image: 'sentry-onpremise-local' },
    { name: 'worker', image: 'sentry-onpremise-local' },
    { name: 'postgres', image: 'postgres:9.6' },
    { name: 'nginx', image: 'nginx:1.16' },
    { name: 'smtp', image: 'tianon/exim4' },
  ];
  const hashes = new Map([['web', 'h1'], ['worker', 'h2'], ['postgres', 'h3'], ['nginx', 'h4-new'], ['smtp', 'h5']]);
  const containers = [c('web', 'h1', 'sha-old'), c('worker', 'h2', 'sha-new'), c('postgres', 'h3', 'sha-pg'), c('nginx', 'h4', 'sha-nginx'), c('smtp', 'h5', 'x', 'exited')];
  assert.deepEqual(await servicesToRecreate(services, containers, hashes, imageId), ['web', 'nginx', 'smtp']);
  assert.deepEqual(await servicesToRecreate(services.slice(1, 3), [c('worker', 'h2', 'sha-new'), c('postgres', 'h3', 'sha-pg')], hashes, imageId), []);
});

test('kept services that depend on a recreated or restarted one are refreshed; others are left alone', () => {
  const deps = new Map([['web', ['postgres', 'redis']], ['nginx', ['web']], ['postgres', []], ['redis', []]]);
  assert.deepEqual(dependentsToRefresh(deps, new Set(['web']), new Set(['nginx', 'postgres', 'redis'])), ['nginx']);
  assert.deepEqual(dependentsToRefresh(deps, new Set(['web', 'nginx']), new Set(['postgres', 'redis'])), []);
  assert.deepEqual(dependentsToRefresh(deps, new Set(['web']), new Set(['web', 'nginx', 'postgres'])), ['nginx'], 'a restarted web keeps its container');
  assert.deepEqual(dependentsToRefresh(deps, new Set(), new Set(['web', 'nginx'])), []);
});

test('config hashes: Compose v2.23.0 prints nothing for --hash * (docker/compose#11145), so the services are asked by name', async () => {
  const h = (n: string) => n.repeat(64).slice(0, 64);
  const calls: string[][] = [];
  const fake = (answer: (args: string[]) => string) =>
    ({ run: async (args: string[]) => (calls.push(args), { exitCode: 0, output: '', stdout: answer(args) }) }) as unknown as ComposeRunner;
  const broken = fake((args) => (args[2] === '*' ? '' : `web ${h('a')}\nnginx ${h('b')}\n`));
  assert.deepEqual([...(await configHashes(broken, ['web', 'nginx']))], [['web', h('a')], ['nginx', h('b')]]);
  assert.deepEqual(calls, [['config', '--hash', '*'], ['config', '--hash', 'web,nginx']]);
  calls.length = 0;
  const working = fake(() => `web ${h('a')}\n`);
  assert.deepEqual([...(await configHashes(working, ['web']))], [['web', h('a')]]);
  assert.equal(calls.length, 1, 'a working --hash * is asked once');
});

test('outdated services: a container of another config hash or image, running or not; no container is not outdated', async () => {
  const services = [{ name: 'clickhouse', image: 'postgres:9.6' }, { name: 'web', image: 'sentry-onpremise-local' }, { name: 'nginx', image: 'nginx:1.16' }, { name: 'redis' }];
  const hashes = new Map([['clickhouse', 'new'], ['web', 'h1'], ['nginx', 'h4'], ['redis', 'r']]);
  const containers = [c('clickhouse', 'old', 'sha-pg', 'created'), c('web', 'h1', 'sha-old', 'exited'), c('redis', 'r', 'whatever')];
  assert.deepEqual(await outdatedServices(services, containers, hashes, imageId), ['clickhouse', 'web']);
});

test('dependency closure: what `compose run` starts, transitively, without the service itself', () => {
  const deps = new Map([['web', ['postgres', 'snuba-api']], ['snuba-api', ['clickhouse', 'kafka']], ['kafka', ['zookeeper']], ['postgres', []], ['nginx', ['web']]]);
  assert.deepEqual(dependencyClosure(deps, 'web').sort(), ['clickhouse', 'kafka', 'postgres', 'snuba-api', 'zookeeper']);
  assert.deepEqual(dependencyClosure(deps, 'postgres'), []);
  assert.deepEqual(dependencyClosure(new Map([['a', ['b']], ['b', ['a']]]), 'a'), ['b'], 'a cycle ends');
});

test('before a run: only the dependencies that exist and changed are recreated, with up -d --no-deps', async () => {
  const ran: string[][] = [];
  const asked: string[][] = [];
  const io = (containers: ServiceContainer[]) => ({
    services: () => [{ name: 'snuba-api' }, { name: 'clickhouse' }, { name: 'kafka' }, { name: 'redis' }, { name: 'web' }],
    deps: () => new Map([['snuba-api', ['clickhouse', 'kafka', 'redis']], ['web', ['snuba-api']]]),
    containers: async () => containers,
    hashes: async (names: string[]) => (asked.push(names), new Map([['clickhouse', 'with-override'], ['kafka', 'k'], ['redis', 'r']])),
    imageId: async () => undefined,
    run: async (args: string[]) => ran.push(args),
  });
  // The failed run left clickhouse created (never started) with the old limits; kafka and redis run as they should.
  const left = [c('clickhouse', 'without-override', 'x', 'created'), c('kafka', 'k', 'x'), c('redis', 'r', 'x'), { ...c('snuba-api', 'old', 'x', 'exited'), oneoff: true }];
  assert.deepEqual(await syncDependenciesWith(io(left), 'snuba-api'), ['clickhouse']);
  assert.deepEqual(ran, [['up', '-d', '--no-deps', 'clickhouse']]);
  assert.deepEqual(asked, [['clickhouse', 'kafka', 'redis']]);
  // Nothing changed: nothing run. A first run (no containers): not even the hashes are asked.
  ran.length = 0;
  asked.length = 0;
  assert.deepEqual(await syncDependenciesWith(io([c('clickhouse', 'with-override', 'x'), c('kafka', 'k', 'x')]), 'snuba-api'), []);
  assert.deepEqual(await syncDependenciesWith(io([]), 'web'), []);
  assert.deepEqual(ran, []);
  assert.equal(asked.length, 1);
});

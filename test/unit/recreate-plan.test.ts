import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servicesToRecreate, dependentsToRefresh } from '../../src/install/recreate-plan.js';
import type { ServiceContainer } from '../../src/install/docker.js';

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

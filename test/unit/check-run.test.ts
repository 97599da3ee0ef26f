import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCheckList, hasFailure } from '../../checks/run-checks.js';
import { ALL_CHECKS } from '../../checks/all-checks.js';
import { CHECK_IDS } from '../../checks/check-ids.js';
import { createCheckContext } from '../../checks/context.js';
import type { Check, CheckContext, HostProbes, Verdict } from '../../checks/types.js';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RELEASES } from '../../src/releases/index.js';

const verdict = (status: Verdict['status']): Verdict => ({ status, found: 'f', required: 'r', remedy: status === 'pass' ? null : 'do x' });
const ctx = {} as CheckContext;

test('the published id list is exactly the checks, in report order', () => {
  assert.deepEqual(ALL_CHECKS.map((c) => c.id), [...CHECK_IDS]);
});

test('checks run concurrently: total time is the slowest, not the sum', async () => {
  const slow = (id: string): Check => ({ id, title: id, run: () => new Promise((r) => setTimeout(() => r(verdict('pass')), 150)) });
  const t = performance.now();
  const results = await runCheckList([slow('a'), slow('b'), slow('c'), slow('d')], ctx);
  assert.ok(performance.now() - t < 400, `took ${performance.now() - t} ms`);
  assert.deepEqual(results.map((r) => r.id), ['a', 'b', 'c', 'd']);
});

test('--skip-check turns that failure into a warning and says so; other failures stay', async () => {
  const checks: Check[] = [
    { id: 'memory', title: 'm', run: async () => verdict('fail') },
    { id: 'ports', title: 'p', run: async () => verdict('fail') },
    { id: 'cpu', title: 'c', run: async () => verdict('pass') },
  ];
  const r = await runCheckList(checks, ctx, ['memory', 'cpu']);
  assert.equal(r[0].status, 'warn');
  assert.equal(r[0].skipped, true);
  assert.match(r[0].remedy!, /^Failure ignored because of --skip-check memory\. do x$/);
  assert.equal(r[1].status, 'fail');
  assert.equal(r[2].skipped, undefined); // a passing check is not "skipped"
  assert.ok(hasFailure(r));
  assert.ok(!hasFailure(await runCheckList(checks, ctx, ['memory', 'ports'])));
});

test('a check that throws becomes a failure of that check, never an exception', async () => {
  const boom: Check = { id: 'disk', title: 'd', run: async () => { throw new Error('statfs exploded'); } };
  const [r] = await runCheckList([boom], ctx);
  assert.equal(r.status, 'fail');
  assert.match(r.found, /statfs exploded/);
});

test('all checks together ask the engine once for /info (the server version comes with it), once for its running containers, and once each for what host-ownership reads (each built image by name)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'engine-once-'));
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const body: Record<string, unknown> = {
      '/info': { MemTotal: 8e9, NCPU: 4, DockerRootDir: '/var/lib/docker', Architecture: 'x86_64', ServerVersion: '20.10.24' },
      '/containers/json': [],
      '/containers/json?all=1': [],
      '/volumes': { Volumes: [] },
    };
    const url = req.url ?? '';
    if (url.startsWith('/images/')) {
      res.statusCode = 404;
      res.end(JSON.stringify({ message: 'No such image' }));
      return;
    }
    res.end(JSON.stringify(body[url] ?? body[url.split('?filters=')[0]]));
  });
  await new Promise<void>((r) => server.listen(join(dir, 'd.sock'), () => r()));
  const host: HostProbes = {
    freeSpace: async (path) => ({ ok: true, path, bytes: 100e9, device: 1 }),
    cpuinfo: async () => 'model name\t: X\nflags\t\t: sse4_2\n',
    port: async (port) => ({ port, free: true, holders: [], notes: [] }),
    engineLimits: async () => ({ ok: true, limits: { pid: 1, limits: new Map([['nofile', { soft: 1048576, hard: 1048576 }]]), capSysResource: true, userns: false, nrOpen: 1048576 } }),
  };
  try {
    const c = createCheckContext({ tag: '20.7.0', installDir: '/tmp', ports: { http: 80 }, host, env: { DOCKER_HOST: `unix://${join(dir, 'd.sock')}`, PATH: '' } });
    const results = await runCheckList(ALL_CHECKS, c);
    const reads = hits.map((h) => h.split('?filters=')[0]);
    assert.deepEqual(reads.filter((h) => !h.startsWith('/images/')).sort(), ['/containers/json', '/containers/json?all=1', '/info', '/volumes']);
    // The images this install builds, each read by name, never the engine-wide /images/json.
    const built = RELEASES['20.7.0'].builtImages.map((b) => `/images/${b.image}/json`).sort();
    assert.equal(built.length, 4);
    assert.deepEqual(reads.filter((h) => h.startsWith('/images/')).sort(), built);
    assert.equal(results.find((r) => r.id === 'host-ownership')!.status, 'pass');
    assert.match(results.find((r) => r.id === 'docker-version')!.found, /20\.10\.24/);
    assert.deepEqual(results.filter((r) => r.status !== 'pass').map((r) => r.id), ['compose']); // no docker, no docker-compose on an empty PATH
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Who owns the volumes, compose projects and images an install would use, decided against a fake engine;
 * the refusal's words; the PostgreSQL guard. The real engine is the e2e ownership test's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ownershipEngine, type ContainerFacts, type ImageFacts, type OwnershipEngine, type VolumeFacts } from '../../src/ownership/engine.js';
import { describeDir, findConflicts, type DirKind, type OwnershipRequest } from '../../src/ownership/resolve.js';
import { ownershipRefusal } from '../../src/ownership/refusal.js';
import { ownershipRequest, ownVolumes, savedStorage } from '../../src/ownership/request.js';
import { postgresUsers, refuseSecondPostgres } from '../../src/ownership/postgres-guard.js';
import { refuseForeignOwnership } from '../../src/ownership/guard.js';
import { decideOwnership } from '../../checks/host-ownership.js';
import { layoutFor } from '../../src/layout.js';
import { EXIT, UserError } from '../../src/errors.js';

const A = '/srv/a';
const B = '/srv/b';

function fake(o: { volumes?: VolumeFacts[]; containers?: ContainerFacts[]; images?: Record<string, ImageFacts> }): OwnershipEngine {
  return {
    volumes: async (names) => (o.volumes ?? []).filter((v) => names.includes(v.name)),
    containers: async () => o.containers ?? [],
    images: async (names) => new Map(names.filter((n) => o.images?.[n]).map((n) => [n, o.images![n]])),
    image: async (name) => o.images?.[name],
  };
}

function ctr(name: string, o: { dir?: string; project?: string; running?: boolean; volumes?: string[]; binds?: string[]; image?: string; service?: string }): ContainerFacts {
  const labels: Record<string, string> = {};
  if (o.project) labels['com.docker.compose.project'] = o.project;
  if (o.dir) labels['com.docker.compose.project.working_dir'] = o.dir;
  if (o.service) labels['com.docker.compose.service'] = o.service;
  return {
    id: `${name}-id`,
    name,
    running: o.running ?? true,
    labels,
    imageId: o.image ?? 'sha256:other',
    mounts: [...(o.volumes ?? []).map((v) => ({ type: 'volume', name: v, source: `/var/lib/docker/volumes/${v}/_data` })), ...(o.binds ?? []).map((s) => ({ type: 'bind', source: s }))],
  };
}

const req912 = (dir: string, extra: Partial<OwnershipRequest> = {}): OwnershipRequest => ({
  ...ownershipRequest({ dir, tags: ['9.1.2'], storage: { mode: 'volumes', dataDir: join(dir, 'data') }, state: {} }),
  ...extra,
});
const kinds = (map: Record<string, DirKind>) => (dir: string) => map[dir] ?? 'missing';

test('nothing on the engine: no conflict', async () => {
  assert.deepEqual(await findConflicts(fake({}), req912(B), kinds({})), []);
});

test('a volume labelled with another install directory belongs to it, even with no container', async () => {
  const engine = fake({ volumes: [{ name: 'sentry-postgres', labels: { 'io.sentry-onprem.dir': A } }, { name: 'sentry-data', labels: { 'io.sentry-onprem.dir': B } }] });
  const c = await findConflicts(engine, req912(B), kinds({ [A]: 'install' }));
  assert.equal(c.length, 1);
  assert.deepEqual([c[0].object, c[0].name, c[0].owner], ['volume', 'sentry-postgres', { kind: 'dir', dir: A, dirKind: 'install' }]);
  assert.equal(c[0].evidence, 'label io.sentry-onprem.dir');
});

test('an unlabelled volume mounted by another project: the container working_dir names the owner; a checkout of the official installer is named so', async () => {
  const engine = fake({
    volumes: [{ name: 'sentry-postgres', labels: {} }],
    containers: [ctr('onpremise_postgres_1', { dir: A, project: 'onpremise', volumes: ['sentry-postgres'] })],
  });
  const c = await findConflicts(engine, req912(B), kinds({ [A]: 'official' }));
  const vol = c.find((x) => x.object === 'volume')!;
  assert.deepEqual(vol.owner, { kind: 'dir', dir: A, dirKind: 'official' });
  assert.deepEqual(vol.running, ['onpremise_postgres_1']);
  assert.ok(c.some((x) => x.object === 'project' && x.name === 'onpremise'), 'the project name is taken too');
  const e = ownershipRefusal(c, B);
  assert.match(e.message, /a checkout of the official installer in \/srv\/a/);
  assert.match(e.hint!, /cd \/srv\/a && docker-compose down/);
});

test('an unlabelled volume nothing uses: unknown owner, refused unless this install recorded it or adopts it', async () => {
  const engine = fake({ volumes: [{ name: 'sentry-postgres', labels: {} }] });
  const c = await findConflicts(engine, req912(B), kinds({}));
  assert.deepEqual(c.map((x) => [x.name, x.owner.kind]), [['sentry-postgres', 'unknown']]);
  const e = ownershipRefusal(c, B);
  assert.match(e.hint!, /--adopt-volumes/);
  assert.match(e.hint!, /docker volume rm sentry-postgres/);
  assert.deepEqual(await findConflicts(engine, req912(B, { ownVolumes: ['sentry-postgres'] }), kinds({})), []);
  assert.deepEqual(await findConflicts(engine, req912(B, { adoptVolumes: true }), kinds({})), []);
});

test('this install\'s own containers prove ownership of unlabelled volumes, project and image (installs made before the labels)', async () => {
  const engine = fake({
    volumes: [{ name: 'sentry-postgres', labels: {} }, { name: 'sentry-data', labels: {} }],
    containers: [ctr('onpremise_postgres_1', { dir: B, project: 'onpremise', volumes: ['sentry-postgres'] }), ctr('onpremise_web_1', { dir: B, project: 'onpremise', volumes: ['sentry-data'], image: 'sha256:local' })],
    images: { 'sentry-onpremise-local': { id: 'sha256:local', labels: {} } },
  });
  assert.deepEqual(await findConflicts(engine, req912(B), kinds({})), []);
});

test('a volume labelled ours but mounted by a running container of another project is refused', async () => {
  const engine = fake({
    volumes: [{ name: 'sentry-postgres', labels: { 'io.sentry-onprem.dir': B } }],
    containers: [ctr('pg-copy', { running: true, volumes: ['sentry-postgres'] })],
  });
  const c = await findConflicts(engine, req912(B), kinds({}));
  assert.deepEqual(c.map((x) => [x.object, x.owner]), [['volume', { kind: 'container', name: 'pg-copy' }]]);
  assert.match(ownershipRefusal(c, B).hint!, /docker rm -f pg-copy/);
});

test('the compose project name used by another directory is refused; images by label or by the containers that run them', async () => {
  const engine = fake({
    containers: [ctr('sentry_onpremise_web_1', { dir: A, project: 'sentry_onpremise', running: false, image: 'sha256:cron' })],
    images: {
      'sentry-onpremise-local': { id: 'sha256:s', labels: { 'io.sentry-onprem.dir': A } },
      'sentry-cleanup-onpremise-local': { id: 'sha256:cron', labels: {} },
      'snuba-cleanup-onpremise-local': { id: 'sha256:free', labels: {} },
    },
  });
  const req = ownershipRequest({ dir: B, tags: ['20.7.0'], storage: { mode: 'volumes', dataDir: '/x' }, state: {} });
  const c = await findConflicts(engine, req, kinds({ [A]: 'install' }));
  assert.deepEqual(
    c.map((x) => `${x.object} ${x.name}`).sort(),
    ['image sentry-cleanup-onpremise-local', 'image sentry-onpremise-local', 'project sentry_onpremise'],
  );
  assert.equal(c.find((x) => x.object === 'project')!.running.length, 0, 'a stopped container still owns the name');
});

test('an image labelled with an install that has no container and no volume left is not refused (it is built again)', async () => {
  const images = { 'sentry-onpremise-local': { id: 'sha256:s', labels: { 'io.sentry-onprem.dir': A } } };
  assert.deepEqual(await findConflicts(fake({ images }), req912(B), kinds({ [A]: 'install' })), []);
  const withVolume = fake({ images, volumes: [{ name: 'sentry-postgres', labels: { 'io.sentry-onprem.dir': A } }] });
  assert.deepEqual((await findConflicts(withVolume, req912(B), kinds({ [A]: 'install' }))).map((c) => `${c.object} ${c.name}`), ['volume sentry-postgres', 'image sentry-onpremise-local']);
  const withStopped = fake({ images, containers: [ctr('onpremise_web_1', { dir: A, project: 'onpremise', running: false })] });
  assert.deepEqual((await findConflicts(withStopped, req912(B), kinds({ [A]: 'install' }))).map((c) => `${c.object} ${c.name}`), ['project onpremise', 'image sentry-onpremise-local']);
});

test('bind storage: a data directory mounted by another project\'s running container is refused', async () => {
  const dataDir = join(B, 'data');
  const engine = fake({ containers: [ctr('x_postgres_1', { dir: A, project: 'x', binds: [join(dataDir, 'sentry-postgres')] })] });
  const req = ownershipRequest({ dir: B, tags: ['9.1.2'], storage: { mode: 'bind', dataDir }, state: {} });
  assert.deepEqual(req.volumes, []);
  const c = await findConflicts(engine, req, kinds({ [A]: 'other' }));
  assert.deepEqual(c.map((x) => [x.object, x.name]), [['data directory', join(dataDir, 'sentry-postgres')]]);
});

test('the refusal: exit 3, the owner, every object, the uninstall command, nothing changed', async () => {
  const engine = fake({
    volumes: [{ name: 'sentry-postgres', labels: { 'io.sentry-onprem.dir': A } }, { name: 'sentry-data', labels: { 'io.sentry-onprem.dir': A } }],
    containers: [ctr('onpremise_postgres_1', { dir: A, project: 'onpremise', volumes: ['sentry-postgres'] })],
  });
  const c = await findConflicts(engine, req912(B), kinds({ [A]: 'install' }));
  const e = ownershipRefusal(c, B);
  assert.ok(e instanceof UserError);
  assert.equal(e.exitCode, EXIT.prerequisite);
  assert.match(e.message, /^\/srv\/b would use Docker objects that belong to another install:/);
  assert.match(e.message, /volume sentry-postgres: the sentry-onprem install in \/srv\/a \(label io\.sentry-onprem\.dir\); in use by running container onpremise_postgres_1/);
  assert.match(e.message, /volume sentry-data: the sentry-onprem install in \/srv\/a/);
  assert.match(e.message, /compose project onpremise: the sentry-onprem install in \/srv\/a \(containers onpremise_postgres_1 \(running\)\)/);
  assert.match(e.hint!, /sentry-onprem uninstall --dir \/srv\/a --delete-data/);
  assert.match(e.hint!, /--dir \/srv\/a/);
  assert.match(e.hint!, /Nothing was changed\.$/);
  // The same facts as the check reports them.
  const v = decideOwnership(req912(B), c);
  assert.equal(v.status, 'fail');
  assert.match(v.found, /volume sentry-postgres: the sentry-onprem install in \/srv\/a/);
  assert.equal(v.remedy, e.hint);
  assert.equal(decideOwnership(req912(B), []).status, 'pass');
});

test('refuseForeignOwnership reads the directory\'s own state: an install recorded before the labels keeps working', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'own-'));
  try {
    const engine = fake({ volumes: [{ name: 'sentry-postgres', labels: {} }, { name: 'sentry-data', labels: {} }] });
    await assert.rejects(refuseForeignOwnership({ layout: layoutFor(dir), tags: ['9.1.2'], engine }), (e: UserError) => e.exitCode === 3 && /no recorded owner/.test(e.message));
    mkdirSync(join(dir, '.sentry-onprem'));
    writeFileSync(join(dir, '.sentry-onprem', 'state.json'), JSON.stringify({ tag: '9.1.2', builds: {}, history: [] }));
    await refuseForeignOwnership({ layout: layoutFor(dir), tags: ['9.1.2'], engine });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('own volumes from the state: the recorded list wins; older states own their release\'s volumes once installed', () => {
  const all = ['sentry-data', 'sentry-postgres', 'sentry-redis'];
  assert.deepEqual(ownVolumes({ volumes: ['sentry-data'] }, all), ['sentry-data']);
  assert.deepEqual(ownVolumes({ volumes: [], tag: '9.1.2' }, all), []);
  assert.deepEqual(ownVolumes({ tag: '9.1.2' }, all), ['sentry-data', 'sentry-postgres']);
  assert.deepEqual(ownVolumes({ history: [{ step: 'volumes' }] }, all), all);
  assert.deepEqual(ownVolumes({ history: [{ step: 'render' }] }, all), []);
});

test('savedStorage reads storage.mode and dataDir from sentry-onprem.yml (block and flow style); volumes by default', () => {
  const dir = mkdtempSync(join(tmpdir(), 'own-'));
  try {
    assert.deepEqual(savedStorage(dir), { mode: 'volumes', dataDir: join(dir, 'data') });
    writeFileSync(join(dir, 'sentry-onprem.yml'), 'tag: 9.1.2\nstorage:\n  mode: bind\n  dataDir: ./pgdata\ntls:\n  mode: off\n');
    assert.deepEqual(savedStorage(dir), { mode: 'bind', dataDir: join(dir, 'pgdata') });
    writeFileSync(join(dir, 'sentry-onprem.yml'), "storage: {dataDir: '/var/x', mode: bind}\n");
    assert.deepEqual(savedStorage(dir), { mode: 'bind', dataDir: '/var/x' });
    writeFileSync(join(dir, 'sentry-onprem.yml'), 'storage:\n  mode: volumes\ntls:\n  mode: bind\n');
    assert.equal(savedStorage(dir).mode, 'volumes');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('describeDir: an install, a checkout of the official installer, another directory, a missing one', () => {
  const base = mkdtempSync(join(tmpdir(), 'own-'));
  try {
    for (const d of ['inst/.sentry-onprem', 'official', 'other']) mkdirSync(join(base, d), { recursive: true });
    writeFileSync(join(base, 'official', 'install.sh'), '#!/bin/sh\n');
    assert.equal(describeDir(join(base, 'inst')), 'install');
    assert.equal(describeDir(join(base, 'official')), 'official');
    assert.equal(describeDir(join(base, 'other')), 'other');
    assert.equal(describeDir(join(base, 'gone')), 'missing');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('the engine reader: exact volume names (the API filter matches substrings), all containers, a missing image is undefined', async () => {
  const asked: string[] = [];
  const engine = ownershipEngine(async <T>(path: string): Promise<T> => {
    asked.push(path);
    if (path.startsWith('/volumes')) return { Volumes: [{ Name: 'sentry-data', Labels: null }, { Name: 'sentry-data-old', Labels: { a: 'b' } }] } as T;
    if (path === '/images/sentry-onpremise-local/json') return { Id: 'sha256:l', Config: { Labels: { 'io.sentry-onprem.dir': '/a' } } } as T;
    if (path.startsWith('/containers')) return [{ Id: 'abc', Names: ['/web'], State: 'exited', ImageID: 'sha256:1', Labels: null, Mounts: [{ Type: 'volume', Name: 'sentry-data', Source: '/v' }] }] as T;
    throw Object.assign(new Error('No such image'), { statusCode: 404 });
  });
  assert.deepEqual(await engine.volumes(['sentry-data']), [{ name: 'sentry-data', labels: {} }]);
  assert.deepEqual(await engine.containers(), [{ id: 'abc', name: 'web', running: false, labels: {}, imageId: 'sha256:1', mounts: [{ type: 'volume', name: 'sentry-data', source: '/v' }] }]);
  assert.equal(await engine.image('snuba-cleanup-onpremise-local'), undefined);
  assert.deepEqual([...(await engine.images(['sentry-onpremise-local', 'snuba-cleanup-onpremise-local']))], [['sentry-onpremise-local', { id: 'sha256:l', labels: { 'io.sentry-onprem.dir': '/a' } }]]);
  assert.match(asked[0], /^\/volumes\?filters=/);
  assert.equal(asked[1], '/containers/json?all=1');
  const failing = ownershipEngine(async () => {
    throw Object.assign(new Error('boom'), { statusCode: 500 });
  });
  await assert.rejects(failing.image('x'), /boom/);
});

test('PostgreSQL guard: only this project\'s own postgres service may run on the data; anything else is refused before a start', async () => {
  const own = ctr('onpremise_postgres_1', { dir: B, project: 'onpremise', service: 'postgres', volumes: ['sentry-postgres'] });
  const other = ctr('sentry_onpremise_postgres_1', { dir: A, project: 'sentry_onpremise', service: 'postgres', volumes: ['sentry-postgres'] });
  const stopped = ctr('old', { running: false, volumes: ['sentry-postgres'] });
  const bound = ctr('bound', { binds: ['/d/sentry-postgres'] });
  assert.deepEqual(postgresUsers([own, stopped], 'sentry-postgres', 'onpremise'), []);
  assert.deepEqual(postgresUsers([own, other], 'sentry-postgres', 'onpremise').map((c) => c.name), ['sentry_onpremise_postgres_1']);
  assert.deepEqual(postgresUsers([own], 'sentry-postgres').map((c) => c.name), ['onpremise_postgres_1'], 'a one-off allows no server at all');
  assert.deepEqual(postgresUsers([bound], '/d/sentry-postgres').map((c) => c.name), ['bound']);
  await refuseSecondPostgres({ source: 'sentry-postgres', ownProject: 'onpremise', engine: fake({ containers: [own, stopped] }) });
  await assert.rejects(
    refuseSecondPostgres({ source: 'sentry-postgres', ownProject: 'onpremise', engine: fake({ containers: [own, other] }) }),
    (e: UserError) =>
      e.exitCode === EXIT.prerequisite &&
      /mounted by running container sentry_onpremise_postgres_1 \(project sentry_onpremise in \/srv\/a\): a second server on the same data directory would corrupt it/.test(e.message) &&
      /docker stop sentry_onpremise_postgres_1/.test(e.hint!),
  );
});

test('the host-ownership check: this directory\'s tag, saved state and --adopt-volumes decide; the engine not answering is a failure', async () => {
  const { hostOwnershipCheck } = await import('../../checks/host-ownership.js');
  const dir = mkdtempSync(join(tmpdir(), 'own-'));
  try {
    const engine = fake({ volumes: [{ name: 'sentry-kafka', labels: {} }] });
    const ctx = (o: { ok?: boolean; adopt?: boolean; tag?: string }) =>
      ({
        tag: o.tag ?? '20.7.0',
        installDir: dir,
        endpoint: { host: 'unix:///nowhere.sock', source: 'test' },
        engine: async () => (o.ok === false ? { ok: false, error: new Error('down') } : { ok: true, facts: { info: {} } }),
        ownership: { engine, adoptVolumes: o.adopt },
      }) as unknown as Parameters<typeof hostOwnershipCheck.run>[0];
    const fail = await hostOwnershipCheck.run(ctx({}));
    assert.equal(fail.status, 'fail');
    assert.match(fail.found, /volume sentry-kafka: no recorded owner/);
    assert.equal((await hostOwnershipCheck.run(ctx({ adopt: true }))).status, 'pass');
    assert.equal((await hostOwnershipCheck.run(ctx({ tag: '9.1.2' }))).status, 'pass', '9.1.2 has no kafka volume');
    assert.equal((await hostOwnershipCheck.run(ctx({ ok: false }))).status, 'fail');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * What `images` and `bundle create` decide: the images of an install (the rendered compose file's services under
 * the profile, build bases, never the locally built names), of an upgrade (every hop, the one-off helpers), the
 * registry mapping applied; and the bundle's tar format read back (offsets, a damaged header, a cut file), the
 * manifest's shape, and the `docker save` subset that loads only the missing images.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answersSchema, type Answers } from '../../src/answers/schema.js';
import { RELEASES, officialName } from '../../src/releases/index.js';
import { installImages, upgradeImages, profileServices, registryOfName, ONE_OFF_IMAGES } from '../../src/bundle/needed-images.js';
import { imagesAnswers } from '../../src/bundle/answers.js';
import { listTar, tarHeader, tarPadding, TAR_END, TarFormatError } from '../../src/bundle/tar.js';
import { parseManifest } from '../../src/bundle/manifest.js';
import { savedName, subsetOf } from '../../src/bundle/load.js';
import { UserError } from '../../src/errors.js';

const answers = (over: Record<string, unknown>): Answers =>
  answersSchema.parse({ url: 'https://sentry.example.com', admin: { email: 'a@example.com', password: 'pw' }, ...over });

test('9.1.2: the five service images and the Sentry base, never the locally built image', () => {
  const list = installImages(answers({ tag: '9.1.2' }));
  assert.deepEqual(list.map((i) => i.name).sort(), ['memcached:1.5-alpine', 'nginx:1.16', 'postgres:9.5', 'redis:3.2-alpine', 'sentry:9.1.2', 'tianon/exim4'].sort());
  assert.deepEqual(list.find((i) => i.name === 'sentry:9.1.2')?.uses, [{ kind: 'build-base', tag: '9.1.2', builds: 'sentry-onpremise-local' }]);
  assert.deepEqual(list.find((i) => i.name === 'postgres:9.5')?.uses, [{ kind: 'service', tag: '9.1.2', services: ['postgres'] }]);
  assert.ok(!list.some((i) => i.name.endsWith('-local')));
});

test('every release: the images are its pulled images with services or bases (feature-complete = all of them)', () => {
  for (const r of Object.values(RELEASES)) {
    const got = new Set(installImages(answers({ tag: r.tag })).map((i) => i.name));
    const want = new Set(r.images.map(officialName));
    assert.deepEqual([...got].sort(), [...want].sort(), r.tag);
  }
});

test('errors-only needs fewer images than feature-complete, each one a service of errors-only or a base', () => {
  const full = installImages(answers({ tag: '26.8.0' }));
  const small = installImages(answers({ tag: '26.8.0', profile: 'errors-only' }));
  assert.ok(small.length < full.length, `${small.length} vs ${full.length}`);
  assert.ok(small.every((i) => full.some((f) => f.name === i.name)));
});

test('images.registry applies: a prefix for all, or a prefix per registry', () => {
  const all = installImages(answers({ tag: '26.8.0', images: { registry: 'mirror.example.com:5000/proxy' } }));
  assert.ok(all.every((i) => i.name.startsWith('mirror.example.com:5000/proxy/')), JSON.stringify(all.map((i) => i.name)));
  assert.ok(all.some((i) => i.name === 'mirror.example.com:5000/proxy/ghcr.io/getsentry/snuba:26.8.0'));
  const per = installImages(answers({ tag: '26.8.0', images: { registry: { 'docker.io': '', 'ghcr.io': 'ghcr.mirror.example.com/g', 'registry.gitlab.com': '' } } }));
  assert.ok(per.some((i) => i.name === 'ghcr.mirror.example.com/g/getsentry/snuba:26.8.0'));
  assert.ok(per.some((i) => i.name === 'postgres:14.23-bookworm'));
  assert.equal(registryOfName('ghcr.mirror.example.com/g/getsentry/snuba:26.8.0'), 'ghcr.mirror.example.com');
});

test('upgrade 9.1.2 -> 20.7.0: the target images plus the pg_upgrade helper of its one-off step', () => {
  const list = upgradeImages('9.1.2', answers({ tag: '20.7.0' }));
  const helper = list.find((i) => i.uses.some((u) => u.kind === 'helper'));
  assert.deepEqual(helper, { name: ONE_OFF_IMAGES['postgres-9.5-to-9.6'][0], registry: 'docker.io', uses: [{ kind: 'helper', tag: '20.7.0', step: 'postgres-9.5-to-9.6' }] });
  assert.ok(list.some((i) => i.name === 'getsentry/sentry:20.7.0'));
  assert.ok(!list.some((i) => i.name === 'postgres:9.5'), 'the release upgraded from is installed already');
  assert.throws(() => upgradeImages('26.8.0', answers({ tag: '20.7.0' })), (e: unknown) => e instanceof UserError && e.exitCode === 2);
});

test('imagesAnswers: no answers file needed; an unknown tag or --from is exit 2 naming the flag', () => {
  assert.equal(imagesAnswers({ tag: '9.1.2' }).tag, '9.1.2');
  assert.throws(() => imagesAnswers({ tag: '9.9.9' }), /--tag/);
  assert.throws(() => imagesAnswers({ tag: '20.7.0', from: '1.0.0' }), /--from/);
});

test('profileServices keeps services without profiles and those of the profile', () => {
  const text = 'services:\n  a: {image: x}\n  b: {image: y, profiles: [feature-complete]}\n  c: {build: ., image: z}\n';
  assert.deepEqual(profileServices(text, 'errors-only').map((s) => s.service), ['a', 'c']);
  assert.deepEqual(profileServices(text, 'feature-complete').map((s) => s.service), ['a', 'b', 'c']);
  assert.equal(profileServices(text, '').find((s) => s.service === 'c')?.build, true);
});

function writeTar(path: string, members: Array<[string, Buffer]>): void {
  const parts: Buffer[] = [];
  for (const [name, data] of members) parts.push(tarHeader(name, data.length), data, tarPadding(data.length));
  parts.push(TAR_END);
  writeFileSync(path, Buffer.concat(parts));
}

test('tar: members with offsets, read by GNU tar too; a damaged header and a cut file are errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-tar-'));
  try {
    const p = join(dir, 'a.tar');
    writeTar(p, [['images.tar', Buffer.from('x'.repeat(1000))], ['manifest.json', Buffer.from('{}')]]);
    const m = listTar(p);
    assert.deepEqual(m.map((x) => [x.name, x.size]), [['images.tar', 1000], ['manifest.json', 2]]);
    assert.equal(readFileSync(p).subarray(m[1].offset, m[1].offset + 2).toString(), '{}');
    const { execFileSync } = await import('node:child_process');
    assert.equal(execFileSync('tar', ['-tf', p], { encoding: 'utf8' }), 'images.tar\nmanifest.json\n');
    // one byte of a header changed
    const fd = openSync(p, 'r+');
    writeSync(fd, Buffer.from('y'), 0, 1, 2);
    closeSync(fd);
    assert.throws(() => listTar(p), (e: unknown) => e instanceof TarFormatError && /damaged/.test(e.message));
    writeTar(p, [['images.tar', Buffer.from('x'.repeat(1000))], ['manifest.json', Buffer.from('{}')]]);
    truncateSync(p, 1536);
    assert.throws(() => listTar(p), (e: unknown) => e instanceof TarFormatError && /cut short/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tar: sizes above 8 GiB are written in base-256 and read back', () => {
  const h = tarHeader('big', 9 * 2 ** 30);
  assert.equal(h[124], 0x80);
  const dir = mkdtempSync(join(tmpdir(), 'bundle-tar-'));
  try {
    const p = join(dir, 'h.tar');
    writeFileSync(p, Buffer.concat([h]));
    assert.deepEqual(listTar(p, 0, 512).map((m) => m.size), [9 * 2 ** 30]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('manifest: the shape bundle create writes, anything else a message', () => {
  const ok = { format: 1, release: '9.1.2', profile: '', createdAt: 'x', package: { name: 'p', version: '1' }, images: [{ name: 'a', id: 'sha256:1' }], parts: [{ name: 'images.tar', size: 1, sha256: 'a'.repeat(64) }] };
  assert.equal(typeof parseManifest(JSON.stringify(ok)), 'object');
  assert.match(parseManifest('{') as string, /not JSON/);
  assert.match(parseManifest(JSON.stringify({ ...ok, format: 2 })) as string, /format 2/);
  assert.match(parseManifest(JSON.stringify({ ...ok, parts: [{ name: 'x', size: 1, sha256: 'nothex' }] })) as string, /bad part/);
});

test('docker save subset: only the missing images, their configs and layer folders, an index naming only them', () => {
  const m = (name: string, offset = 0) => ({ name, offset, size: 1, type: '0' });
  const saved = {
    members: [m('aa/VERSION'), m('aa/json'), m('aa/layer.tar'), m('bb/VERSION'), m('bb/json'), m('bb/layer.tar'), m('c1.json'), m('c2.json'), m('repositories'), m('manifest.json')],
    images: [
      { config: 'c1.json', layers: ['aa/layer.tar'], repoTags: ['postgres:9.5'] },
      { config: 'c2.json', layers: ['aa/layer.tar', 'bb/layer.tar'], repoTags: ['tianon/exim4:latest', 'other:1'] },
    ],
  };
  const s = subsetOf(saved, ['tianon/exim4']);
  assert.deepEqual(s.members.map((x) => x.name), ['aa/VERSION', 'aa/json', 'aa/layer.tar', 'bb/VERSION', 'bb/json', 'bb/layer.tar', 'c2.json']);
  assert.deepEqual(JSON.parse(s.index.toString()), [{ Config: 'c2.json', RepoTags: ['tianon/exim4:latest'], Layers: ['aa/layer.tar', 'bb/layer.tar'] }]);
  assert.deepEqual(subsetOf(saved, ['postgres:9.5']).members.map((x) => x.name), ['aa/VERSION', 'aa/json', 'aa/layer.tar', 'c1.json']);
  assert.equal(savedName('ghcr.io/getsentry/snuba:26.8.0'), 'ghcr.io/getsentry/snuba:26.8.0');
  assert.equal(savedName('localhost:5000/x'), 'localhost:5000/x:latest');
});

test('offline render: pip installs from sentry/wheels only, a URL requirement becomes its wheel name; online unchanged', async () => {
  const { buildView } = await import('../../src/render/view.js');
  const { renderFiles } = await import('../../src/render/files.js');
  const { sentryBuildRequirements } = await import('../../src/bundle/wheels.js');
  const a = answers({ tag: '26.8.0', plugins: ['sentry-onprem-testplugin==1.0'] });
  const file = (offline: boolean, path: string) => renderFiles(buildView(a, 'k'.repeat(50), '/srv/sentry', { launchpadRpc: 'x' }, { offlineWheels: offline })).find((f) => f.path === path)!.content;
  assert.match(file(true, 'sentry/Dockerfile'), /PIP_FIND_LINKS= pip install --no-index --find-links \/usr\/src\/sentry\/wheels -r/);
  assert.doesNotMatch(file(false, 'sentry/Dockerfile'), /--no-index|wheels/);
  assert.match(file(true, 'sentry/.dockerignore'), /^!wheels$/m);
  assert.doesNotMatch(file(false, 'sentry/.dockerignore'), /wheels/);
  assert.match(file(false, 'sentry/requirements.txt'), /^sentry-nodestore-s3 @ https:\/\/github\.com\//m);
  assert.match(file(true, 'sentry/requirements.txt'), /^sentry-nodestore-s3$/m);
  assert.match(file(true, 'sentry/requirements.txt'), /^sentry-onprem-testplugin==1\.0$/m);
  const req = sentryBuildRequirements(a);
  assert.equal(req.base, 'ghcr.io/getsentry/sentry:26.8.0');
  assert.deepEqual(req.requirements.map((r) => r.split(/[ =@]/)[0]), ['sentry-onprem-testplugin', 'sentry-nodestore-s3']);
  assert.deepEqual(sentryBuildRequirements(answers({ tag: '9.1.2' })).requirements, []);
});

test('progress: bytes, rate and an ETA rewritten in place on a terminal; plain lines without one', async () => {
  const { Progress, formatBytes } = await import('../../src/bundle/progress.js');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(3 * 2 ** 30), '3.0 GiB');
  const seen: string[] = [];
  const out = { isTTY: true, write: (s: string) => (seen.push(s), true) } as unknown as NodeJS.WriteStream;
  const p = new Progress('images', 100 * 2 ** 20, out, true);
  await new Promise((r) => setTimeout(r, 20));
  p.add(10 * 2 ** 20);
  assert.match(seen[0], /^\r\x1b\[2Kimages: 10\.0 MiB of ~100\.0 MiB \(10%\), [\d.]+ [KMG]?i?B\/s, ETA \d+ s$/);
  p.finish();
  assert.match(seen.at(-1)!, /^\r\x1b\[2Kimages: 10\.0 MiB in [\d.]+ s\n$/);
  const plain: string[] = [];
  const q = new Progress('images', 0, { isTTY: false, write: (s: string) => (plain.push(s), true) } as unknown as NodeJS.WriteStream, false);
  q.add(5);
  q.finish();
  assert.deepEqual(plain.length, 1, 'no line before 10 s, then the final one');
  assert.match(plain[0], /^images: 5 B in [\d.]+ s\n$/);
});

/**
 * Offline installs from one bundle file. The bundle is made on the shared engine (`bundle create`: a read, one
 * `docker save`); then a second engine, started by this test with an empty data root inside a network namespace
 * with only loopback, is the host without a registry: bad bundles (one byte changed, cut short, another
 * release's, an image missing) are refused with exit 3 naming the part and leave that engine empty; the good
 * bundle installs Sentry 9.1.2 from nothing else (every service running, /_health/ 200 through the TLS vhost,
 * asked from inside the namespace), and a re-run loads nothing. Then the upgrade bundle 9.1.2 -> 20.7.0 on that same
 * install: a failed preflight loads nothing; the upgrade from the bundle alone keeps a seeded row, every service
 * healthy (the cleanup images built without apt-get), 200 through the vhost; a re-run loads nothing.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, V2_CONFIG, engineReachable, fixture, runCli, SHORT_HEALTHCHECKS } from './harness.js';
import { canStartOfflineEngine, startOfflineEngine, type OfflineEngine } from './offline-engine.js';
import { listTar } from '../../src/bundle/tar.js';
import { savedIndex } from '../../src/bundle/verify.js';
import { subsetOf, subsetStream } from '../../src/bundle/load.js';
import { TarWriter } from '../../src/bundle/create.js';
import { parseManifest, type BundleManifest } from '../../src/bundle/manifest.js';

const PORTS = { http: 18080, https: 18443 };
const work = mkdtempSync(join(tmpdir(), 'sentry-onprem-offline-'));
let engine: OfflineEngine | undefined;
/** The install on the offline engine (9.1.2, upgraded to 20.7.0), uninstalled before 26.8.0 (they share volume names: sentry-data, ...). */
let installed912: string | undefined;
after(() => {
  engine?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** The CLI inside the namespace, against the offline engine. */
function cliOffline(e: OfflineEngine, args: string[]) {
  const env = { ...process.env, DOCKER_HOST: e.host, DOCKER_CONFIG: V2_CONFIG, CI: 'true' };
  return e.inNetns(process.execPath, [CLI, ...args], env);
}

function flipByte(path: string, at: number): void {
  const fd = openSync(path, 'r+');
  const b = Buffer.alloc(1);
  readSync(fd, b, 0, 1, at);
  b[0] ^= 0xff;
  writeSync(fd, b, 0, 1, at);
  closeSync(fd);
}

/** A whole, well-formed bundle whose images.tar lacks one image (made from the good one). */
async function withoutImage(good: string, out: string, drop: string): Promise<void> {
  const members = listTar(good);
  const part = members.find((m) => m.name === 'images.tar')!;
  const saved = savedIndex(good, part);
  const manifest = parseManifest(readFileSync(good).subarray(members.at(-1)!.offset, members.at(-1)!.offset + members.at(-1)!.size).toString()) as BundleManifest;
  const keep = manifest.images.map((i) => i.name).filter((n) => n !== drop);
  const sub = subsetOf(saved, keep);
  const fh = await open(out, 'w');
  const w = new TarWriter(fh);
  const parts = [await w.part('images.tar', subsetStream(good, sub.members, sub.index))];
  for (const m of members.filter((x) => x.name !== 'images.tar' && x.name !== 'manifest.json')) parts.push(await w.part(m.name, readFileSync(good).subarray(m.offset, m.offset + m.size)));
  const next = { ...manifest, images: manifest.images.filter((i) => i.name !== drop), parts };
  await w.part('manifest.json', Buffer.from(JSON.stringify(next)));
  await w.end();
  await fh.close();
}

test('offline install of 9.1.2 from a bundle on an engine in a network namespace with only loopback', { timeout: 1_800_000 }, async (t) => {
  const why = canStartOfflineEngine();
  if (why || !engineReachable()) return void t.skip(why ?? 'no docker engine');
  // A plugin: the bundle carries its wheel, and the offline build installs it from there alone.
  const f = fixture('9.1.2', PORTS, 'plugins: [sentry-onprem-testplugin==1.0]');
  const bundle = join(work, 'sentry-9.1.2.bundle');

  // 1. On the host that has the images (the shared engine; read only).
  const made = await runCli(['bundle', 'create', '--tag', '9.1.2', '--answers', f.answersFile, '-o', bundle], { ...process.env, DOCKER_CONFIG: V2_CONFIG });
  assert.equal(made.code, 0, made.stderr);
  const members = listTar(bundle);
  assert.deepEqual(
    members.map((m) => m.name.replace(/\d+\.\d+\.\d+/, 'V').replace(/-1\.0-.*\.whl$/, '-1.0.whl')),
    ['images.tar', 'wheels/sentry_onprem_testplugin-1.0.whl', 'package/sentry-onprem-V.tgz', 'manifest.json'],
  );
  const last = members.at(-1)!;
  const manifest = parseManifest(readFileSync(bundle).subarray(last.offset, last.offset + last.size).toString()) as BundleManifest;
  assert.equal(manifest.release, '9.1.2');
  assert.deepEqual(manifest.images.map((i) => i.name).sort(), ['memcached:1.5-alpine', 'nginx:1.16', 'postgres:9.5', 'redis:3.2-alpine', 'sentry:9.1.2', 'tianon/exim4'].sort());
  const sum = manifest.images.reduce((a, i) => a + i.size, 0);
  t.diagnostic(`bundle: ${statSync(bundle).size} bytes, images' sizes add up to ${sum}, made in ${made.ms} ms`);
  assert.ok(statSync(bundle).size < sum, 'layers shared by the images are stored once');

  // 2. The host without a registry.
  engine = await startOfflineEngine();
  const e = engine;
  const route = e.inNetns('ip', ['route', 'get', '1.1.1.1']);
  assert.notEqual(route.code, 0, 'the namespace has no route but loopback');
  const empty = () => e.docker(['images', '-aq']).trim();
  assert.equal(empty(), '');

  // 3. Bad bundles: exit 3 naming the part, nothing loaded, nothing written into the install directory.
  const answers20 = join(work, 'answers-20.yml');
  writeFileSync(answers20, readFileSync(f.answersFile, 'utf8').replace(/^tag: 9\.1\.2$/m, 'tag: 20.7.0'));
  const bad: Array<{ what: string; file: string; answers?: string; message: RegExp }> = [];
  const flipped = join(work, 'flipped.bundle');
  copyFileSync(bundle, flipped);
  flipByte(flipped, members[0].offset + Math.floor(members[0].size / 2));
  bad.push({ what: 'one byte changed', file: flipped, message: /part images\.tar is damaged: SHA-256/ });
  const cut = join(work, 'cut.bundle');
  copyFileSync(bundle, cut);
  truncateSync(cut, Math.floor(statSync(bundle).size / 2));
  bad.push({ what: 'cut short', file: cut, message: /not a whole bundle: cut short/ });
  bad.push({ what: "another release's", file: bundle, answers: answers20, message: /carries Sentry 9\.1\.2, this run needs 20\.7\.0/ });
  const lacking = join(work, 'lacking.bundle');
  await withoutImage(bundle, lacking, 'postgres:9.5');
  bad.push({ what: 'an image missing', file: lacking, message: /image postgres:9\.5 is not in images\.tar/ });
  for (const b of bad) {
    const dir = join(work, `bad-${bad.indexOf(b)}`);
    const r = cliOffline(e, ['install', '--dir', dir, '--answers', b.answers ?? f.answersFile, '--bundle', b.file, '--yes']);
    assert.equal(r.code, 3, `${b.what}: ${r.stderr}`);
    assert.match(r.stderr, b.message, b.what);
    assert.equal(empty(), '', `${b.what}: nothing loaded`);
    assert.ok(!existsSync(join(dir, 'docker-compose.yml')), `${b.what}: nothing rendered`);
    t.diagnostic(`${b.what}: ${r.stderr.split('\n').find((l) => l.startsWith('error')) ?? ''}`);
  }
  rmSync(flipped);
  rmSync(cut);
  rmSync(lacking);

  // 4. The install from the bundle alone.
  const first = cliOffline(e, ['install', '--dir', f.dir, '--answers', f.answersFile, '--bundle', bundle, '--yes']);
  assert.equal(first.code, 0, first.stderr.slice(-4000));
  installed912 = f.dir;
  assert.match(first.stderr, /Pull images: loaded 6 from the bundle/);
  t.diagnostic(`install from the bundle: ${first.ms} ms`);
  const ps = JSON.parse(`[${e.docker(['ps', '-a', '--format', '{{json .}}']).trim().split('\n').join(',')}]`) as Array<{ Names: string; State: string; Status: string }>;
  const services = ps.filter((c) => !/_run_|-run-/.test(c.Names));
  assert.ok(services.length >= 6, JSON.stringify(ps));
  for (const c of services) {
    assert.equal(c.State, 'running', `${c.Names}: ${c.Status}`);
    assert.doesNotMatch(c.Status, /unhealthy|starting/, c.Names);
  }
  // The plugin came from the bundle's wheel: the build ran pip with --no-index and no other find-links.
  assert.match(readFileSync(join(f.dir, 'sentry', 'Dockerfile'), 'utf8'), /PIP_FIND_LINKS= pip install --no-index --find-links \/usr\/src\/sentry\/wheels/);
  assert.ok(readdirSync(join(f.dir, 'sentry', 'wheels')).some((w) => w.startsWith('sentry_onprem_testplugin-1.0-')));
  const web = services.find((c) => /web/.test(c.Names))!;
  assert.match(e.docker(['exec', web.Names, 'python3', '-c', 'import sentry_onprem_testplugin as p; print(p.__version__)']), /^1\.0/m);
  const health = e.inNetns('curl', ['-sk', '-o', '/dev/null', '-w', '%{http_code}', '--resolve', `sentry.e2e.test:${PORTS.https}:127.0.0.1`, `https://sentry.e2e.test:${PORTS.https}/_health/`]);
  assert.equal(health.stdout, '200', health.stderr);
  const imagesAfter = e.docker(['images', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']).trim().split('\n').sort();

  // 5. A re-run loads nothing and verifies the unchanged bundle without hashing it again.
  const again = cliOffline(e, ['install', '--dir', f.dir, '--answers', f.answersFile, '--bundle', bundle, '--yes']);
  assert.equal(again.code, 0, again.stderr.slice(-3000));
  assert.match(again.stderr, /Pull images: skipped, all 6 images present/);
  const checked = Number(again.stderr.match(/unchanged since \(size, mtime, manifest\), checked in ([\d.]+) s/)?.[1]);
  assert.ok(checked < 2, again.stderr);
  assert.deepEqual(e.docker(['images', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']).trim().split('\n').sort(), imagesAfter);
  t.diagnostic(`re-run: ${again.ms} ms, bundle check ${checked} s`);

  // 6. An upgrade bundle (9.1.2 -> 20.7.0): its manifest names the path and the one-off step's helper image; the
  // install bundle is refused for the upgrade before anything changes; the upgrade bundle passes (dry run).
  const up = join(work, 'upgrade-20.7.0.bundle');
  const upMade = await runCli(['bundle', 'create', '--tag', '20.7.0', '--from', '9.1.2', '--answers', f.answersFile, '-o', up], { ...process.env, DOCKER_CONFIG: V2_CONFIG });
  assert.equal(upMade.code, 0, upMade.stderr);
  const upMembers = listTar(up);
  const upLast = upMembers.at(-1)!;
  const upManifest = parseManifest(readFileSync(up).subarray(upLast.offset, upLast.offset + upLast.size).toString()) as BundleManifest;
  assert.equal(upManifest.from, '9.1.2');
  assert.equal(upManifest.release, '20.7.0');
  assert.deepEqual(upManifest.images.find((i) => i.name === 'tianon/postgres-upgrade:9.5-to-9.6')?.uses, [{ kind: 'helper', tag: '20.7.0', step: 'postgres-9.5-to-9.6' }]);
  assert.ok(upMembers.some((m) => m.name.startsWith('wheels/sentry_onprem_testplugin-1.0-')));
  t.diagnostic(`upgrade bundle: ${statSync(up).size} bytes, ${upManifest.images.length} images, made in ${upMade.ms} ms`);
  const running = e.docker(['ps', '-q', '--no-trunc']).trim().split('\n').sort();
  const wrong = cliOffline(e, ['upgrade', '--dir', f.dir, '--tag', '20.7.0', '--bundle', bundle, '--yes']);
  assert.equal(wrong.code, 3, wrong.stderr);
  assert.match(wrong.stderr, /carries Sentry 9\.1\.2, this run needs 9\.1\.2 -> 20\.7\.0/);
  // 20.7.0's ClickHouse asks nofile 262144, above this engine's 20000: the dry run starts nothing, so the check is waived.
  const dry = cliOffline(e, ['upgrade', '--dir', f.dir, '--tag', '20.7.0', '--bundle', up, '--dry-run', '--skip-check', 'ulimits']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stderr, /parts verified \(SHA-256\)/);
  assert.deepEqual(e.docker(['images', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']).trim().split('\n').sort(), imagesAfter, 'nothing loaded');
  assert.deepEqual(e.docker(['ps', '-q', '--no-trunc']).trim().split('\n').sort(), running, 'the 9.1.2 stack kept running');

  // 7. A real upgrade whose preflight fails (this engine cannot set ClickHouse's nofile 262144): exit 3 after the
  // bundle's verification and before anything is loaded (the pg_upgrade helper included) or stopped.
  const refused = cliOffline(e, ['upgrade', '--dir', f.dir, '--tag', '20.7.0', '--bundle', up, '--yes']);
  assert.equal(refused.code, 3, refused.stderr.slice(-3000));
  assert.match(refused.stderr, /parts verified \(SHA-256\)[\s\S]*does not meet Sentry 20\.7\.0's requirements: ulimits/);
  assert.doesNotMatch(refused.stderr, /loading \d+ images/);
  assert.deepEqual(e.docker(['images', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']).trim().split('\n').sort(), imagesAfter, 'a failed preflight loads nothing');
  assert.deepEqual(e.docker(['ps', '-q', '--no-trunc']).trim().split('\n').sort(), running, 'the 9.1.2 stack kept running');

  // 8. The upgrade 9.1.2 -> 20.7.0 from the upgrade bundle alone (ClickHouse's nofile lowered to what this engine
  // allows, as the shared engine's upgrade test does; the image line keeps the file valid for 9.1.2): a seeded row kept, every service healthy, 200 through the vhost.
  const pg = e.docker(['ps', '-q', '--filter', 'label=com.docker.compose.service=postgres']).trim();
  const sql = (c: string, q: string) => e.docker(['exec', c, 'psql', '-U', 'postgres', '-tAc', q]).trim();
  sql(pg, "INSERT INTO auth_user (username, email, password, is_staff, is_active, is_superuser, date_joined) VALUES ('kept@e2e.test', 'kept@e2e.test', 'pbkdf2_sha256$x', false, true, false, now())");
  writeFileSync(join(f.dir, 'docker-compose.override.yml'), "version: '3.4'\nservices:\n  clickhouse:\n    image: yandex/clickhouse-server:19.17\n    ulimits:\n      nofile:\n        soft: 20000\n        hard: 20000\n");
  const upgraded = cliOffline(e, ['upgrade', '--dir', f.dir, '--tag', '20.7.0', '--bundle', up, '--yes']);
  assert.equal(upgraded.code, 0, upgraded.stderr.slice(-6000));
  assert.match(upgraded.stderr, /loaded the one-off images tianon\/postgres-upgrade:9\.5-to-9\.6 from the bundle/);
  assert.match(upgraded.stderr, /Pull the 20\.7\.0 images \(9\.1\.2 keeps running\): loaded \d+ from the bundle/);
  assert.match(upgraded.stderr, /Build the 20\.7\.0 images .*: built sentry-onpremise-local, sentry-cleanup-onpremise-local, snuba-cleanup-onpremise-local, symbolicator-cleanup-onpremise-local/);
  t.diagnostic(`upgrade 9.1.2 -> 20.7.0 from the bundle: ${upgraded.ms} ms`);
  const ps20 = JSON.parse(`[${e.docker(['ps', '-a', '--format', '{{json .}}']).trim().split('\n').join(',')}]`) as Array<{ Names: string; State: string; Status: string }>;
  const services20 = ps20.filter((c) => !/_run_|-run-/.test(c.Names));
  assert.ok(services20.length >= 20, `${services20.length} containers: ${services20.map((c) => c.Names).join(' ')}`);
  for (const c of services20) {
    assert.equal(c.State, 'running', `${c.Names}: ${c.Status}`);
    assert.doesNotMatch(c.Status, /unhealthy|starting/, c.Names);
  }
  const health20 = e.inNetns('curl', ['-sk', '-o', '/dev/null', '-w', '%{http_code}', '--resolve', `sentry.e2e.test:${PORTS.https}:127.0.0.1`, `https://sentry.e2e.test:${PORTS.https}/_health/`]);
  assert.equal(health20.stdout, '200', health20.stderr);
  const pg20 = e.docker(['ps', '-q', '--filter', 'label=com.docker.compose.service=postgres']).trim();
  assert.equal(sql(pg20, "SELECT count(*) FROM auth_user WHERE email = 'kept@e2e.test'"), '1', 'the seeded row survived');
  const images20 = e.docker(['images', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']).trim().split('\n').sort();
  const again20 = cliOffline(e, ['upgrade', '--dir', f.dir, '--tag', '20.7.0', '--bundle', up, '--yes']);
  assert.equal(again20.code, 0, again20.stderr);
  assert.match(again20.stderr, /Sentry 20\.7\.0 is installed in .*: nothing to upgrade/);
  assert.deepEqual(e.docker(['images', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']).trim().split('\n').sort(), images20, 'a re-run loads nothing');
  t.diagnostic(`upgrade re-run: ${again20.ms} ms`);
  rmSync(up);
});

test('offline install of 26.8.0 (errors-only) from a bundle on the same offline engine, after 9.1.2 is uninstalled there', { timeout: 2_400_000 }, async (t) => {
  if (!engine) return void t.skip('the offline engine of the 9.1.2 test did not start');
  const e = engine;
  if (installed912) {
    const gone = cliOffline(e, ['uninstall', '--dir', installed912, '--delete-data', '--yes']);
    assert.equal(gone.code, 0, gone.stderr);
    assert.equal(e.docker(['ps', '-aq']).trim(), '', 'uninstall left containers');
  }
  // Images by tag (loaded images carry no registry digest) and the S3 nodestore as a plugin: its wheel is bundled.
  const f = fixture('26.8.0', { http: 18480, https: 18481 }, 'profile: errors-only\nimages: {digests: drop}\nplugins: [sentry-nodestore-s3==1.0.0]');
  const bundle = join(work, 'sentry-26.8.0.bundle');
  const made = await runCli(['bundle', 'create', '--tag', '26.8.0', '--answers', f.answersFile, '-o', bundle], { ...process.env, DOCKER_CONFIG: V2_CONFIG });
  assert.equal(made.code, 0, made.stderr);
  assert.ok(listTar(bundle).some((m) => /^wheels\/sentry_nodestore_s3-1\.0\.0-/.test(m.name)));
  t.diagnostic(`26.8.0 errors-only bundle: ${statSync(bundle).size} bytes, made in ${made.ms} ms; ${made.stdout.trim()}`);

  // The release's healthcheck timings are .env variables Compose lets the environment override (as the 26.8.0 e2e does).
  const env = { ...process.env, DOCKER_HOST: e.host, DOCKER_CONFIG: V2_CONFIG, CI: 'true', ...SHORT_HEALTHCHECKS };
  const first = e.inNetns(process.execPath, [CLI, 'install', '--dir', f.dir, '--answers', f.answersFile, '--bundle', bundle, '--yes'], env, 1_800_000);
  assert.equal(first.code, 0, first.stderr.slice(-5000));
  assert.match(first.stderr, /Pull images: loaded \d+ from the bundle/);
  t.diagnostic(`26.8.0 install from the bundle: ${first.ms} ms`);
  const ps = JSON.parse(`[${e.docker(['ps', '-a', '--format', '{{json .}}']).trim().split('\n').join(',')}]`) as Array<{ Names: string; State: string; Status: string }>;
  const services = ps.filter((c) => !/-run-/.test(c.Names));
  assert.ok(services.length >= 25, `${services.length} containers`);
  for (const c of services) {
    assert.equal(c.State, 'running', `${c.Names}: ${c.Status}`);
    assert.doesNotMatch(c.Status, /unhealthy|starting/, c.Names);
  }
  const health = e.inNetns('curl', ['-sk', '-o', '/dev/null', '-w', '%{http_code}', '--resolve', `sentry.e2e.test:18481:127.0.0.1`, 'https://sentry.e2e.test:18481/_health/']);
  assert.equal(health.stdout, '200', health.stderr);

  const again = e.inNetns(process.execPath, [CLI, 'install', '--dir', f.dir, '--answers', f.answersFile, '--bundle', bundle, '--yes'], env, 900_000);
  assert.equal(again.code, 0, again.stderr.slice(-3000));
  assert.match(again.stderr, /Pull images: skipped, all \d+ images present/);
  t.diagnostic(`26.8.0 re-run: ${again.ms} ms`);
});

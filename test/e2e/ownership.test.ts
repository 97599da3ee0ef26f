/**
 * Two install directories on one engine, for real: the second is refused (exit 3) for both releases while
 * the first owns the host-wide volumes, project and image, and the first is left exactly as it was
 * (containers, start times, volumes, rows). `check` reports it as host-ownership. After
 * `uninstall --dir A --delete-data --yes` the second directory installs.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { containers, composeEnv, docker, engineReachable, fixture, psql, runCli, teardown } from './harness.js';
import { RELEASES } from '../../src/catalog.js';
import { cronFilePath } from '../../src/cron/entry.js';

before(() => {
  if (!engineReachable() && process.env.CI) throw new Error('no Docker engine: .ci/run must start dockerd before the tests');
});

const skip = !engineReachable() && !process.env.CI ? 'no Docker engine (run .ci/run)' : false;
const P912 = RELEASES['9.1.2'].projectName;
const P2070 = RELEASES['20.7.0'].projectName;
const ALL_VOLUMES = RELEASES['20.7.0'].externalVolumes;

function volumeFacts(names: string[]): unknown {
  const info = JSON.parse(docker(['volume', 'inspect', ...names])) as Array<{ Name: string; CreatedAt: string; Labels: Record<string, string> | null; Mountpoint: string }>;
  return info.map((v) => ({ name: v.Name, created: v.CreatedAt, labels: v.Labels, mountpoint: v.Mountpoint }));
}

function existingVolumes(): string[] {
  return docker(['volume', 'ls', '-q']).split('\n').filter((v) => ALL_VOLUMES.includes(v)).sort();
}

function imageLabel(image: string, label: string): string | undefined {
  try {
    return (JSON.parse(docker(['image', 'inspect', image]))[0].Config.Labels ?? {})[label];
  } catch {
    return undefined;
  }
}

test('a second install directory is refused (exit 3) while the first one owns the names; after uninstall it installs', { skip, timeout: 30 * 60_000 }, async () => {
  const a = fixture('9.1.2', { http: 18750, https: 18751 });
  const b = fixture('9.1.2', { http: 18752, https: 18753 });
  // The same directory B asked for 20.7.0 (its own answers file, next to B's).
  const b2070Answers = join(dirname(b.dir), 'answers-20.7.0.yml');
  writeFileSync(b2070Answers, readFileSync(b.answersFile, 'utf8').replace(/^tag: 9\.1\.2$/m, 'tag: 20.7.0').replace(/http: 18752, https: 18753/, 'http: 18754, https: 18755'));
  const v2 = composeEnv('v2');
  const v1 = composeEnv('v1');
  const cleanAll = () => {
    for (const dir of [a.dir, b.dir]) {
      teardown(dir, 'v2', P912, ALL_VOLUMES);
      teardown(dir, 'v2', P2070, ALL_VOLUMES);
    }
  };
  cleanAll();
  try {
    const ia = await runCli(['install', '--dir', a.dir, '--answers', a.answersFile, '--yes'], v2);
    assert.equal(ia.code, 0, `install A failed:\n${ia.stderr.slice(-3000)}`);
    // What A owns says so.
    for (const v of RELEASES['9.1.2'].externalVolumes) {
      assert.equal(JSON.parse(docker(['volume', 'inspect', v]))[0].Labels['io.sentry-onprem.dir'], a.dir, `volume ${v} is labelled with A`);
    }
    assert.equal(imageLabel('sentry-onpremise-local', 'io.sentry-onprem.dir'), a.dir, 'the built image is labelled with A');
    assert.deepEqual(JSON.parse(readFileSync(join(a.dir, '.sentry-onprem/state.json'), 'utf8')).volumes, ['sentry-data', 'sentry-postgres']);

    psql(P912, 'CREATE TABLE ownership_marker (n int); INSERT INTO ownership_marker SELECT generate_series(1, 37);');
    const rows = () => psql(P912, 'SELECT (SELECT count(*) FROM ownership_marker) || \'/\' || (SELECT count(*) FROM auth_user) || \'/\' || (SELECT count(*) FROM south_migrationhistory)');
    const rowsBefore = rows();
    const ctrs = () => containers(P912).map((c) => `${c.service} ${c.id} ${c.startedAt} ${c.running}`).sort();
    const ctrsBefore = ctrs();
    const volsBefore = volumeFacts(RELEASES['9.1.2'].externalVolumes);
    const volumeNamesBefore = existingVolumes();
    const imageBefore = docker(['image', 'inspect', '--format', '{{.Id}}', 'sentry-onpremise-local']).trim();

    // B, same release, Compose v2: refused before anything, naming A, the objects and the way out.
    const r1 = await runCli(['install', '--dir', b.dir, '--answers', b.answersFile, '--yes'], v2);
    assert.equal(r1.code, 3, r1.stderr.slice(-3000));
    assert.match(r1.stderr, new RegExp(`${b.dir} would use Docker objects that belong to another install`));
    assert.match(r1.stderr, new RegExp(`volume sentry-postgres: the sentry-onprem install in ${a.dir} \\(label io\\.sentry-onprem\\.dir\\); in use by running container`));
    assert.match(r1.stderr, new RegExp(`compose project onpremise: the sentry-onprem install in ${a.dir}`));
    assert.match(r1.stderr, new RegExp(`image sentry-onpremise-local: the sentry-onprem install in ${a.dir}`));
    assert.match(r1.stderr, new RegExp(`sentry-onprem uninstall --dir ${a.dir} --delete-data`));
    assert.match(r1.stderr, /Nothing was changed\./);

    // B with 20.7.0, Compose v1: the volumes and the image are A's even though the project name differs.
    const r2 = await runCli(['install', '--dir', b.dir, '--answers', b2070Answers, '--yes'], v1);
    assert.equal(r2.code, 3, r2.stderr.slice(-3000));
    assert.match(r2.stderr, new RegExp(`volume sentry-postgres: the sentry-onprem install in ${a.dir}`));
    assert.match(r2.stderr, new RegExp(`volume sentry-data: the sentry-onprem install in ${a.dir}`));
    assert.match(r2.stderr, new RegExp(`image sentry-onpremise-local: the sentry-onprem install in ${a.dir}`));
    assert.doesNotMatch(r2.stderr, /compose project sentry_onpremise/, 'nobody uses the 20.7.0 project name');

    // Nothing was written in B, nothing was started on the engine, and A is exactly as it was.
    assert.deepEqual(readdirSync(b.dir), [], 'the refused install wrote nothing into B');
    assert.deepEqual(containers(P2070), [], 'no container of the 20.7.0 project was created');
    assert.deepEqual(ctrs(), ctrsBefore, "A's containers (ids, start times, state) are unchanged");
    assert.deepEqual(volumeFacts(RELEASES['9.1.2'].externalVolumes), volsBefore, "A's volumes are unchanged");
    assert.deepEqual(existingVolumes(), volumeNamesBefore, 'no volume was created');
    assert.equal(rows(), rowsBefore, "A's database rows are unchanged");
    assert.equal(docker(['image', 'inspect', '--format', '{{.Id}}', 'sentry-onpremise-local']).trim(), imageBefore, "A's image was not rebuilt");

    // check sees the same, as a check of its own; A's own directory passes it.
    const cb = await runCli(['check', '--dir', b.dir, '--tag', '9.1.2', '--json'], v2);
    assert.equal(cb.code, 3, cb.stderr);
    const ownB = (JSON.parse(cb.stdout) as Array<{ id: string; status: string; found: string; remedy: string }>).find((r) => r.id === 'host-ownership')!;
    assert.equal(ownB.status, 'fail');
    assert.match(ownB.found, new RegExp(`volume sentry-postgres: the sentry-onprem install in ${a.dir}`));
    assert.match(ownB.remedy, /sentry-onprem uninstall --dir/);
    const ca = await runCli(['check', '--dir', a.dir, '--tag', '9.1.2', '--json'], v2);
    const ownA = (JSON.parse(ca.stdout) as Array<{ id: string; status: string; found: string }>).find((r) => r.id === 'host-ownership')!;
    assert.equal(ownA.status, 'pass', ownA.found);

    // Removing A: --delete-data without a terminal needs --yes (nothing done), then with it.
    const noYes = await runCli(['uninstall', '--dir', a.dir, '--delete-data'], v2);
    assert.equal(noYes.code, 2, noYes.stderr);
    assert.deepEqual(ctrs(), ctrsBefore, 'uninstall without --yes changed nothing');
    const un = await runCli(['uninstall', '--dir', a.dir, '--delete-data', '--yes'], v2);
    assert.equal(un.code, 0, un.stderr.slice(-3000));
    assert.deepEqual(containers(P912), [], "A's containers are gone");
    assert.deepEqual(existingVolumes(), [], "A's volumes are gone");
    assert.equal(imageLabel('sentry-onpremise-local', 'io.sentry-onprem.dir'), undefined, "A's image is gone");
    assert.equal(existsSync(cronFilePath(a.dir)), false, "A's cron entry is gone");
    assert.ok(existsSync(join(a.dir, 'sentry-onprem.yml')), "A's files stay");

    // Now B installs, and owns what it created.
    const ib = await runCli(['install', '--dir', b.dir, '--answers', b.answersFile, '--yes'], v2);
    assert.equal(ib.code, 0, `install B failed:\n${ib.stderr.slice(-3000)}`);
    assert.equal(JSON.parse(docker(['volume', 'inspect', 'sentry-postgres']))[0].Labels['io.sentry-onprem.dir'], b.dir);
    assert.ok(containers(P912).every((c) => c.running || c.oneoff));
    assert.equal(psql(P912, "SELECT count(*) FROM auth_user WHERE email = 'admin@e2e.test'"), '1');
    assert.equal(psql(P912, "SELECT count(*) FROM pg_tables WHERE tablename = 'ownership_marker'"), '0', "B's database is its own, not A's");
    // A re-run of B changes nothing (the ownership guard accepts its own objects).
    const again = await runCli(['install', '--dir', b.dir, '--yes'], v2);
    assert.equal(again.code, 0, again.stderr.slice(-3000));
  } finally {
    cleanAll();
    for (const f of [a, b]) rmSync(dirname(f.dir), { recursive: true, force: true });
  }
});

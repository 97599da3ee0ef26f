/**
 * `sentry-onprem upgrade` end to end on the real engine with the stand-in images: 9.1.2 with users and
 * events -> 20.7.0. Refusals and --dry-run change nothing on the host; a failing migration rolls back to
 * a healthy 9.1.2 holding exactly the rows it held; then the upgrade itself; then the downgrade refusal.
 * Fails (never skips) in CI when the engine is not there.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { composeEnv, containers, docker, engineReachable, psql, runCli, startCli, teardown, type Flavor } from './harness.js';
import {
  ALL_VOLUMES, PROJECTS, addUsers, composeServices, databaseDump, health, hostSnapshot, runningSecretKey, runningServices,
  storeEvents, upgradeFixture, userRows,
} from './upgrade-helpers.js';

before(() => {
  if (!engineReachable() && process.env.CI) throw new Error('no Docker engine: .ci/run must start dockerd before the tests');
});
const skipReason = () => (!engineReachable() && !process.env.CI ? 'no Docker engine (run .ci/run)' : false);

function cleanAll(dir: string, flavor: Flavor): void {
  for (const p of PROJECTS) teardown(dir, flavor, p, ALL_VOLUMES);
}

const sha256 = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

test('upgrade 9.1.2 -> 20.7.0 (compose v2): refusals, dry run, rollback of a failed migration, the upgrade, the downgrade refusal', { skip: skipReason(), timeout: 20 * 60_000 }, async (t) => {
  const flavor: Flavor = 'v2';
  const ports = { http: 18700, https: 18701 };
  const fx = upgradeFixture(ports);
  const env = composeEnv(flavor);
  const dir = fx.dir;
  const cli = (...args: string[]) => runCli([...args, '--dir', dir], env);
  cleanAll(dir, flavor);
  try {
    const installed = await runCli(['install', '--dir', dir, '--answers', fx.answersFile, '--yes'], env);
    assert.equal(installed.code, 0, installed.stderr.slice(-3000));
    const ca = readFileSync(join(dir, 'tls/cert.pem'), 'utf8');
    await storeEvents('onpremise', ports.https, ca, 5, '9.1.2');
    addUsers('onpremise', ['alice@e2e.test', 'bob@e2e.test']);
    // A stored file where 9.1.2 keeps them: at the top of sentry-data.
    docker(['run', '--rm', '-v', 'sentry-data:/v', 'busybox', 'sh', '-c', 'mkdir -p /v/a1/b2 && echo attachment > /v/a1/b2/c3d4']);
    const rows912 = userRows('onpremise');
    assert.match(rows912, /alice@e2e\.test/);
    assert.equal(psql('onpremise', 'SELECT count(*) FROM sentry_message'), '5');
    const key = JSON.parse(readFileSync(join(dir, '.sentry-onprem/secrets.json'), 'utf8')).secretKey as string;
    assert.equal(runningSecretKey('onpremise'), key);

    await t.test('--dry-run prints the plan and changes nothing', async () => {
      const snap = hostSnapshot(dir);
      const dump = databaseDump('onpremise');
      const r = await cli('upgrade', '--tag', '20.7.0', '--dry-run');
      assert.equal(r.code, 0, r.stderr.slice(-3000));
      assert.match(r.stdout, /path: 9\.1\.2 -> 20\.7\.0 \(1 hop\)/);
      assert.match(r.stdout, /compose project onpremise -> sentry_onpremise/);
      assert.match(r.stdout, /build: sentry-onpremise-local, sentry-cleanup-onpremise-local/);
      assert.match(r.stdout, /update {4}docker-compose\.yml/);
      assert.match(r.stdout, /create {4}relay\/config\.yml/);
      assert.match(r.stdout, /Move stored files into \/data\/files/);
      assert.match(r.stdout, /PostgreSQL data directory 9\.5 -> 9\.6/);
      assert.match(r.stdout, /migrations: sentry upgrade --noinput/);
      assert.match(r.stdout, /backup: database dump \(database [\d.]+ MB\) and \d+ configuration files into .*-9\.1\.2-to-20\.7\.0\//);
      assert.match(r.stdout, /dry run: nothing was changed/);
      assert.deepEqual(hostSnapshot(dir), snap);
      assert.equal(databaseDump('onpremise'), dump);
    });

    await t.test('--dry-run to the newest release prints the whole road (hops, one-off work, images, disk, downtime) and changes nothing', async () => {
      const snap = hostSnapshot(dir);
      const dump = databaseDump('onpremise');
      const r = await cli('upgrade', '--tag', '26.8.0', '--dry-run');
      console.log(`# dry run of the road 9.1.2 -> 26.8.0: ${(r.ms / 1000).toFixed(1)} s`);
      console.log(r.stdout.split('\n').filter((l) => /^(path|database|measured now|hop \d|  disk|  downtime|downtime)/.test(l)).map((l) => `#   ${l}`).join('\n'));
      assert.equal(r.code, 0, r.stderr.slice(-3000));
      assert.match(r.stdout, /path: 9\.1\.2 -> 21\.5\.0 \(hard stop\) -> 21\.6\.3 \(hard stop\) -> 23\.6\.2 \(hard stop\) -> 23\.11\.0 \(hard stop\) -> 24\.8\.0 \(hard stop\) -> 25\.5\.1 \(hard stop\) -> 26\.5\.1 \(hard stop\) -> 26\.8\.0 \(8 hops\)/);
      // The source release read from the database itself.
      assert.match(r.stdout, /database: Sentry 9\.1\.2 \(recorded: 0472_auto__add_field_sentryapp_author; not recorded: 0002_912_to_recent, which Sentry 20\.7\.0 applies\): agrees with the state file/);
      assert.match(r.stdout, /measured now: database [\d.]+ MB, .*sentry-postgres [\d.]+ MB.* free where Docker stores volumes/);
      const hops = r.stdout.split(/\n(?=hop \d+: )/).slice(1);
      assert.deepEqual(hops.map((h) => /^hop \d+: (\S+) -> (\S+)/.exec(h)!.slice(1).join('->')), [
        '9.1.2->21.5.0', '21.5.0->21.6.3', '21.6.3->23.6.2', '23.6.2->23.11.0', '23.11.0->24.8.0', '24.8.0->25.5.1', '25.5.1->26.5.1', '26.5.1->26.8.0',
      ]);
      for (const h of hops) {
        assert.match(h, /\n {2}disk at the worst moment: [\d.]+ (MB|GB) on the .* disk .*(free|not measured)/, h.split('\n')[0]);
        assert.match(h, /\n {2}downtime estimate: \d+ (s|min)/, h.split('\n')[0]);
        assert.match(h, /\n {2}pull: .*\(\d+ of \d+ present/, h.split('\n')[0]);
      }
      // The one-off work of each hop, done here or named as not implemented yet, with the disk it copies.
      assert.match(hops[0], /PostgreSQL data directory 9\.5 -> 9\.6/);
      assert.match(hops[0], /sentry-postgres [\d.]+ MB: pg_upgrade 9\.5 -> 9\.6 into a scratch volume/);
      assert.match(hops[2], /PostgreSQL data directory 9\.6 -> 14, reindexed: /);
      assert.match(hops[2], /Carry ZooKeeper's transaction log over to the renamed project/);
      assert.match(hops[4], /ClickHouse one version at a time: 21\.8 -> 22\.8 -> 23\.3: start each intermediate ClickHouse/);
      assert.match(hops[4], /Kafka on ZooKeeper -> KRaft on a fresh sentry-kafka: stop nginx and relay, wait for every consumer group to reach lag 0/);
      assert.match(hops[5], /NOT YET: this version cannot run this hop: no upgrade into Sentry 25\.5\.1 is described yet/);
      assert.match(r.stdout, /downtime estimate for the whole road: .*measured on the 9\.1\.2 -> 20\.7\.0 upgrade end-to-end test/);
      assert.match(r.stdout, /a real run is refused now: the upgrade .* needs .*which this version of sentry-onprem cannot run yet/);
      assert.match(r.stdout, /dry run: nothing was changed/);
      // Nothing changed: no container restarted, no file, volume, network or image.
      assert.deepEqual(hostSnapshot(dir), snap);
      assert.equal(databaseDump('onpremise'), dump);
    });

    await t.test('25.5.1 (past the hops this version runs) is refused with the path and why each hop cannot run; nothing changes', async () => {
      const snap = hostSnapshot(dir);
      const r = await cli('upgrade', '--tag', '25.5.1', '--yes');
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /upgrade refused: .*\n {2}path: 9\.1\.2 -> 21\.5\.0 \(hard stop\) -> 21\.6\.3 \(hard stop\) -> 23\.6\.2 \(hard stop\) -> 23\.11\.0 \(hard stop\) -> 24\.8\.0 \(hard stop\) -> 25\.5\.1\n/);
      assert.match(r.stderr, /not implemented yet: 24\.8\.0 -> 25\.5\.1: no upgrade into Sentry 25\.5\.1 is described yet/);
      assert.deepEqual(hostSnapshot(dir), snap);
      const unknown = await cli('upgrade', '--tag', '20.7.5', '--yes');
      assert.equal(unknown.code, 2, unknown.stderr);
      assert.match(unknown.stderr, /"20\.7\.5" is not a release of the official self-hosted Sentry installer/);
      assert.deepEqual(hostSnapshot(dir), snap);
    });

    await t.test('a failing 20.7.0 migration rolls back: 9.1.2 runs, healthy, with exactly the rows it had', async () => {
      psql('onpremise', "INSERT INTO standin_faults VALUES ('upgrade-fail', '')");
      const dumpBefore = databaseDump('onpremise');
      const snap = hostSnapshot(dir);
      const r = await cli('upgrade', '--tag', '20.7.0', '--yes');
      console.log(`# rollback run: ${(r.ms / 1000).toFixed(1)} s in all`);
      assert.equal(r.code, 1, r.stderr.slice(-3000));
      assert.match(r.stderr, /upgrade 9\.1\.2 -> 20\.7\.0 failed in "Run the 20\.7\.0 database migrations"/);
      assert.match(r.stderr, /injected migration failure/);
      assert.match(r.stderr, /Rolled back: Sentry 9\.1\.2 runs again \(healthy over https/);
      assert.match(r.stderr, /The database was restored from .*backups\/.*-9\.1\.2-to-20\.7\.0/);
      assert.equal(await health(ports.https, ca), '200 ok');
      assert.deepEqual(await runningServices('onpremise', composeServices(dir)), []);
      assert.equal(containers('sentry_onpremise').length, 0, 'containers of the 20.7.0 project were left');
      assert.equal(databaseDump('onpremise'), dumpBefore, 'the database differs from before the upgrade');
      assert.equal(runningSecretKey('onpremise'), key);
      const after = hostSnapshot(dir) as { files: Record<string, string>; images: unknown; rollbackTags: string[] };
      const before = snap as typeof after;
      const changed = Object.keys({ ...before.files, ...after.files }).filter((f) => before.files[f] !== after.files[f]);
      // Only new files: the run's log and the backup it took.
      assert.deepEqual(changed.filter((f) => !f.startsWith('logs/upgrade-') && !f.startsWith('backups/')), []);
      assert.deepEqual(after.images, before.images, 'the image names point at other images than before');
      assert.deepEqual(after.rollbackTags, []);
      assert.equal(docker(['run', '--rm', '-v', 'sentry-data:/v', 'busybox', 'cat', '/v/a1/b2/c3d4']).trim(), 'attachment');
      assert.ok(!existsSync(join(dir, '.sentry-onprem/upgrade.json')));
      psql('onpremise', "DELETE FROM standin_faults WHERE name = 'upgrade-fail'");
    });

    await t.test('the upgrade: 24 services, healthy over https, same users and events, same secret key, a verified backup', async () => {
      const rows = userRows('onpremise');
      const r = await cli('upgrade', '--tag', '20.7.0', '--yes');
      console.log(`# upgrade 9.1.2 -> 20.7.0: ${(r.ms / 1000).toFixed(1)} s`);
      // The step times src/upgrade/step-times.ts keeps (MEASURED) come from these lines.
      console.log(r.stderr.split('\n').filter((l) => /^ {2}[+-] .*\(\d+\.\d s\)$/.test(l)).map((l) => `#   ${l.trim()}`).join('\n'));
      assert.equal(r.code, 0, r.stderr.slice(-4000));
      assert.match(r.stderr, /upgraded Sentry 9\.1\.2 -> 20\.7\.0 in/);
      assert.match(r.stderr, /database: Sentry 9\.1\.2 \(recorded: 0472_auto__add_field_sentryapp_author.*agrees with the state file/);
      assert.match(r.stderr, /preflight for 20\.7\.0: disk at the worst moment .*: enough; images \d+ present/);
      const services = composeServices(dir);
      assert.equal(services.length, 24);
      assert.deepEqual(await runningServices('sentry_onpremise', services), []);
      assert.equal(containers('onpremise').length, 0, 'the 9.1.2 project still has containers');
      assert.equal(containers('sentry_onpremise').filter((c) => c.oneoff).length, 0, 'one-off containers were left');
      assert.equal(await health(ports.https, ca), '200 ok');
      assert.equal(userRows('sentry_onpremise'), rows);
      // The South history was converted and the 20.7.0 migrations applied.
      assert.ok(Number(psql('sentry_onpremise', "SELECT count(*) FROM django_migrations WHERE app = 'sentry'")) > 0);
      // The same key, now read by 20.7.0 from sentry/config.yml instead of .env.
      assert.equal(JSON.parse(readFileSync(join(dir, '.sentry-onprem/secrets.json'), 'utf8')).secretKey, key);
      assert.equal(runningSecretKey('sentry_onpremise'), key);
      assert.ok(readFileSync(join(dir, 'sentry/config.yml'), 'utf8').includes(key));
      assert.ok(!readFileSync(join(dir, '.env'), 'utf8').includes('SENTRY_SECRET_KEY'));
      // Stored files moved to where 20.7.0 reads them.
      assert.equal(docker(['run', '--rm', '-v', 'sentry-data:/v', 'busybox', 'cat', '/v/files/a1/b2/c3d4']).trim(), 'attachment');
      // State and answers name the new release.
      assert.equal(JSON.parse(readFileSync(join(dir, '.sentry-onprem/state.json'), 'utf8')).tag, '20.7.0');
      assert.match(readFileSync(join(dir, 'sentry-onprem.yml'), 'utf8'), /^tag: 20\.7\.0$/m);
      assert.equal(docker(['images', '-q', '--filter', 'reference=*:sentry-onprem-rollback']).trim(), '');
      // Neither the secret key nor a password reaches the output or the log.
      const upgradeLogs = readdirSync(join(dir, 'logs')).filter((f) => f.startsWith('upgrade-')).map((f) => readFileSync(join(dir, 'logs', f), 'utf8')).join('\n');
      for (const secret of [key, fx.passwords.admin, fx.passwords.mail]) {
        assert.ok(!upgradeLogs.includes(secret) && !r.stderr.includes(secret) && !r.stdout.includes(secret), 'a secret is in the upgrade log or output');
      }

      // The backup: 0700 directory, 0600 files, a manifest whose sizes and checksums match, a dump pg_restore reads.
      const backups = readdirSync(join(dir, 'backups')).filter((b) => b.endsWith('-9.1.2-to-20.7.0')).sort();
      const b = join(dir, 'backups', backups[backups.length - 1]);
      assert.equal(statSync(b).mode & 0o777, 0o700);
      const m = JSON.parse(readFileSync(join(b, 'manifest.json'), 'utf8'));
      assert.equal(m.tag, '9.1.2');
      assert.equal(m.targetTag, '20.7.0');
      assert.equal(sha256(join(b, m.database.file)), m.database.sha256);
      assert.equal(statSync(join(b, m.database.file)).size, m.database.size);
      for (const f of m.files) {
        const p = join(b, 'files', f.path);
        assert.equal(sha256(p), f.sha256, f.path);
        assert.equal(statSync(p).mode & 0o777, 0o600, f.path);
      }
      for (const must of ['.env', '.sentry-onprem/secrets.json', 'sentry-onprem.yml', 'sentry/config.yml', 'tls/key.pem', 'docker-compose.override.yml']) {
        assert.ok(m.files.some((f: { path: string }) => f.path === must), `${must} is not in the backup`);
      }
      const pg = containers('sentry_onpremise').find((c) => c.service === 'postgres' && c.running)!;
      const toc = docker(['exec', '-i', pg.id, 'pg_restore', '--list'], readFileSync(join(b, m.database.file)) as unknown as string);
      assert.match(toc, /TABLE DATA public auth_user/);
      console.log(`# backup: dump ${m.database.size} bytes of a ${m.database.databaseBytes}-byte database, ${m.files.length} files, ${m.tookMs} ms`);
    });

    await t.test('a database behind its state file (the 20.7.0 migrations unrecorded) is refused, exit 3, before anything changes', async () => {
      psql('sentry_onpremise', "UPDATE django_migrations SET app = 'hidden' WHERE app = 'sentry' AND name = '0002_912_to_recent'");
      try {
        const snap = hostSnapshot(dir);
        const r = await cli('upgrade', '--tag', '21.5.0', '--dry-run');
        assert.equal(r.code, 3, r.stderr.slice(-3000));
        assert.match(r.stderr, /the install's state says Sentry 20\.7\.0, but the database is at Sentry 9\.1\.2 \(recorded: 0472_auto__add_field_sentryapp_author; not recorded: 0002_912_to_recent, which Sentry 20\.7\.0 applies\): the migrations of Sentry 20\.7\.0 never ran on it/);
        assert.match(r.stderr, /Nothing was changed\. Bring the database to Sentry 20\.7\.0 first/);
        assert.deepEqual(hostSnapshot(dir), snap);
      } finally {
        psql('sentry_onpremise', "UPDATE django_migrations SET app = 'sentry' WHERE app = 'hidden'");
      }
    });

    await t.test('20.7.0 -> 9.1.2 (a downgrade) is refused with the path; nothing changes; the old backup is refused too', async () => {
      const snap = hostSnapshot(dir);
      const r = await cli('upgrade', '--tag', '9.1.2', '--yes');
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /upgrade refused: 20\.7\.0 -> 9\.1\.2 is a downgrade/);
      assert.match(r.stderr, /path: 20\.7\.0 -> 9\.1\.2/);
      assert.deepEqual(hostSnapshot(dir), snap);
      const backups = readdirSync(join(dir, 'backups')).filter((x) => x.endsWith('-9.1.2-to-20.7.0'));
      const restore = await runCli(['restore', join(dir, 'backups', backups[0]), '--dir', dir, '--yes'], env);
      assert.equal(restore.code, 2, restore.stderr);
      assert.match(restore.stderr, /was taken from Sentry 9\.1\.2, but Sentry 20\.7\.0 is installed/);
      assert.match(restore.stderr, /Install Sentry 9\.1\.2 first/);
      assert.deepEqual(hostSnapshot(dir), snap);
    });
  } finally {
    cleanAll(dir, flavor);
  }
});

test('compose v1 (docker-compose): Ctrl-C during the migrations rolls back; then the upgrade with --no-backup', { skip: skipReason(), timeout: 15 * 60_000 }, async (t) => {
  const flavor: Flavor = 'v1';
  const ports = { http: 18702, https: 18703 };
  const fx = upgradeFixture(ports);
  const env = composeEnv(flavor);
  const dir = fx.dir;
  cleanAll(dir, flavor);
  try {
    const installed = await runCli(['install', '--dir', dir, '--answers', fx.answersFile, '--yes'], env);
    assert.equal(installed.code, 0, installed.stderr.slice(-3000));
    const ca = readFileSync(join(dir, 'tls/cert.pem'), 'utf8');
    addUsers('onpremise', ['carol@e2e.test']);

    await t.test('SIGINT while `sentry upgrade` runs: exit 130, the database restored, 9.1.2 healthy again', async () => {
      psql('onpremise', "INSERT INTO standin_faults VALUES ('upgrade-delay', '60')");
      const dump = databaseDump('onpremise');
      const run = startCli(['upgrade', '--tag', '20.7.0', '--dir', dir, '--yes'], env);
      await run.waitFor(/Applying sentry\.\S+\.\.\./, 300_000);
      run.child.kill('SIGINT');
      const r = await run.done;
      console.log(`# cancelled upgrade incl. rollback: ${(r.ms / 1000).toFixed(1)} s`);
      assert.equal(r.code, 130, r.stderr.slice(-3000));
      assert.match(r.stderr, /upgrade 9\.1\.2 -> 20\.7\.0 cancelled in "Run the 20\.7\.0 database migrations"/);
      assert.match(r.stderr, /The database was restored from/);
      assert.equal(containers('sentry_onpremise').length, 0, 'the 20.7.0 project (or its one-off upgrade container) was left');
      assert.deepEqual(await runningServices('onpremise', composeServices(dir)), []);
      assert.equal(await health(ports.https, ca), '200 ok');
      assert.equal(databaseDump('onpremise'), dump);
      psql('onpremise', "DELETE FROM standin_faults WHERE name = 'upgrade-delay'");
    });

    await t.test('--no-backup: no database dump, the configuration kept, the upgrade done, a re-run of install changes nothing', async () => {
      const rows = userRows('onpremise');
      const r = await runCli(['upgrade', '--tag', '20.7.0', '--dir', dir, '--yes', '--no-backup'], env);
      console.log(`# upgrade 9.1.2 -> 20.7.0 (v1, --no-backup): ${(r.ms / 1000).toFixed(1)} s`);
      assert.equal(r.code, 0, r.stderr.slice(-4000));
      assert.match(r.stderr, /using docker-compose/);
      assert.match(r.stderr, /--no-backup: no database dump was taken; the configuration from before is in .*-9\.1\.2-to-20\.7\.0/);
      const b = readdirSync(join(dir, 'backups')).filter((x) => x.endsWith('-9.1.2-to-20.7.0')).sort().pop()!;
      assert.equal(JSON.parse(readFileSync(join(dir, 'backups', b, 'manifest.json'), 'utf8')).database, null);
      assert.ok(!existsSync(join(dir, 'backups', b, 'postgres.dump')));
      assert.deepEqual(await runningServices('sentry_onpremise', composeServices(dir)), []);
      assert.equal(await health(ports.https, ca), '200 ok');
      assert.equal(userRows('sentry_onpremise'), rows);
      // The images built before the in-place render are current for it: a re-run builds nothing.
      const again = await runCli(['install', '--dir', dir, '--yes'], env);
      assert.equal(again.code, 0, again.stderr.slice(-3000));
      for (const step of ['Render configuration files', 'Build images', 'Run database migrations', 'Start Sentry']) {
        assert.match(again.stderr, new RegExp(`- ${step}: skipped`), `${step} was not skipped after the upgrade`);
      }
    });
  } finally {
    cleanAll(dir, flavor);
  }
});

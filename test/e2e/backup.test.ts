/**
 * `sentry-onprem backup` and `restore` end to end, on the real engine with the stand-in images (9.1.2):
 * a backup refused on a disk too small for it, a backup, a deleted row that a restore brings back, and
 * the restores that must be refused (another release, damaged, no --yes without a terminal).
 * Fails (never skips) in CI when the engine is not there.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeEnv, engineReachable, fixture, psql, runCli, teardown, type Flavor } from './harness.js';
import { addUsers, composeServices, databaseDump, health, hostSnapshot, runningServices, userRows } from './upgrade-helpers.js';
import { RELEASES } from '../../src/catalog.js';

before(() => {
  if (!engineReachable() && process.env.CI) throw new Error('no Docker engine: .ci/run must start dockerd before the tests');
});
const skipReason = () => (!engineReachable() && !process.env.CI ? 'no Docker engine (run .ci/run)' : false);

test('backup, delete a row, restore: the row is back and the stack healthy; refused restores change nothing', { skip: skipReason(), timeout: 15 * 60_000 }, async (t) => {
  const flavor: Flavor = 'v1';
  const tag = '9.1.2';
  const ports = { http: 18710, https: 18711 };
  const fx = fixture(tag, ports);
  const project = RELEASES[tag].projectName;
  const env = composeEnv(flavor);
  const dir = fx.dir;
  teardown(dir, flavor, project, RELEASES[tag].externalVolumes);
  try {
    const installed = await runCli(['install', '--dir', dir, '--answers', fx.answersFile, '--yes'], env);
    assert.equal(installed.code, 0, installed.stderr.slice(-3000));
    addUsers(project, ['dave@e2e.test', 'erin@e2e.test']);
    const ca = readFileSync(join(dir, 'tls/cert.pem'), 'utf8');

    await t.test('a disk with less free space than twice the database refuses the backup before writing', async () => {
      const small = mkdtempSync(join(tmpdir(), 'small-disk-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', small]);
      try {
        symlinkSync(small, join(dir, 'backups'));
        const r = await runCli(['backup', '--dir', dir], env);
        assert.equal(r.code, 3, r.stderr);
        assert.match(r.stderr, /not enough free disk for the backup: [\d.]+ MB free under .*, the database is [\d.]+ MB and the backup needs twice that free/);
        assert.deepEqual(readdirSync(small), []);
      } finally {
        rmSync(join(dir, 'backups'), { force: true });
        execFileSync('umount', [small]);
      }
    });

    let backupDir = '';
    await t.test('backup: a 0700 directory of 0600 files with a manifest, path on stdout', async () => {
      const r = await runCli(['backup', '--dir', dir], env);
      assert.equal(r.code, 0, r.stderr.slice(-3000));
      backupDir = r.stdout.trim();
      assert.match(backupDir, /\/backups\/[0-9T-]+Z-9\.1\.2$/);
      assert.equal(statSync(join(dir, 'backups')).mode & 0o777, 0o700);
      assert.equal(statSync(backupDir).mode & 0o777, 0o700);
      const m = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8'));
      assert.equal(m.tag, '9.1.2');
      assert.equal(m.kind, 'manual');
      assert.ok(m.database.size > 0 && m.database.databaseBytes > 0);
      for (const f of ['manifest.json', 'postgres.dump', 'files/.env', 'files/.sentry-onprem/secrets.json']) {
        assert.equal(statSync(join(backupDir, f)).mode & 0o777, 0o600, f);
      }
      console.log(`# backup: ${(r.ms / 1000).toFixed(1)} s, dump ${m.database.size} bytes of a ${m.database.databaseBytes}-byte database`);
    });

    await t.test('delete a row and change a file, restore: both back, every service runs, healthy over https', async () => {
      const rows = userRows(project);
      const dump = databaseDump(project);
      psql(project, "DELETE FROM auth_user WHERE email = 'dave@e2e.test'");
      assert.doesNotMatch(userRows(project), /dave@e2e\.test/);
      writeFileSync(join(dir, 'sentry/sentry.conf.py'), '# broken\n', { mode: 0o600 });
      const r = await runCli(['restore', backupDir, '--dir', dir, '--yes'], env);
      console.log(`# restore: ${(r.ms / 1000).toFixed(1)} s`);
      assert.equal(r.code, 0, r.stderr.slice(-3000));
      assert.equal(userRows(project), rows);
      assert.equal(databaseDump(project), dump);
      assert.notEqual(readFileSync(join(dir, 'sentry/sentry.conf.py'), 'utf8'), '# broken\n');
      assert.deepEqual(await runningServices(project, composeServices(dir)), []);
      assert.equal(await health(ports.https, ca), '200 ok');
    });

    await t.test('refused: without --yes and no terminal, a damaged backup, a backup of another release', async () => {
      const snap = hostSnapshot(dir);
      const noYes = await runCli(['restore', backupDir, '--dir', dir], env);
      assert.equal(noYes.code, 2, noYes.stderr);
      assert.match(noYes.stderr, /needs --yes/);

      const damaged = join(mkdtempSync(join(tmpdir(), 'damaged-')), 'b');
      cpSync(backupDir, damaged, { recursive: true });
      const dumpFile = join(damaged, 'postgres.dump');
      const bytes = readFileSync(dumpFile);
      bytes[bytes.length - 10] ^= 0xff;
      writeFileSync(dumpFile, bytes);
      const bad = await runCli(['restore', damaged, '--dir', dir, '--yes'], env);
      assert.equal(bad.code, 1, bad.stderr);
      assert.match(bad.stderr, /is damaged:\n {2}- postgres\.dump: checksum differs from the manifest/);

      const other = join(mkdtempSync(join(tmpdir(), 'other-')), 'b');
      cpSync(backupDir, other, { recursive: true });
      const m = JSON.parse(readFileSync(join(other, 'manifest.json'), 'utf8'));
      writeFileSync(join(other, 'manifest.json'), JSON.stringify({ ...m, tag: '20.7.0' }));
      const wrong = await runCli(['restore', other, '--dir', dir, '--yes'], env);
      assert.equal(wrong.code, 2, wrong.stderr);
      assert.match(wrong.stderr, /was taken from Sentry 20\.7\.0, but Sentry 9\.1\.2 is installed/);
      assert.match(wrong.stderr, /Install Sentry 20\.7\.0 first/);

      const empty = join(mkdtempSync(join(tmpdir(), 'empty-')), 'install');
      mkdirSync(empty);
      const none = await runCli(['restore', backupDir, '--dir', empty, '--yes'], env);
      assert.equal(none.code, 2, none.stderr);
      assert.match(none.stderr, /install that first \(sentry-onprem install --tag 9\.1\.2 --dir /);
      assert.ok(!existsSync(join(empty, '.sentry-onprem')));
      assert.deepEqual(hostSnapshot(dir), snap);
    });
  } finally {
    teardown(dir, flavor, project, RELEASES[tag].externalVolumes);
  }
});

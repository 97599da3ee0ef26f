import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { moveScript, moveBackScript } from '../../src/upgrade/one-offs/file-storage.js';
import { pgDecision, PG_9_5_TO_9_6 } from '../../src/upgrade/one-offs/postgres-major.js';
import { parseSentryVersion, installedTag } from '../../src/upgrade/installed.js';
import { tagChangeRefusal, unfinishedUpgradeRefusal } from '../../src/upgrade/guard.js';
import { writeMarker, readMarker, clearMarker } from '../../src/upgrade/marker.js';
import { removeCreated } from '../../src/upgrade/rollback.js';
import { failureReport } from '../../src/upgrade/report.js';
import { newHopDone } from '../../src/upgrade/run-hop.js';
import { layoutFor } from '../../src/layout.js';
import { UserError } from '../../src/errors.js';

const uid = process.getuid?.() ?? 0;
const sh = (script: string) => execFileSync('sh', ['-c', script], { encoding: 'utf8' });

function tree(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? [`${p.slice(root.length + 1)}/`, ...tree(root, p)] : [p.slice(root.length + 1)];
  }).sort();
}

test('file storage: 9.1.2 files at the top of the volume move into files/, dot files too, and back again', () => {
  const root = mkdtempSync(join(tmpdir(), 'data-'));
  mkdirSync(join(root, 'ab/cd'), { recursive: true });
  writeFileSync(join(root, 'ab/cd/0123'), 'blob');
  writeFileSync(join(root, '.hidden'), 'h');
  writeFileSync(join(root, 'name with space'), 's');
  const before = tree(root);
  assert.match(sh(moveScript(uid, root)), /sentry-onprem: moved 3 files/);
  assert.deepEqual(tree(root), ['files/', ...before.map((p) => `files/${p}`)].sort());
  assert.equal(readFileSync(join(root, 'files/ab/cd/0123'), 'utf8'), 'blob');
  assert.match(sh(moveScript(uid, root)), /already in \/data\/files/, 'a second run changes nothing');
  assert.match(sh(moveBackScript(uid, root)), /moved the stored files back/);
  assert.deepEqual(tree(root), before);
});

test('file storage: an empty volume is left alone', () => {
  const root = mkdtempSync(join(tmpdir(), 'data-'));
  assert.match(sh(moveScript(uid, root)), /no stored files/);
  assert.deepEqual(readdirSync(root), []);
  assert.equal(sh(moveBackScript(uid, root)), '', 'nothing to move back');
});

test('postgres data directory: only PG_VERSION 9.5 is converted', () => {
  assert.equal(pgDecision('9.5\n', PG_9_5_TO_9_6).upgrade, true);
  for (const v of ['9.6', '15', '10', '']) assert.equal(pgDecision(v, PG_9_5_TO_9_6).upgrade, false, v);
  assert.match(pgDecision('15\n', PG_9_5_TO_9_6).why, /PG_VERSION is 15: the data directory needs no 9\.5 -> 9\.6 upgrade/);
  assert.match(pgDecision('', PG_9_5_TO_9_6).why, /empty/);
});

test('sentry --version output of both releases', () => {
  assert.equal(parseSentryVersion('sentry, version 9.1.2\n'), '9.1.2');
  assert.equal(parseSentryVersion('sentry, version 20.7.0 (abc123)\n'), '20.7.0');
  assert.equal(parseSentryVersion('command not found'), undefined);
});

test('installed tag: from the state, and only when the install finished', () => {
  const layout = layoutFor(mkdtempSync(join(tmpdir(), 'inst-')));
  const base = { builds: {}, history: [] };
  assert.throws(() => installedTag(layout, base), (e: unknown) => e instanceof UserError && e.exitCode === 2 && /no Sentry is installed/.test(e.message));
  assert.throws(() => installedTag(layout, { ...base, tag: '9.1.2', lastCompletedStep: 'migrations' }), /did not finish/);
  assert.throws(() => installedTag(layout, { ...base, tag: '8.0.0', lastCompletedStep: 'summary' }), /does not know/);
  assert.equal(installedTag(layout, { ...base, tag: '9.1.2', lastCompletedStep: 'summary' }), '9.1.2');
});

test('install or reconfigure with another tag is pointed at upgrade', () => {
  assert.equal(tagChangeRefusal(undefined, '20.7.0', '/srv/sentry'), undefined);
  assert.equal(tagChangeRefusal('9.1.2', '9.1.2', '/srv/sentry'), undefined);
  const e = tagChangeRefusal('9.1.2', '20.7.0', '/srv/sentry')!;
  assert.equal(e.exitCode, 2);
  assert.match(e.hint!, /sentry-onprem upgrade --tag 20\.7\.0 --dir \/srv\/sentry/);
});

test('an unfinished upgrade is found, and names the restore that undoes it', () => {
  const layout = layoutFor(mkdtempSync(join(tmpdir(), 'inst-')));
  mkdirSync(layout.stateDir, { recursive: true });
  assert.equal(unfinishedUpgradeRefusal(layout), undefined);
  writeMarker(layout, { from: '9.1.2', to: '20.7.0', backupDir: '/srv/sentry/backups/x', startedAt: 't', pid: 1 });
  assert.equal(readMarker(layout)?.to, '20.7.0');
  assert.match(unfinishedUpgradeRefusal(layout)!.hint!, /sentry-onprem restore \/srv\/sentry\/backups\/x --dir .* --yes/);
  clearMarker(layout);
  assert.equal(readMarker(layout), undefined);
});

test('rollback removes what the target created, and the directories only it had', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inst-'));
  for (const p of ['relay/config.yml', 'relay/credentials.json', 'cron/Dockerfile', 'sentry/config.yml', '.sentry-onprem/rendered/relay/config.yml']) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), 'x');
  }
  const n = removeCreated(dir, ['relay/config.yml', 'relay/credentials.json', 'cron/Dockerfile', '.sentry-onprem/rendered/relay/config.yml', 'symbolicator/config.yml']);
  assert.equal(n, 4);
  assert.ok(!existsSync(join(dir, 'relay')) && !existsSync(join(dir, 'cron')) && !existsSync(join(dir, '.sentry-onprem/rendered/relay')));
  assert.ok(existsSync(join(dir, 'sentry/config.yml')) && existsSync(join(dir, '.sentry-onprem/rendered')));
});

test('failure report: what failed, what runs now, and what to do about the database', () => {
  const hop = { from: '9.1.2', to: '20.7.0', oneOffs: [] };
  const done = { ...newHopDone(), failedStep: 'Run the 20.7.0 database migrations', oldStackStopped: true, databaseChanged: true };
  const backup = { dir: '/b', manifest: {} as never };
  const restored = failureReport({ hop, error: new Error('exit 1'), done: { ...done, backup }, rollback: { problems: [], database: 'restored', restarted: true, health: 'healthy over https after 1.0 s' }, cancelled: false, log: '/l', ms: 1 });
  assert.equal(restored.exitCode, 1);
  assert.match(restored.message, /failed in "Run the 20\.7\.0 database migrations": exit 1/);
  assert.match(restored.message, /Rolled back: Sentry 9\.1\.2 runs again \(healthy over https/);
  assert.match(restored.message, /database was restored from \/b/);
  const declined = failureReport({ hop, error: new Error('x'), done: { ...done, backup }, rollback: { problems: [], database: 'declined', restarted: true }, cancelled: false, log: '/l', ms: 1 });
  assert.match(declined.message, /NOT restored.*sentry-onprem restore \/b --yes/s);
  const early = failureReport({ hop, error: new UserError('not enough free disk', 3, 'Free some.'), done: newHopDone(), cancelled: false, log: '/l', ms: 1 });
  assert.equal(early.exitCode, 3);
  assert.match(early.message, /Nothing was changed: Sentry 9\.1\.2 keeps running/);
  const cancelled = failureReport({ hop, error: new Error('cancelled'), done: { ...newHopDone(), backup, failedStep: 'Build' }, rollback: { problems: ['Put back: boom'], database: 'untouched', restarted: false }, cancelled: true, log: '/l', ms: 1 });
  assert.equal(cancelled.exitCode, 130);
  assert.match(cancelled.message, /never stopped and keeps running/);
  assert.match(cancelled.message, /did not complete:\n  - Put back: boom/);
});

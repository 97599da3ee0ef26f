import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, statSync, chmodSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layoutFor } from '../../src/layout.js';
import { configFiles, copyIntoBackup, putBackFiles, sha256File } from '../../src/backup/config-files.js';
import { readManifest, verifyBackup, writeManifest, DUMP_FILE, type Manifest } from '../../src/backup/manifest.js';
import { isCustomDump } from '../../src/backup/postgres.js';
import { enoughForBackup, freeBytes, humanBytes } from '../../src/backup/free-space.js';
import { backupName } from '../../src/backup/take-backup.js';
import { UserError } from '../../src/errors.js';

/** An install directory as a 9.1.2 install leaves it (contents are placeholders). */
function install(): ReturnType<typeof layoutFor> {
  const dir = join(mkdtempSync(join(tmpdir(), 'backup-unit-')), 'install');
  const layout = layoutFor(dir);
  const put = (p: string, body: string, mode = 0o644) => {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), body);
    chmodSync(join(dir, p), mode);
  };
  for (const p of ['docker-compose.yml', '.env', 'sentry/config.yml', 'sentry/sentry.conf.py', 'nginx/nginx.conf']) {
    const mode = p === '.env' || p.startsWith('sentry/') ? 0o600 : 0o644;
    put(p, `rendered ${p}\n`, mode);
    put(`.sentry-onprem/rendered/${p}`, `rendered ${p}\n`, 0o600);
  }
  put('sentry-onprem.yml', 'tag: 9.1.2\n', 0o600);
  put('.sentry-onprem/secrets.json', '{"secretKey":"k"}\n', 0o600);
  put('.sentry-onprem/state.json', '{"tag":"9.1.2"}\n', 0o600);
  put('tls/cert.pem', 'CERT\n');
  put('tls/key.pem', 'KEY\n', 0o600);
  put('logs/install-x.log', 'not configuration\n');
  return layout;
}

test('configFiles: answers, secrets, state, every rendered file and its merge base, TLS; not logs or missing files', () => {
  const layout = install();
  const files = configFiles(layout);
  for (const p of ['sentry-onprem.yml', '.sentry-onprem/secrets.json', '.sentry-onprem/state.json', '.env', 'docker-compose.yml',
    'sentry/config.yml', '.sentry-onprem/rendered/.env', '.sentry-onprem/rendered/sentry/sentry.conf.py', 'tls/cert.pem', 'tls/key.pem']) {
    assert.ok(files.includes(p), p);
  }
  assert.ok(!files.some((f) => f.startsWith('logs/')));
  assert.ok(!files.includes('docker-compose.override.yml'), 'absent files are not listed');
  assert.ok(!files.includes('relay/credentials.json'));
  writeFileSync(join(layout.dir, 'docker-compose.override.yml'), 'services: {}\n');
  assert.ok(configFiles(layout).includes('docker-compose.override.yml'));
});

test('copyIntoBackup: 0700 directories, 0600 files, sizes and checksums; putBackFiles restores content and mode', () => {
  const layout = install();
  const backup = join(layout.backupsDir, 'b1');
  mkdirSync(backup, { recursive: true, mode: 0o700 });
  const entries = copyIntoBackup(layout, configFiles(layout), backup);
  for (const e of entries) {
    const copy = join(backup, 'files', e.path);
    assert.equal(statSync(copy).mode & 0o777, 0o600, e.path);
    assert.equal(sha256File(copy), e.sha256);
    assert.equal(statSync(copy).size, e.size);
  }
  for (const d of ['files', 'files/sentry', 'files/.sentry-onprem', 'files/.sentry-onprem/rendered/sentry']) {
    assert.equal(statSync(join(backup, d)).mode & 0o777, 0o700, d);
  }
  const compose = entries.find((e) => e.path === 'docker-compose.yml')!;
  assert.equal(compose.mode, 0o644);

  writeFileSync(join(layout.dir, 'docker-compose.yml'), 'changed\n');
  chmodSync(join(layout.dir, 'docker-compose.yml'), 0o600);
  rmSync(join(layout.dir, '.env'));
  const written = putBackFiles(layout, backup, entries);
  assert.deepEqual(written.sort(), ['.env', 'docker-compose.yml']);
  assert.equal(readFileSync(join(layout.dir, 'docker-compose.yml'), 'utf8'), 'rendered docker-compose.yml\n');
  assert.equal(statSync(join(layout.dir, 'docker-compose.yml')).mode & 0o777, 0o644);
  assert.equal(statSync(join(layout.dir, '.env')).mode & 0o777, 0o600);
  assert.deepEqual(putBackFiles(layout, backup, entries), [], 'a second put-back writes nothing');
});

function manifestFor(dir: string, files: Manifest['files'], dump: Buffer | null): Manifest {
  if (dump) writeFileSync(join(dir, DUMP_FILE), dump);
  return {
    format: 1, kind: 'manual', createdAt: new Date().toISOString(), tag: '9.1.2', project: 'onpremise', images: {}, tookMs: 1, files,
    database: dump ? { file: DUMP_FILE, name: 'postgres', server: '9.5', databaseBytes: 1000, size: dump.length, sha256: sha256File(join(dir, DUMP_FILE)) } : null,
  };
}

test('verifyBackup: intact is empty; a missing file, a changed size and a changed byte are each reported', () => {
  const layout = install();
  const backup = join(layout.backupsDir, 'b2');
  mkdirSync(backup, { recursive: true });
  const m = manifestFor(backup, copyIntoBackup(layout, configFiles(layout), backup), Buffer.from('PGDMP\x01\x0e\x00 dump body'));
  writeManifest(backup, m);
  assert.equal(statSync(join(backup, 'manifest.json')).mode & 0o777, 0o600);
  const read = readManifest(backup);
  assert.deepEqual(read, m);
  assert.deepEqual(verifyBackup(backup, read), []);

  appendFileSync(join(backup, DUMP_FILE), 'x');
  const buf = readFileSync(join(backup, 'files/.env'));
  buf[0] ^= 1;
  writeFileSync(join(backup, 'files/.env'), buf);
  rmSync(join(backup, 'files/tls/key.pem'));
  const problems = verifyBackup(backup, read);
  assert.equal(problems.length, 3, problems.join('\n'));
  assert.match(problems.join('\n'), /postgres\.dump: \d+ bytes, the manifest says/);
  assert.match(problems.join('\n'), /files\/\.env: checksum differs/);
  assert.match(problems.join('\n'), /files\/tls\/key\.pem: missing/);
});

test('readManifest: no manifest means no (finished) backup; a foreign format is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'backup-unit-'));
  assert.throws(() => readManifest(dir), (e: unknown) => e instanceof UserError && e.exitCode === 2 && /did not finish/.test(e.message));
  writeFileSync(join(dir, 'manifest.json'), '{"format": 2, "tag": "9.1.2", "files": []}');
  assert.throws(() => readManifest(dir), /format 2/);
  writeFileSync(join(dir, 'manifest.json'), '{not json');
  assert.throws(() => readManifest(dir), /not valid JSON/);
});

test('isCustomDump: the PGDMP magic of pg_dump -Fc', () => {
  const dir = mkdtempSync(join(tmpdir(), 'backup-unit-'));
  writeFileSync(join(dir, 'a'), 'PGDMP\x01\x0e');
  writeFileSync(join(dir, 'b'), '-- PostgreSQL database dump\n');
  writeFileSync(join(dir, 'c'), 'PG');
  assert.equal(isCustomDump(join(dir, 'a')), true);
  assert.equal(isCustomDump(join(dir, 'b')), false);
  assert.equal(isCustomDump(join(dir, 'c')), false);
  assert.equal(isCustomDump(join(dir, 'missing')), false);
});

test('free disk must be at least twice the database size', () => {
  assert.equal(enoughForBackup(2000, 1000), true);
  assert.equal(enoughForBackup(1999, 1000), false);
  assert.equal(enoughForBackup(0, 0), true);
  assert.ok(freeBytes(join(tmpdir(), 'does', 'not', 'exist', 'yet')) > 0, 'measured on the nearest existing parent');
  assert.equal(humanBytes(8_800_000), '8.8 MB');
  assert.equal(humanBytes(83_589_800_000), '83.6 GB');
});

test('backup names: time first (they sort), then the tags', () => {
  assert.equal(backupName('2026-01-02T03-04-05-006Z', '9.1.2', '20.7.0'), '2026-01-02T03-04-05-006Z-9.1.2-to-20.7.0');
  assert.equal(backupName('2026-01-02T03-04-05-006Z', '20.7.0'), '2026-01-02T03-04-05-006Z-20.7.0');
});

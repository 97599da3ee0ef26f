/**
 * Writes on a full filesystem, for real: a small tmpfs (`mount -t tmpfs -o size=…`), filled so that only one
 * page is free, then a write larger than that page. The kernel writes what fits and reports the rest as a
 * short write, then ENOSPC. The write must fail with that reason and leave the old file byte-identical (a
 * truncated secrets.json renamed over the good one would lose the secret key for good).
 * Needs root (mount); in CI it must run, elsewhere it is skipped with the reason when not root.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, fstatSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../src/fs/atomic.js';
import { UserError } from '../../src/errors.js';
import { ensureBuilt, minimalAnswers, render, removeDir, tempDir, writeAnswers } from '../helpers/cli.js';

const isRoot = process.getuid?.() === 0;
const skip = !isRoot && !process.env.CI ? 'needs root to mount a small tmpfs (run as root, as CI does)' : false;
let root = '';
const mounts: string[] = [];

before(() => {
  if (!isRoot && process.env.CI) throw new Error('CI must run the full-disk tests as root (they mount a tmpfs)');
  if (skip) return;
  ensureBuilt();
  root = tempDir('atomic-full-');
});

after(() => {
  for (const m of mounts) spawnSync('umount', [m]);
  if (root) removeDir(root);
});

function smallFs(name: string, size: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, `mount failed: ${r.stderr}`);
  mounts.push(dir);
  return dir;
}

/** Fills the filesystem of `dir`, then gives one page back: the next large write is a short write. */
function fillLeavingOnePage(dir: string): void {
  const fd = openSync(join(dir, 'filler'), 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) {
      const n = writeSync(fd, chunk);
      if (n < chunk.length) break;
    }
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
  }
  ftruncateSync(fd, Math.max(0, fstatSync(fd).size - 4096));
  closeSync(fd);
}

const leftovers = (dir: string) => readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.tmp'));

test('writeFileAtomic on a full filesystem: a short write then ENOSPC fails with the reason; the old file is intact', { skip }, () => {
  const dir = smallFs('direct', '256k');
  const file = join(dir, 'secrets.json');
  writeFileAtomic(file, '{"secretKey": "the good one"}\n', { mode: 0o600 });
  const before = readFileSync(file);
  fillLeavingOnePage(dir);
  // Larger than the one free page: the first write(2) is short (4096 bytes), the next one ENOSPC.
  const big = Buffer.alloc(10_000, 'x');
  assert.throws(
    () => writeFileAtomic(file, big, { mode: 0o600 }),
    (err: unknown) => err instanceof UserError && /cannot write .*secrets\.json: no space left on the device \(ENOSPC\); the file was not replaced/.test(err.message),
  );
  assert.deepEqual(readFileSync(file), before, 'the old file changed');
  assert.deepEqual(leftovers(dir), [], 'a temporary file was left behind');
});

test('render on a full filesystem: exit 1 naming ENOSPC and secrets.json; secrets.json byte-identical', { skip }, () => {
  const dir = smallFs('cli', '1m');
  const install = join(dir, 'install');
  const answers = (mailPassword: string) =>
    writeAnswers(join(root, `answers-${mailPassword.length}.yml`), { ...minimalAnswers('20.7.0'), tls: { mode: 'off' }, url: 'http://sentry.example.com', mail: { password: mailPassword } });
  const first = render(install, answers('first-mail-password'));
  assert.equal(first.code, 0, first.stderr);
  const secretsFile = join(install, '.sentry-onprem', 'secrets.json');
  const before = readFileSync(secretsFile);
  fillLeavingOnePage(dir);
  // A new mail password longer than the free page: secrets.json (written first) no longer fits.
  const r = render(install, answers('m'.repeat(6000)));
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^error: cannot write \S+\/\.sentry-onprem\/secrets\.json: no space left on the device \(ENOSPC\); the file was not replaced$/m);
  assert.match(r.stderr, /^next: Free space on the filesystem of /m);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'a stack trace was printed');
  assert.deepEqual(readFileSync(secretsFile), before, 'secrets.json changed');
  assert.deepEqual(leftovers(install), [], 'a temporary file was left behind');
  // Space freed, the same command succeeds and writes the new password.
  writeFileSync(join(dir, 'filler'), '');
  const again = render(install, answers('m'.repeat(6000)));
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(readFileSync(secretsFile, 'utf8')).mailPassword, 'm'.repeat(6000));
});

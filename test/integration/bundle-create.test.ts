/**
 * `bundle create` refuses before it writes: -o naming a directory or an unknown release (exit 2), and images the
 * engine lacks (exit 3, each named; no file, no temporary file left). Reads the engine only (image inspects).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, removeDir, runCli, tempDir, writeAnswers } from '../helpers/cli.js';
import { engineReachable } from '../e2e/harness.js';

ensureBuilt();

test('bundle create: bad -o or --tag is exit 2; images the engine lacks are exit 3 naming them; nothing written', (t) => {
  const root = tempDir();
  try {
    mkdirSync(join(root, 'adir'));
    const dirOut = runCli(['bundle', 'create', '--tag', '9.1.2', '-o', join(root, 'adir')]);
    assert.equal(dirOut.code, 2, dirOut.stderr);
    assert.match(dirOut.stderr, /-o .*adir is a directory/);
    const badTag = runCli(['bundle', 'create', '--tag', '9.9.9', '-o', join(root, 'b')]);
    assert.equal(badTag.code, 2, badTag.stderr);
    assert.match(badTag.stderr, /--tag: got "9\.9\.9"/);
    if (!engineReachable()) return void t.diagnostic('no engine: the missing-image case is not run');
    const answers = writeAnswers(join(root, 'answers.yml'), { tag: '9.1.2', images: { registry: 'mirror.invalid:5000/none' } });
    const lacking = runCli(['bundle', 'create', '--tag', '9.1.2', '--answers', answers, '-o', join(root, 'b.bundle')]);
    assert.equal(lacking.code, 3, lacking.stderr);
    assert.match(lacking.stderr, /the engine lacks 6 of the 6 images Sentry 9\.1\.2 needs: mirror\.invalid:5000\/none\/tianon\/exim4/);
    assert.deepEqual(readdirSync(root).sort(), ['adir', 'answers.yml']);
  } finally {
    removeDir(root);
  }
});

test('bundle create interrupted (SIGINT while saving): exit 130, no bundle and no temporary file left', async (t) => {
  if (!engineReachable()) return void t.skip('no engine');
  const root = tempDir();
  try {
    const { spawn } = await import('node:child_process');
    const { CLI } = await import('../helpers/cli.js');
    const child = spawn(process.execPath, [CLI, 'bundle', 'create', '--tag', '9.1.2', '-o', join(root, 'b.bundle')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    await new Promise<void>((res) => child.stderr.on('data', () => /saving 6 images/.test(err) && res()));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
    assert.equal(code, 130, err);
    assert.deepEqual(readdirSync(root), []);
  } finally {
    removeDir(root);
  }
});

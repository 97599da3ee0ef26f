/**
 * The tests and scripts type-check with the sources (tsconfig.test.json): `npm run build` compiles only
 * the sources, and tsx runs the tests without checking their types, so a test calling a helper with the
 * wrong shape would otherwise fail only when it runs, or pass by accident.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('sources, tests and scripts type-check together (tsc -p tsconfig.test.json)', { timeout: 180_000 }, () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.test.json'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `tsc found type errors:\n${(r.stdout + r.stderr).trim().split('\n').slice(0, 40).join('\n')}`);
});

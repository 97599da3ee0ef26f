import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatingLog } from '../../src/cleanup/rotating-log.js';

test('the cleanup log rotates at its size limit and keeps only the newest files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rotlog-'));
  const path = join(dir, 'logs', 'cleanup.log');
  const log = new RotatingLog(path, 1000, 3);
  for (let i = 0; i < 200; i++) log.write(`line ${i} ${'x'.repeat(40)}`);
  assert.deepEqual(readdirSync(join(dir, 'logs')).sort(), ['cleanup.log', 'cleanup.log.1', 'cleanup.log.2', 'cleanup.log.3']);
  for (const f of readdirSync(join(dir, 'logs'))) assert.ok(statSync(join(dir, 'logs', f)).size < 1000 + 100, f);
  assert.match(readFileSync(path, 'utf8'), /line 199 /);
  assert.doesNotMatch(readFileSync(`${path}.3`, 'utf8'), /line 0 /, 'the oldest lines were dropped');
  assert.equal(statSync(path).mode & 0o777, 0o600);
});

test('the cleanup log redacts secrets and timestamps every line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rotlog-'));
  const log = new RotatingLog(join(dir, 'c.log'));
  log.addSecrets(['s3cr3t-value']);
  log.write('a s3cr3t-value b\nsecond');
  const lines = readFileSync(join(dir, 'c.log'), 'utf8').trim().split('\n');
  assert.equal(lines.length, 2);
  for (const l of lines) assert.match(l, /^\d{4}-\d\d-\d\dT\S+Z /);
  assert.match(lines[0], /a <redacted> b/);
});

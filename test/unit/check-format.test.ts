import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPlain, formatTable, summary } from '../../checks/format-results.js';
import type { CheckResult } from '../../checks/types.js';

const results: CheckResult[] = [
  { id: 'docker-daemon', title: 't', status: 'pass', found: 'engine 20.10.24', required: 'an engine', remedy: null },
  { id: 'memory', title: 't', status: 'warn', found: '2390 MB', required: '2400 MB', remedy: 'Add memory.' },
  { id: 'ports', title: 't', status: 'warn', skipped: true, found: '80 taken by nginx (pid 1)', required: 'port 80 free', remedy: 'Failure ignored because of --skip-check ports. Stop nginx.' },
  { id: 'disk', title: 't', status: 'fail', found: '3.0 GB free', required: '20.0 GB free', remedy: 'Free space.' },
];

test('plain output: one line per check with status, found, required, fix; then a summary', () => {
  const lines = formatPlain(results).trimEnd().split('\n');
  assert.equal(lines[0], 'PASS docker-daemon: engine 20.10.24; required: an engine');
  assert.equal(lines[1], 'WARN memory: 2390 MB; required: 2400 MB; fix: Add memory.');
  assert.match(lines[2], /^WARN ports \(failure skipped by --skip-check\): /);
  assert.equal(lines[3], 'FAIL disk: 3.0 GB free; required: 20.0 GB free; fix: Free space.');
  assert.equal(lines[4], '1 passed, 2 warnings, 1 failed (failure of ports skipped on request)');
});

test('table output fits the terminal width and puts the remedy under its row', () => {
  const text = formatTable(results, 80);
  for (const line of text.split('\n')) assert.ok(line.length <= 80, `too wide: ${line}`);
  assert.match(text, /FAIL  disk +3\.0 GB free/);
  assert.match(text, /-> Free space\./);
  assert.match(text, /pass\s+docker-daemon/);
  assert.match(text, /warn\* ports/);
  assert.match(text, /\* a failure turned into a warning by --skip-check/);
});

test('summary counts', () => {
  assert.equal(summary([results[0]]), '1 passed, 0 warnings, 0 failed');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideDisk, decideFreeSpace, DEFAULT_DISK_FLOOR_BYTES } from '../../checks/disk.js';
import { freeSpace } from '../../checks/host/free-space.js';

const FLOOR = DEFAULT_DISK_FLOOR_BYTES;
const place = (label: string, path: string, bytes: number, device: number) => ({ label, space: { ok: true as const, path, bytes, device } });

test('floor 20 GB: under fails, under twice the floor warns, from twice the floor passes', () => {
  assert.equal(FLOOR, 20e9);
  assert.equal(decideFreeSpace(FLOOR - 1, FLOOR), 'fail');
  assert.equal(decideFreeSpace(FLOOR, FLOOR), 'warn');
  assert.equal(decideFreeSpace(2 * FLOOR - 1, FLOOR), 'warn');
  assert.equal(decideFreeSpace(2 * FLOOR, FLOOR), 'pass');
});

test('the worst place decides and is named in the remedy', () => {
  const v = decideDisk([place('Docker root dir', '/var/lib/docker', 100e9, 1), place('install dir', '/srv/sentry', 10e9, 2)], FLOOR);
  assert.equal(v.status, 'fail');
  assert.match(v.remedy!, /\/srv\/sentry/);
  assert.match(v.found, /\/var\/lib\/docker: 100\.0 GB free; install dir \/srv\/sentry: 10\.0 GB free/);
});

test('one filesystem holding both is reported once', () => {
  const v = decideDisk([place('Docker root dir', '/var/lib/docker', 30e9, 7), place('install dir', '/opt/s', 30e9, 7)], FLOOR);
  assert.equal(v.status, 'warn');
  assert.match(v.found, /same filesystem as Docker root dir/);
});

test('a place that cannot be measured (remote engine) warns', () => {
  const v = decideDisk(
    [{ label: 'Docker root dir', space: { ok: false, path: '/var/lib/docker', reason: 'the engine runs on another host' } }, place('install dir', '/opt/s', 90e9, 1)],
    FLOOR,
  );
  assert.equal(v.status, 'warn');
  assert.match(v.found, /not measured \(the engine runs on another host\)/);
});

test('freeSpace measures the nearest existing parent of a directory not created yet', async () => {
  const s = await freeSpace('/tmp/does-not-exist-yet/sentry');
  assert.equal(s.ok, true);
  if (s.ok) {
    assert.equal(s.path, '/tmp');
    assert.ok(s.bytes > 0);
  }
});

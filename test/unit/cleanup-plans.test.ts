import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planVacuum, formatBytes, VACUUM_SQL } from '../../src/cleanup/vacuum-plan.js';
import { planSentryCleanup } from '../../src/cleanup/sentry-cleanup-plan.js';
import { parseDays, parseVacuum } from '../../src/commands/cleanup.js';
import { UserError, EXIT } from '../../src/errors.js';

const table = { name: 'nodestore_node', bytes: 500 * 1048576 };

test('vacuum analyze and off never look at the disk', () => {
  assert.deepEqual(planVacuum('analyze'), { requested: 'analyze', run: 'analyze', sql: 'VACUUM (ANALYZE)' });
  assert.deepEqual(planVacuum('off', 0, table), { requested: 'off', run: 'off' });
});

test('vacuum full runs when the free disk holds the largest table', () => {
  const p = planVacuum('full', table.bytes, table);
  assert.equal(p.run, 'full');
  assert.equal(p.sql, VACUUM_SQL.full);
  assert.equal(p.refused, undefined);
});

test('vacuum full is refused with the reason when the free disk is smaller than the largest table; analyze runs instead', () => {
  const p = planVacuum('full', table.bytes - 1, table);
  assert.equal(p.run, 'analyze');
  assert.equal(p.sql, 'VACUUM (ANALYZE)');
  assert.match(p.refused!, /largest table, nodestore_node \(500\.0 MiB with indexes\), but the database volume has 500\.0 MiB free/);
});

test('vacuum full is refused when the free disk could not be measured', () => {
  assert.match(planVacuum('full', undefined, table).refused!, /could not be measured/);
  assert.match(planVacuum('full', 10, undefined).refused!, /could not be measured/);
});

test('formatBytes', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(-3 * 1048576), '-3.0 MiB');
  assert.equal(formatBytes(5 * 1024 ** 3), '5.0 GiB');
});

test("Sentry's cleanup: hand runs always; the cron run leaves it to a sentry-cleanup service", () => {
  const base = { days: 30, retentionDays: 90 };
  assert.deepEqual(planSentryCleanup({ ...base, scheduled: false, services: ['web', 'sentry-cleanup'] }), { run: true, days: 30 });
  assert.deepEqual(planSentryCleanup({ ...base, scheduled: true, services: ['web', 'cron', 'worker'] }), { run: true, days: 30 });
  const skipped = planSentryCleanup({ ...base, scheduled: true, services: ['web', 'sentry-cleanup'] });
  assert.equal(skipped.run, false);
  assert.match((skipped as { reason: string }).reason, /sentry-cleanup service runs it daily at 00:00 with --days 90/);
});

test('--days and --vacuum are checked before anything runs', () => {
  assert.equal(parseDays(undefined), undefined);
  assert.equal(parseDays('30'), 30);
  for (const bad of ['0', '-1', '1.5', 'abc', '36501', '']) {
    assert.throws(() => parseDays(bad), (e: unknown) => e instanceof UserError && e.exitCode === EXIT.usage, bad);
  }
  assert.equal(parseVacuum(undefined), 'analyze');
  assert.equal(parseVacuum('full'), 'full');
  assert.throws(() => parseVacuum('FULL'), (e: unknown) => e instanceof UserError && e.exitCode === EXIT.usage);
});

/**
 * Day 2 on an external PostgreSQL, the parts without a server: the client container's environment and passfile
 * (no password in either place `docker inspect` shows), the choice of its image by major, the VACUUM FULL guard
 * when the server reports no free disk, --assume-free-disk, the upgrade's version stop, the move's count check,
 * and how other clients' sessions are named. The e2e (test/e2e/external-db.test.ts) runs them against a real server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { candidateImages, clientEnv, clientMajorOf, officialImageOf, passfileLine, type ExternalPg } from '../../src/backup/external-client.js';
import { EXTERNAL_UNKNOWN, planVacuum } from '../../src/cleanup/vacuum-plan.js';
import { parseSize } from '../../src/commands/cleanup.js';
import { externalUpgradeProblems } from '../../src/answers/external.js';
import { compareCounts, totalRows } from '../../src/backup/row-counts.js';
import { describeConnection } from '../../src/backup/connections.js';
import { summaryLines } from '../../src/cleanup/report.js';
import type { CleanupResult } from '../../src/cleanup/run-cleanup.js';
import { UserError, EXIT } from '../../src/errors.js';

const pg: ExternalPg = { host: 'db.example', port: 5433, database: 'sentry', user: 'sentry', password: `p:a\\ss'"$w0rd`, sslmode: 'verify-full', caFile: '/etc/ca.pem' };

test('the client container gets libpq settings in its environment and never the password', () => {
  const env = clientEnv(pg);
  assert.ok(!env.join('\n').includes(pg.password));
  assert.ok(!env.some((e) => e.startsWith('PGPASSWORD')));
  assert.ok(env.includes('PGHOST=db.example') && env.includes('PGPORT=5433') && env.includes('PGSSLMODE=verify-full'));
  assert.ok(env.includes('PGSSLROOTCERT=/run/sentry-onprem-pg/ca.pem'), 'the CA is the mounted copy');
  assert.ok(env.includes('PGPASSFILE=/run/sentry-onprem-pg/pgpass'));
  assert.ok(!clientEnv({ ...pg, caFile: undefined }).some((e) => e.startsWith('PGSSLROOTCERT')));
});

test('the passfile line escapes : and \\ as libpq reads them', () => {
  assert.equal(passfileLine('a:b\\c'), '*:*:*:*:a\\:b\\\\c\n');
  assert.equal(passfileLine(pg.password), `*:*:*:*:p\\:a\\\\ss'"$w0rd\n`);
});

test("the client's major is read from pg_dump --version; the official image of the server's major is tried first", () => {
  assert.equal(clientMajorOf('pg_dump (PostgreSQL) 15.10 (Debian 15.10-0+deb12u1)'), '15');
  assert.equal(clientMajorOf('pg_dump (PostgreSQL) 9.6.24'), '9.6');
  assert.equal(clientMajorOf('pg_dump (PostgreSQL) 17.2'), '17');
  assert.equal(clientMajorOf('sh: pg_dump: not found'), undefined);
  assert.equal(officialImageOf('15'), 'postgres:15');
  const c = candidateImages('9.1.2', '15');
  assert.equal(c[0], 'postgres:15');
  assert.equal(c[1], 'postgres:9.5', "the release's own image next");
  assert.ok(c.includes('postgres:14.23-bookworm') && c.includes('postgres:9.6'));
  assert.equal(new Set(c).size, c.length);
});

test('VACUUM FULL on an external server: refused without a stated free disk (ANALYZE instead), guarded by the largest table with one', () => {
  const largest = { name: 'public.nodestore_node', bytes: 300 * 1048576 };
  const unknown = planVacuum('full', undefined, largest, EXTERNAL_UNKNOWN);
  assert.equal(unknown.run, 'analyze');
  assert.match(unknown.refused!, /does not report its free disk .*--assume-free-disk/);
  assert.equal(planVacuum('full', 300 * 1048576, largest, EXTERNAL_UNKNOWN).run, 'full');
  assert.match(planVacuum('full', 1024, largest, EXTERNAL_UNKNOWN).refused!, /largest table, public\.nodestore_node/);
});

test('--assume-free-disk takes a size with a unit; anything else is exit 2 naming the flag', () => {
  assert.equal(parseSize('--assume-free-disk', '20GiB'), 20 * 1024 ** 3);
  assert.equal(parseSize('--assume-free-disk', '20G'), 20 * 1024 ** 3);
  assert.equal(parseSize('--assume-free-disk', '1.5 TB'), 1.5e12);
  assert.equal(parseSize('--assume-free-disk', '4096'), 4096);
  assert.equal(parseSize('--assume-free-disk', undefined), undefined);
  for (const bad of ['', 'lots', '-5G', '10 parsecs']) {
    assert.throws(() => parseSize('--assume-free-disk', bad), (e: unknown) => e instanceof UserError && e.exitCode === EXIT.usage && /--assume-free-disk/.test(e.message), bad);
  }
});

test('upgrade on an external server: every release of the road whose PostgreSQL is newer than the server is named', () => {
  // 9.6.24 server: 20.7.0 (9.6) runs, 23.6.2 (14) does not.
  assert.deepEqual(externalUpgradeProblems(90624, ['20.7.0', '21.6.3', '23.6.2', '24.8.0']), [
    { tag: '23.6.2', needs: '14' },
    { tag: '24.8.0', needs: '14' },
  ]);
  assert.deepEqual(externalUpgradeProblems(150004, ['20.7.0', '23.6.2', '26.8.0']), []);
  assert.deepEqual(externalUpgradeProblems(90500, ['20.7.0']), [{ tag: '20.7.0', needs: '9.6' }]);
});

test('the move compares row counts per table: a difference or a missing table is named', () => {
  assert.deepEqual(compareCounts({ 'public.a': 1, 'public.b': 2 }, { 'public.a': 1, 'public.b': 2 }), []);
  assert.deepEqual(compareCounts({ 'public.a': 1, 'public.b': 2 }, { 'public.a': 1, 'public.b': 1, 'public.c': 0 }), ['public.b: 2 -> 1', 'public.c: no table -> 0']);
  assert.equal(totalRows({ a: 2, b: 3 }), 5);
});

test('other clients are named with their user, application, address and state', () => {
  assert.equal(
    describeConnection({ pid: 42, user: 'report', application: 'psql', client: '10.0.0.5', state: 'idle', since: '2026-12-07 00:01:02.123+00' }),
    'pid 42: user report, application "psql", from 10.0.0.5, idle since 2026-12-07 00:01:02+00',
  );
  assert.equal(describeConnection({ pid: 7, user: null, application: '', client: null, state: null, since: null }), 'pid 7: user (hidden), application "", from a local socket or hidden');
});

test("cleanup's summary of an external server says its free disk is not reported", () => {
  const r: CleanupResult = {
    days: 30,
    sentryCleanup: { ran: true, days: 30, seconds: 1 },
    rowsRemoved: 0,
    rowsRemovedByTable: {},
    vacuum: { requested: 'full', run: 'full', sql: 'VACUUM (FULL, ANALYZE)', seconds: 2, freeBytesUsed: 1024 ** 3, freeBytesAssumed: true },
    database: { bytesBefore: 2048, bytesAfter: 1024, bytesFreed: 1024, external: 'db.example:5433' },
    filesystem: { freeBytesBefore: null, freeBytesAfter: null },
    seconds: 3,
  };
  assert.ok(summaryLines(r).includes('free disk on the database server: not reported by the external server db.example:5433 (1.0 GiB assumed with --assume-free-disk)'), summaryLines(r).join('\n'));
});

test('database move: bad flags are exit 2 before anything is read or written', async () => {
  const { databaseMove } = await import('../../src/commands/database.js');
  const { mkdtempSync, readdirSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'sentry-onprem-move-'));
  const cases: Array<[Parameters<typeof databaseMove>[0], RegExp]> = [
    [{ dir, to: 'sideways', yes: true }, /--to "sideways" is not one of external, bundled/],
    [{ dir, to: 'external', yes: true }, /--to external needs --answers FILE/],
    [{ dir, to: 'external', answers: join(dir, 'x.yml') }, /needs --yes/],
    [{ dir, to: 'bundled' }, /needs --yes/],
    [{ dir, to: 'bundled', yes: true, answers: join(dir, 'x.yml') }, /--to bundled takes no --answers/],
  ];
  for (const [flags, message] of cases) {
    await assert.rejects(databaseMove(flags), (e: unknown) => e instanceof UserError && e.exitCode === EXIT.usage && message.test(e.message), JSON.stringify(flags));
  }
  assert.deepEqual(readdirSync(dir), []);
});

/**
 * `sentry-onprem cleanup` and `cron` end to end: a real 9.1.2 install (stand-in images, real PostgreSQL),
 * rows of known ages and tens of MB, counted with psql rather than read from the command's output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { containers, docker, psql, runCli, startCli, installedSuite } from './harness.js';
import { seedAged, countAged, volumeBytes, hostFreeBytes, psqlAsync, postgresId } from './cleanup-helpers.js';
import { cronFilePath } from '../../src/cron/entry.js';

const suite = installedSuite('9.1.2', { http: 18600, https: 18601 });
const { skip, project, env } = suite;

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;

test('cleanup --days 30 removes exactly the rows older than 30 days and reports them', { skip, timeout: 5 * 60_000 }, async () => {
  const seeded = seedAged(project, 'a', 60_000);
  const before = countAged(project);
  assert.ok(before.oldNodes >= seeded.oldNodes && before.newNodes >= seeded.newNodes);
  const r = await runCli(['cleanup', '--dir', suite.fx.dir, '--days', '30', '--vacuum', 'off', '--json'], env);
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  const out = json(r.stdout);
  const afterCounts = countAged(project);
  assert.deepEqual(afterCounts, { oldNodes: 0, newNodes: before.newNodes, oldEvents: 0, newEvents: before.newEvents });
  assert.equal(out.rowsRemovedByTable['public.nodestore_node'], before.oldNodes);
  assert.equal(out.rowsRemovedByTable['public.sentry_message'], before.oldEvents);
  assert.ok(out.rowsRemoved >= before.oldNodes + before.oldEvents);
  assert.equal(out.sentryCleanup.ran, true);
  assert.equal(out.sentryCleanup.days, 30);
  assert.equal(out.vacuum.run, 'off');
  assert.match(r.stderr, /Removing .* for days=30/);
  console.log(`# cleanup --days 30: ${out.rowsRemoved} rows removed (${JSON.stringify(out.rowsRemovedByTable)}) in ${out.seconds} s`);
});

test('cleanup --vacuum full gives the disk back: pg_database_size and the volume shrink', { skip, timeout: 5 * 60_000 }, async () => {
  psql(project, 'CHECKPOINT');
  const dbBefore = Number(psql(project, 'SELECT pg_database_size(current_database())'));
  const volBefore = volumeBytes(project);
  const hostFree = hostFreeBytes('sentry-postgres');
  const r = await runCli(['cleanup', '--dir', suite.fx.dir, '--days', '30', '--vacuum', 'full', '--json'], env);
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  const out = json(r.stdout);
  const dbAfter = Number(psql(project, 'SELECT pg_database_size(current_database())'));
  const volAfter = volumeBytes(project);
  assert.equal(out.vacuum.run, 'full');
  assert.equal(out.vacuum.sql, 'VACUUM (FULL, ANALYZE)');
  assert.equal(out.vacuum.largestTable.name, 'nodestore_node');
  assert.ok(dbBefore - dbAfter > 30 * 1048576, `the database shrank by only ${mb(dbBefore - dbAfter)}`);
  assert.ok(volBefore - volAfter > 10 * 1048576, `the volume shrank by only ${mb(volBefore - volAfter)}`);
  assert.ok(Math.abs(out.database.bytesBefore - dbBefore) < 2 * 1048576 && Math.abs(out.database.bytesAfter - dbAfter) < 2 * 1048576);
  // The free space the refusal rule uses is the real one: the same filesystem the host sees.
  assert.ok(Math.abs(out.filesystem.freeBytesBefore - hostFree) < Math.max(hostFree * 0.02, 256 * 1048576), `${out.filesystem.freeBytesBefore} vs host ${hostFree}`);
  assert.equal(out.vacuum.freeBytesFaked, undefined);
  assert.ok(out.vacuum.freeBytesUsed > out.vacuum.largestTable.bytes);
  assert.match(r.stderr, /VACUUM \(FULL, ANALYZE\) \(each table is locked/);
  console.log(
    `# vacuum full: database ${mb(dbBefore)} -> ${mb(dbAfter)} (${mb(dbBefore - dbAfter)} freed), volume ${mb(volBefore)} -> ${mb(volAfter)}, ` +
      `vacuum ${out.vacuum.seconds} s, total ${out.seconds} s`,
  );
});

test('cleanup --vacuum analyze runs online: queries and inserts on the table keep working while it vacuums', { skip, timeout: 5 * 60_000 }, async () => {
  seedAged(project, 'b', 60_000);
  // Test only: throttle VACUUM so it runs for seconds, long enough to query the table meanwhile.
  psql(project, 'ALTER DATABASE postgres SET vacuum_cost_delay = 10; ALTER DATABASE postgres SET vacuum_cost_limit = 200');
  try {
    const pg = postgresId(project);
    const run = startCli(['cleanup', '--dir', suite.fx.dir, '--days', '30', '--json'], env);
    let finished = false;
    void run.done.then(() => (finished = true));
    const samples: Array<{ ok: boolean; ms: number; vacuuming: boolean; out: string }> = [];
    let n = 0;
    while (!finished) {
      n++;
      const q = await psqlAsync(
        pg,
        "SET lock_timeout = '1s'; " +
          `INSERT INTO nodestore_node (id, data, "timestamp") VALUES ('c${n}', 'x', now()); ` +
          "SELECT (SELECT count(*) FROM pg_stat_activity WHERE application_name = 'sentry-onprem-cleanup' AND query ILIKE 'VACUUM%'), " +
          "count(*), round(extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000) FROM nodestore_node WHERE id >= 'c' AND id < 'd'",
      );
      // In-server time of the INSERT and the SELECT: what a lock would make wait (docker exec adds its own).
      const [active, , serverMs] = q.out.split('\n').pop()!.split('|');
      samples.push({ ok: q.ok, ms: Number(serverMs), vacuuming: q.ok && active === '1', out: q.out });
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = await run.done;
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    const out = json(r.stdout);
    assert.equal(out.vacuum.run, 'analyze');
    const during = samples.filter((s) => s.vacuuming);
    assert.ok(during.length >= 3, `only ${during.length} queries ran while VACUUM was active (${samples.length} in all, vacuum ${out.vacuum.seconds} s)`);
    assert.deepEqual(samples.filter((s) => !s.ok), [], 'a query failed during the cleanup');
    assert.ok(Math.max(...during.map((s) => s.ms)) < 500, `a query waited ${Math.max(...during.map((s) => s.ms))} ms during VACUUM`);
    console.log(`# vacuum analyze: ${out.vacuum.seconds} s; ${during.length} of ${samples.length} concurrent queries ran during it, slowest ${Math.max(...during.map((s) => s.ms))} ms`);
  } finally {
    psql(project, 'ALTER DATABASE postgres RESET vacuum_cost_delay; ALTER DATABASE postgres RESET vacuum_cost_limit');
  }
});

test('cleanup --vacuum full is refused with the reason when free disk looks smaller than the largest table', { skip, timeout: 5 * 60_000 }, async () => {
  const r = await runCli(['cleanup', '--dir', suite.fx.dir, '--days', '30', '--vacuum', 'full', '--json'], { ...env, SENTRY_ONPREM_FAKE_FREE_BYTES: String(1 << 20) });
  assert.equal(r.code, 3, r.stderr.slice(-3000));
  const out = json(r.stdout);
  assert.equal(out.exitCode, 3);
  assert.equal(out.vacuum.requested, 'full');
  assert.equal(out.vacuum.run, 'analyze');
  assert.equal(out.vacuum.freeBytesFaked, true);
  assert.match(out.vacuum.refused, /largest table, nodestore_node \(.*\), but the database volume has 1\.0 MiB free/);
  assert.match(r.stderr, /warning: VACUUM FULL refused: .*VACUUM \(ANALYZE\) ran instead/);
  assert.ok(out.filesystem.freeBytesBefore > 1 << 20, 'the real free space is still measured and reported');
});

test('two cleanups started together: one runs, the other says one is running and exits 0', { skip, timeout: 5 * 60_000 }, async () => {
  seedAged(project, 'd', 3000);
  const a = startCli(['cleanup', '--dir', suite.fx.dir, '--days', '30'], env);
  const b = startCli(['cleanup', '--dir', suite.fx.dir, '--days', '30'], env);
  const [ra, rb] = await Promise.all([a.done, b.done]);
  assert.equal(ra.code, 0, ra.stderr.slice(-2000));
  assert.equal(rb.code, 0, rb.stderr.slice(-2000));
  const busy = [ra, rb].filter((r) => /a cleanup is already running \(pid \d+\) for .*; nothing done/.test(r.stdout));
  const ran = [ra, rb].filter((r) => /cleanup took [\d.]+ s/.test(r.stdout));
  assert.equal(busy.length, 1, `${ra.stdout}\n---\n${rb.stdout}`);
  assert.equal(ran.length, 1);
  assert.ok(busy[0].ms < ran[0].ms);
  assert.equal(countAged(project).oldNodes, 0);
});

test('cron: one entry however often installed, replaced on change, bad schedule refused, runs under cron, remove is remembered', { skip, timeout: 10 * 60_000 }, async () => {
  const file = cronFilePath(suite.fx.dir);
  const entries = () => (readFileSync(file, 'utf8').match(/install\.js cleanup /g) ?? []).length;
  assert.ok(existsSync(file), 'install did not install the cron entry');
  for (let i = 0; i < 2; i++) {
    const r = await runCli(['cron', 'install', '--dir', suite.fx.dir], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /already up to date/);
  }
  assert.equal(entries(), 1);

  const changed = await runCli(['cron', 'install', '--dir', suite.fx.dir, '--days', '45', '--schedule', '5 1 * * *'], env);
  assert.equal(changed.code, 0, changed.stderr);
  assert.equal(entries(), 1);
  assert.match(readFileSync(file, 'utf8'), /^5 1 \* \* \* root .*cleanup --dir \S+ --days 45 --vacuum analyze --scheduled --quiet --log-file /m);
  const saved = yaml.load(readFileSync(join(suite.fx.dir, 'sentry-onprem.yml'), 'utf8')) as { cleanup: Record<string, unknown> };
  assert.deepEqual(saved.cleanup, { days: 45, schedule: '5 1 * * *', vacuum: 'analyze' });

  const text = readFileSync(file, 'utf8');
  const bad = await runCli(['cron', 'install', '--dir', suite.fx.dir, '--schedule', '61 * * * *'], env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /not a five-field cron schedule/);
  assert.equal(readFileSync(file, 'utf8'), text, 'a refused schedule changed the entry');

  // The entry's command as cron runs it: sh -c, cron's minimal environment, no terminal.
  seedAged(project, 'e', 3000);
  const line = text.split('\n').find((l) => l.includes('install.js cleanup'))!;
  const command = line.split(/\s+/).slice(6).join(' ').replace(/\\%/g, '%');
  const cron = spawnSync('/bin/sh', ['-c', command], {
    env: { SHELL: '/bin/sh', PATH: '/usr/bin:/bin', HOME: '/root', LOGNAME: 'root' },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 300_000,
  });
  assert.equal(cron.status, 0, `${cron.stdout}\n${cron.stderr}`);
  assert.equal(cron.stdout + cron.stderr, '', 'a successful cron run printed something (cron would mail it)');
  const log = readFileSync(join(suite.fx.dir, 'logs', 'cleanup.log'), 'utf8');
  assert.match(log, /sentry cleanup --days 45: \d+ rows removed/);
  assert.match(log, /cleanup took [\d.]+ s\n.*exit 0\n$/);
  assert.equal(countAged(project, 45).oldNodes, 0);
  assert.ok(countAged(project, 30).oldNodes > 0, 'rows between 30 and 45 days old were removed by a --days 45 run');

  const removed = await runCli(['cron', 'remove', '--dir', suite.fx.dir], env);
  assert.equal(removed.code, 0);
  assert.ok(!existsSync(file));
  const show = await runCli(['cron', 'show', '--dir', suite.fx.dir], env);
  assert.equal(show.stdout, '');
  assert.match(show.stderr, /no cleanup cron entry/);
  const again = await runCli(['install', '--dir', suite.fx.dir, '--yes'], env);
  assert.equal(again.code, 0, again.stderr.slice(-3000));
  assert.match(again.stderr, /- Install the cleanup cron: skipped, removed with `sentry-onprem cron remove`/);
  assert.ok(!existsSync(file), 'install brought back a removed cron entry');
});

test('a cleanup stopped with SIGTERM during VACUUM exits 130 and leaves no VACUUM or one-off container behind', { skip, timeout: 5 * 60_000 }, async () => {
  seedAged(project, 'f', 30_000);
  psql(project, 'ALTER DATABASE postgres SET vacuum_cost_delay = 20; ALTER DATABASE postgres SET vacuum_cost_limit = 100');
  try {
    const run = startCli(['cleanup', '--dir', suite.fx.dir, '--days', '30'], env);
    await run.waitFor(/VACUUM \(ANALYZE\) \(online\)/, 120_000);
    await new Promise((r) => setTimeout(r, 1000));
    run.child.kill('SIGTERM');
    const r = await run.done;
    assert.equal(r.code, 130, r.stderr.slice(-2000));
    assert.match(r.stderr, /cleanup cancelled/);
    await new Promise((res) => setTimeout(res, 500));
    assert.equal(psql(project, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'sentry-onprem-cleanup'"), '0');
    assert.deepEqual(containers(project).filter((c) => c.oneoff), []);
    assert.match(readFileSync(join(suite.fx.dir, 'logs', 'cleanup.log'), 'utf8'), /received SIGTERM: stopping\n(.*\n)*.*cancelled\n$/);
  } finally {
    psql(project, 'ALTER DATABASE postgres RESET vacuum_cost_delay; ALTER DATABASE postgres RESET vacuum_cost_limit');
  }
});

test('cleanup with the postgres container stopped exits 3 and says what to do', { skip, timeout: 5 * 60_000 }, async () => {
  const pg = postgresId(project);
  docker(['stop', '-t', '10', pg]);
  try {
    const r = await runCli(['cleanup', '--dir', suite.fx.dir, '--json'], env);
    assert.equal(r.code, 3, r.stderr.slice(-2000));
    assert.match(r.stderr, /the postgres container of this install \(compose project onpremise\) is not running/);
    assert.match(r.stderr, /next: Start Sentry first/);
    assert.deepEqual(JSON.parse(r.stdout).exitCode, 3);
  } finally {
    docker(['start', pg]);
  }
});

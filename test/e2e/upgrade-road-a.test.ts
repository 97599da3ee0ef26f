/**
 * The upgrade road 9.1.2 -> 21.5.0 -> 21.6.3 -> 23.6.2 on the real engine (Compose v2, stand-in images under the
 * official names), on seeded data: users, events, a stored file, a sequence, an index. `upgrade --tag 23.6.2`
 * plans the whole road; the 21.6.3 migrations are made to fail (the stand-in's `upgrade-fail@21.6.3` fault row), so
 * the first run does 9.1.2 -> 21.5.0, fails in 21.5.0 -> 21.6.3, rolls that hop back and leaves 21.5.0 healthy,
 * saying which hops are done. The fault removed, the same command continues 21.5.0 -> 21.6.3 -> 23.6.2 (PostgreSQL
 * 9.6 -> 14 for real: the stand-ins are PostgreSQL 15 and 17 and pg_upgrade runs between them; the project
 * rename). Then: every service healthy, /_health/ 200 through the vhost, the admin, the seeded data, the state at
 * 23.6.2; a re-run is a no-op. One install for all of it (CI budget). Fails (never skips) in CI without an engine.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { assertAllHealthy, assertVhostAndAdmin, composeEnv, containers, docker, engineReachable, fixture, psql, runCli, teardown, SHORT_HEALTHCHECKS } from './harness.js';
import { addUsers, health, runningSecretKey, storeEvents, userRows } from './upgrade-helpers.js';
import { RELEASES } from '../../src/catalog.js';

before(() => {
  if (!engineReachable() && process.env.CI) throw new Error('no Docker engine: .ci/run must start dockerd before the tests');
});
const skip = !engineReachable() && !process.env.CI ? 'no Docker engine (run .ci/run)' : false;

const ROAD = ['9.1.2', '21.5.0', '21.6.3', '23.6.2'] as const;
const PROJECTS = [...new Set(ROAD.map((t) => RELEASES[t].projectName))];
const VOLUMES = [...new Set(ROAD.flatMap((t) => RELEASES[t].externalVolumes))];
// 23.6.2 reads its healthcheck timings from `.env`: shorter from the environment (the same checks, sooner).
const env = { ...composeEnv('v2'), ...SHORT_HEALTHCHECKS };
const ports = { http: 18760, https: 18761 };

/**
 * This engine cannot raise nofile above 20000 and ClickHouse asks 262144 (21.5.0 on), so an override lowers it,
 * as an operator on such a host would. 9.1.2 has no clickhouse service, so the first override also names 21.x's
 * image (valid for both; an extra container in 9.1.2); before the run that reaches 23.6.2 (which builds its own
 * clickhouse-self-hosted-local) it is edited to the limits alone, valid for every release from 21.5.0 on.
 */
const ulimits = '    ulimits:\n      nofile:\n        soft: 20000\n        hard: 20000\n';
const OVERRIDE_9 = `services:\n  clickhouse:\n    image: yandex/clickhouse-server:20.3.9.70\n${ulimits}`;
const OVERRIDE_21 = `services:\n  clickhouse:\n${ulimits}`;

function cleanAll(dir: string): void {
  for (const p of PROJECTS) teardown(dir, 'v2', p, VOLUMES);
  for (const p of PROJECTS) {
    const vols = docker(['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${p}`]).split('\n').filter(Boolean);
    if (vols.length) docker(['volume', 'rm', '-f', ...vols]);
  }
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const stepLines = (stderr: string) => stderr.split('\n').filter((l) => /^ {2}[+-] .*\(\d+\.\d s\)$/.test(l)).map((l) => `#   ${l.trim()}`).join('\n');

/** What the seeded data looks like: rows, a sequence, an index lookup (forced to use the index). */
function seeded(project: string) {
  return {
    rows: userRows(project),
    sequence: psql(project, 'SELECT last_value, is_called FROM auth_user_id_seq'),
    indexPlan: psql(project, "SET enable_seqscan = off; EXPLAIN (COSTS OFF) SELECT id FROM auth_user WHERE username = 'alice@e2e.test'"),
    indexRow: psql(project, "SET enable_seqscan = off; SELECT id, email FROM auth_user WHERE username = 'alice@e2e.test'"),
  };
}

const storedFile = (path: string) => docker(['run', '--rm', '-v', 'sentry-data:/v:ro', 'busybox', 'cat', `/v/${path}`]).trim();
const pgVersion = () => docker(['run', '--rm', '-v', 'sentry-postgres:/v:ro', 'busybox', 'cat', '/v/PG_VERSION']).trim();
const stateTag = (dir: string) => JSON.parse(readFileSync(join(dir, '.sentry-onprem/state.json'), 'utf8')).tag as string;

test('upgrade road 9.1.2 -> 21.5.0 -> 21.6.3 -> 23.6.2 (compose v2): a failing 21.6.3 hop leaves 21.5.0 healthy; the re-run finishes the road; seeded data survives; a no-op re-run', { skip, timeout: 15 * 60_000 }, async (t) => {
  const t0 = Date.now();
  const fx = fixture('9.1.2', ports);
  const dir = fx.dir;
  writeFileSync(join(dir, 'docker-compose.override.yml'), OVERRIDE_9);
  const cli = (...args: string[]) => runCli([...args, '--dir', dir], env);
  cleanAll(dir);
  const times: string[] = [];
  try {
    const installed = await runCli(['install', '--dir', dir, '--answers', fx.answersFile, '--yes'], env);
    assert.equal(installed.code, 0, installed.stderr.slice(-3000));
    times.push(`install 9.1.2 ${secs(installed.ms)}`);
    const ca = readFileSync(join(dir, 'tls/cert.pem'), 'utf8');
    await storeEvents('onpremise', ports.https, ca, 3, '9.1.2');
    addUsers('onpremise', ['alice@e2e.test', 'bob@e2e.test']);
    docker(['run', '--rm', '-v', 'sentry-data:/v', 'busybox', 'sh', '-c', 'mkdir -p /v/a1/b2 && echo attachment > /v/a1/b2/c3d4']);
    const before912 = seeded('onpremise');
    assert.match(before912.rows, /alice@e2e\.test/);
    assert.match(before912.indexPlan, /Index (Only )?Scan/);
    const key = JSON.parse(readFileSync(join(dir, '.sentry-onprem/secrets.json'), 'utf8')).secretKey as string;

    await t.test('the 21.6.3 migrations fail: 9.1.2 -> 21.5.0 is done, 21.5.0 -> 21.6.3 rolled back, 21.5.0 runs healthy and says which hops are done', async () => {
      psql('onpremise', "INSERT INTO standin_faults VALUES ('upgrade-fail@21.6.3', '')");
      const r = await cli('upgrade', '--tag', '23.6.2', '--yes');
      times.push(`failing road run ${secs(r.ms)}`);
      console.log(`# road run with the 21.6.3 fault: ${secs(r.ms)}\n${stepLines(r.stderr)}`);
      assert.equal(r.code, 1, r.stderr.slice(-4000));
      assert.match(r.stderr, /sentry-onprem upgrade: Sentry 9\.1\.2 -> 21\.5\.0 \(hard stop\) -> 21\.6\.3 \(hard stop\) -> 23\.6\.2 in /);
      assert.match(r.stderr, /upgrade 21\.5\.0 -> 21\.6\.3 failed in "Run the 21\.6\.3 database migrations"/);
      assert.match(r.stderr, /injected migration failure/);
      assert.match(r.stderr, /Rolled back: Sentry 21\.5\.0 runs again/);
      assert.match(r.stderr, /Upgrade road to 23\.6\.2: hops done: 9\.1\.2 -> 21\.5\.0; not done: 21\.5\.0 -> 21\.6\.3/);
      assert.match(r.stderr, /TSDB: switch over from Redis to Snuba in 90 days: Redis TSDB read until/);
      assert.equal(stateTag(dir), '21.5.0');
      assert.equal(await health(ports.https, ca), '200 ok');
      assertAllHealthy(dir, 'sentry_onpremise', undefined, 90_000);
      assert.equal(containers('onpremise').length, 0, 'the 9.1.2 project still has containers');
      const on215 = seeded('sentry_onpremise');
      assert.equal(on215.rows, before912.rows);
      assert.equal(on215.sequence, before912.sequence);
      assert.equal(on215.indexRow, before912.indexRow);
      assert.equal(storedFile('files/a1/b2/c3d4'), 'attachment');
      assert.equal(runningSecretKey('sentry_onpremise'), key);
      psql('sentry_onpremise', "DELETE FROM standin_faults WHERE name = 'upgrade-fail@21.6.3'");
    });

    await t.test('the same command continues from 21.5.0 to 23.6.2: every service healthy, vhost, admin, the seeded data, PostgreSQL 14 data reindexed, state 23.6.2', async () => {
      writeFileSync(join(dir, 'docker-compose.override.yml'), OVERRIDE_21);
      const r = await cli('upgrade', '--tag', '23.6.2', '--yes');
      times.push(`continued road run ${secs(r.ms)}`);
      console.log(`# road run 21.5.0 -> 23.6.2: ${secs(r.ms)}\n${stepLines(r.stderr)}`);
      assert.equal(r.code, 0, r.stderr.slice(-5000));
      assert.match(r.stderr, /upgraded Sentry 21\.5\.0 -> 21\.6\.3 \(hard stop\) -> 23\.6\.2 in/);
      assert.match(r.stderr, /PostgreSQL data directory 9\.6 -> 14, reindexed: .*converted to PostgreSQL 14.*reindexed postgres/);
      assert.match(r.stderr, /Carry ZooKeeper's transaction log over to the renamed project: .*sentry_onpremise_sentry-zookeeper-log -> sentry-self-hosted_sentry-zookeeper-log/);
      assert.match(r.stderr, /preflight for 23\.6\.2: disk at the worst moment .*pg_upgrade 9\.6 -> 14.*REINDEX/);
      const project = RELEASES['23.6.2'].projectName;
      const { services, checked } = assertAllHealthy(dir, project, undefined, 90_000);
      assert.ok(services.length >= 20, `only ${services.length} services`);
      await assertVhostAndAdmin(dir, project, ports.https);
      for (const old of ['onpremise', 'sentry_onpremise']) assert.equal(containers(old).length, 0, `project ${old} still has containers`);
      // The data directory is the new server's: the stand-in postgres:14.5 is PostgreSQL 17 (the 9.x stand-ins 15).
      const server = psql(project, 'SHOW server_version');
      assert.match(server, /^17\./);
      assert.equal(pgVersion(), server.split('.')[0]);
      const after = seeded(project);
      assert.equal(after.rows, before912.rows);
      assert.equal(after.sequence, before912.sequence);
      assert.match(after.indexPlan, /Index (Only )?Scan/);
      assert.equal(after.indexRow, before912.indexRow);
      assert.equal(psql(project, "SELECT count(*) FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid WHERE NOT i.indisvalid"), '0');
      assert.equal(storedFile('files/a1/b2/c3d4'), 'attachment');
      assert.equal(runningSecretKey(project), key);
      assert.equal(stateTag(dir), '23.6.2');
      assert.match(readFileSync(join(dir, 'sentry-onprem.yml'), 'utf8'), /^tag: 23\.6\.2$/m);
      assert.ok(docker(['volume', 'ls', '-q']).split('\n').includes('sentry-self-hosted_sentry-zookeeper-log'));
      // The TSDB switchover decided at the hop from 9.1.2 survived the renders of 21.6.3 and 23.6.2.
      const switchover = JSON.parse(readFileSync(join(dir, '.sentry-onprem/tsdb-switchover.json'), 'utf8')).switchoverTimestamp as number;
      assert.ok(switchover > Date.now() / 1000 + 89 * 24 * 3600);
      assert.ok(readFileSync(join(dir, 'sentry/sentry.conf.py'), 'utf8').includes(`SENTRY_TSDB_OPTIONS = {"switchover_timestamp": ${switchover}}`));
      console.log(`# 23.6.2 after the road: ${services.length} services, ${checked.length} healthchecks healthy`);
    });

    await t.test('a re-run is a no-op: nothing restarted, nothing written', async () => {
      const project = RELEASES['23.6.2'].projectName;
      const startedBefore = containers(project).map((c) => `${c.id} ${c.startedAt}`).sort();
      const r = await cli('upgrade', '--tag', '23.6.2', '--yes');
      times.push(`no-op re-run ${secs(r.ms)}`);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Sentry 23\.6\.2 is installed in .*: nothing to upgrade/);
      assert.deepEqual(containers(project).map((c) => `${c.id} ${c.startedAt}`).sort(), startedBefore);
    });
  } finally {
    cleanAll(dir);
    rmSync(dirname(dir), { recursive: true, force: true });
    console.log(`# upgrade-road-a: ${times.join('; ')}; the file in all ${secs(Date.now() - t0)}`);
  }
});

/**
 * External PostgreSQL and Redis end to end, on the real engine: a PostgreSQL server (the stand-in postgres image,
 * PostgreSQL 15) with a password and TLS (a CA and a server certificate made here, sslmode verify-full) and a Redis
 * with a password, each a container on a network of this test, outside the compose project, published on the
 * docker0 gateway address the install's containers reach. Sentry 9.1.2 and 26.8.0 are installed against them; the
 * bad servers (wrong password, wrong CA, a host that does not resolve, a database of another application, a
 * read-only Redis replica) are refused by the external-db check with exit 3 and nothing written. Day 2 on the 9.1.2
 * install: backup -> delete a row -> restore (refused while another client holds a session), cleanup with VACUUM FULL
 * and its free-disk guard, upgrade's version stop; and `database move` of a second 9.1.2 install (on the bundled
 * server) to the external one and back, with identical row counts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chownSync, chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { containers, docker, engineReachable, fixture, composeEnv, mtimes, runCli, teardown, watchArgv, httpsGet, SHORT_HEALTHCHECKS } from './harness.js';
import { RELEASES, type SupportedTag } from '../../src/catalog.js';
import { makeCaAndServer } from '../helpers/certs.js';
import { ROW_COUNTS_SQL } from '../../src/backup/row-counts.js';

const skip = !engineReachable() && !process.env.CI ? 'no Docker engine (run .ci/run)' : false;
before(() => {
  if (!engineReachable() && process.env.CI) throw new Error('no Docker engine: .ci/run must start dockerd before the tests');
});

const NET = 'sentry-onprem-e2e-extdb';
const PG = 'sentry-onprem-e2e-extdb-pg';
const REDIS = 'sentry-onprem-e2e-extdb-redis';
const REPLICA = 'sentry-onprem-e2e-extdb-replica';
const PG_PORT = 25432;
const REDIS_PORT = 26379;
const REPLICA_PORT = 26380;
const stamp = Date.now();
const PG_PASSWORD = `pg'"$ext-${stamp}`;
const REDIS_PASSWORD = `Rd-${stamp}!^&*`;

let work = '';
let gateway = '';
let ca = '';
let otherCa = '';

function removeServers(): void {
  for (const c of [PG, REDIS, REPLICA]) {
    try {
      docker(['rm', '-fv', c]);
    } catch {
      /* not there */
    }
  }
  try {
    docker(['network', 'rm', NET]);
  } catch {
    /* not there */
  }
}

/**
 * This host's address on the engine's default bridge (docker0): containers on every network of the engine reach
 * the host there, so the external servers' published ports are reached from the install's network too.
 */
function bridgeAddress(): string {
  const net = JSON.parse(docker(['network', 'inspect', 'bridge']))[0];
  const name = net.Options?.['com.docker.network.bridge.name'] ?? 'docker0';
  // Node lists no interface without carrier (docker0 while no container uses the default bridge): ask ip(8) too.
  let found = networkInterfaces()[name]?.find((i) => i.family === 'IPv4')?.address;
  if (!found) {
    try {
      found = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(execFileSync('ip', ['-4', '-o', 'addr', 'show', 'dev', name], { encoding: 'utf8' }))?.[1];
    } catch {
      /* no ip(8) */
    }
  }
  if (found) return found;
  if (net.IPAM?.Config?.[0]?.Gateway) return net.IPAM.Config[0].Gateway as string;
  throw new Error(`no IPv4 address of the engine's bridge ${name} on this host`);
}

async function until(what: string, ok: () => boolean, ms = 180_000): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    try {
      if (ok()) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`${what} did not come up within ${ms / 1000} s`);
}

/** psql on the external server over its local socket (trust), as the server's superuser. */
const serverSql = (db: string, sql: string) => docker(['exec', '-i', PG, 'psql', '-U', 'postgres', '-d', db, '-Atq', '-v', 'ON_ERROR_STOP=1'], sql).trim();
/** redis-cli on a server; the password goes in on stdin, never argv. */
const redisCli = (name: string, ...lines: string[]) => docker(['exec', '-i', name, 'redis-cli'], [`AUTH ${REDIS_PASSWORD}`, ...lines].join('\n') + '\n').trim();

before(async () => {
  if (skip) return;
  removeServers();
  work = mkdtempSync(join(tmpdir(), 'sentry-onprem-e2e-extdb-'));
  gateway = bridgeAddress();
  const pki = makeCaAndServer(join(work, 'pki'), [gateway]);
  ca = pki.ca;
  otherCa = makeCaAndServer(join(work, 'other-pki'), [gateway]).ca;
  // The server's key: the postgres user's (uid 999), 0600, as PostgreSQL demands.
  const certs = join(work, 'pg-certs');
  mkdirSync(certs);
  copyFileSync(pki.cert, join(certs, 'server.pem'));
  copyFileSync(pki.key, join(certs, 'server.key'));
  chmodSync(join(certs, 'server.key'), 0o600);
  chownSync(join(certs, 'server.key'), 999, 999);
  chownSync(join(certs, 'server.pem'), 999, 999);
  // Passwords reach the servers in files, never on argv (the argv sampling below would see them).
  mkdirSync(join(work, 'redis'));
  writeFileSync(join(work, 'redis/primary.conf'), `requirepass ${REDIS_PASSWORD}\nprotected-mode no\n`);
  writeFileSync(join(work, 'redis/replica.conf'), `requirepass ${REDIS_PASSWORD}\nmasterauth ${REDIS_PASSWORD}\nreplicaof ${gateway} ${REDIS_PORT}\nreplica-read-only yes\nprotected-mode no\n`);
  chmodSync(join(work, 'redis'), 0o755);
  docker(['network', 'create', NET]);
  docker([
    'run', '-d', '--name', PG, '--network', NET, '-p', `${gateway}:${PG_PORT}:5432`, '-e', 'POSTGRES_HOST_AUTH_METHOD=trust',
    '-v', `${certs}:/certs:ro`, 'postgres:9.6',
    'postgres', '-c', 'ssl=on', '-c', 'ssl_cert_file=/certs/server.pem', '-c', 'ssl_key_file=/certs/server.key',
  ]);
  docker(['run', '-d', '--name', REDIS, '--network', NET, '-p', `${gateway}:${REDIS_PORT}:6379`, '-v', `${join(work, 'redis')}:/conf:ro`, 'redis:6.2.14-alpine', 'redis-server', '/conf/primary.conf']);
  docker(['run', '-d', '--name', REPLICA, '--network', NET, '-p', `${gateway}:${REPLICA_PORT}:6379`, '-v', `${join(work, 'redis')}:/conf:ro`, 'redis:6.2.14-alpine', 'redis-server', '/conf/replica.conf']);
  // TCP answers only once initdb's socket-only server has made way for the real one.
  await until('the external PostgreSQL', () => (docker(['exec', PG, 'pg_isready', '-h', '127.0.0.1', '-q']), serverSql('postgres', 'select 1') === '1'));
  // Initialised with trust (the stand-in's POSTGRES_PASSWORD/POSTGRES_DB paths are not this test's subject); then the
  // server asks TCP clients for a password (scram-sha-256), the role and its database made over the local socket.
  serverSql('postgres', `CREATE ROLE sentry LOGIN PASSWORD '${PG_PASSWORD.replace(/'/g, "''")}'`);
  serverSql('postgres', 'CREATE DATABASE sentry OWNER sentry');
  docker(['exec', PG, 'sh', '-c', 'sed -i "s/^host all all all trust$/host all all all scram-sha-256/" "$PGDATA/pg_hba.conf"']);
  serverSql('postgres', 'SELECT pg_reload_conf()');
  await until('the external Redis', () => redisCli(REDIS, 'PING').includes('PONG'));
  await until('the Redis replica', () => /master_link_status:up/.test(redisCli(REPLICA, 'INFO replication')));
  // Another application's database on the same server.
  serverSql('postgres', 'CREATE DATABASE otherapp OWNER sentry');
  serverSql('otherapp', 'CREATE TABLE orders (id int primary key, total numeric)');
});

after(() => {
  if (skip) return;
  removeServers();
  if (work) rmSync(work, { recursive: true, force: true });
});

function externalAnswers(o: { password?: string; caFile?: string; host?: string; database?: string; redisPort?: number } = {}): string {
  return [
    'postgres:',
    '  external:',
    `    host: ${JSON.stringify(o.host ?? gateway)}`,
    `    port: ${PG_PORT}`,
    `    database: ${o.database ?? 'sentry'}`,
    '    user: sentry',
    `    password: ${JSON.stringify(o.password ?? PG_PASSWORD)}`,
    '    sslmode: verify-full',
    `    caFile: ${JSON.stringify(o.caFile ?? ca)}`,
    'redis:',
    '  external:',
    `    host: ${JSON.stringify(gateway)}`,
    `    port: ${o.redisPort ?? REDIS_PORT}`,
    `    password: ${JSON.stringify(REDIS_PASSWORD)}`,
  ].join('\n');
}

let portBase = 18640;

type Day2 = (fx: ReturnType<typeof fixture>, ports: { http: number; https: number }, env: NodeJS.ProcessEnv) => Promise<void>;

async function happyPath(tag: SupportedTag, env: NodeJS.ProcessEnv, extra = '', day2?: Day2): Promise<void> {
  const ports = { http: portBase++, https: portBase++ };
  const fx = fixture(tag, ports, [externalAnswers(), extra].join('\n'));
  const project = RELEASES[tag].projectName;
  const volumes = RELEASES[tag].externalVolumes;
  teardown(fx.dir, 'v2', project, volumes);
  // A database of its own for each release.
  serverSql('postgres', 'DROP DATABASE IF EXISTS sentry WITH (FORCE)');
  serverSql('postgres', 'CREATE DATABASE sentry OWNER sentry');
  const secrets = [PG_PASSWORD, REDIS_PASSWORD, fx.passwords.admin];
  try {
    const redisConnections = () => Number(/total_connections_received:(\d+)/.exec(redisCli(REDIS, 'INFO stats'))?.[1]);
    const connectionsBefore = redisConnections();
    const stopWatch = watchArgv(secrets);
    const first = await runCli(['install', '--dir', fx.dir, '--answers', fx.answersFile, '--yes'], env);
    const argvHits = stopWatch();
    assert.equal(first.code, 0, `install failed:\n${first.stderr.slice(-4000)}`);
    assert.deepEqual(argvHits, [], 'a password appeared in some process argv');

    // No bundled server; everything else runs.
    const running = containers(project).filter((c) => !c.oneoff);
    for (const s of ['postgres', 'pgbouncer', 'redis']) assert.ok(!running.some((c) => c.service === s), `${s} runs`);
    for (const v of ['sentry-postgres', 'sentry-redis']) assert.equal(docker(['volume', 'ls', '-q', '--filter', `name=^${v}$`]).trim(), '', `volume ${v} was created`);

    // Health through the vhost; the admin in the external database; Sentry's connections there use TLS.
    const health = await httpsGet(ports.https, '/_health/', readFileSync(join(fx.dir, 'tls/cert.pem'), 'utf8'));
    assert.equal(health.status, 200);
    assert.equal(serverSql('sentry', "select email, is_superuser from auth_user where email = 'admin@e2e.test'"), 'admin@e2e.test|t');
    const conns = serverSql('sentry', "select count(*) filter (where s.ssl), count(*) from pg_stat_activity a join pg_stat_ssl s using (pid) where a.client_addr is not null and a.datname = 'sentry'");
    const [tlsConns, allConns] = conns.split('|').map(Number);
    assert.ok(allConns > 0, 'no connection of Sentry at the external server');
    assert.equal(tlsConns, allConns, `a connection without TLS (${conns})`);
    // Sentry's Redis is the external one: it got connections beyond this test's own redis-cli (one per call).
    const received = redisConnections() - connectionsBefore;
    assert.ok(received > 1, `the external Redis got ${received} connections during the install`);

    // No secret in logs, output or docker inspect of the install's containers.
    const logs = readdirSync(join(fx.dir, 'logs')).map((f) => readFileSync(join(fx.dir, 'logs', f), 'utf8')).join('\n');
    const inspect = docker(['inspect', ...running.map((c) => c.id)]);
    for (const pw of [PG_PASSWORD, REDIS_PASSWORD]) {
      assert.ok(!logs.includes(pw), 'a password is in the log');
      assert.ok(!first.stdout.includes(pw) && !first.stderr.includes(pw), 'a password was printed');
    }
    assert.ok(!inspect.includes(PG_PASSWORD), 'the PostgreSQL password is in docker inspect');
    // The Redis password: only in the environment of the services that connect with it (Snuba's, the uptime checker's).
    for (const c of running) {
      const has = docker(['inspect', c.id]).includes(REDIS_PASSWORD);
      assert.equal(has, has && (c.service.startsWith('snuba') || c.service === 'uptime-checker'), `${c.service} has the Redis password in docker inspect`);
    }

    // A second run changes nothing.
    const startedBefore = new Map(containers(project).map((c) => [c.id, c.startedAt]));
    const times = mtimes(fx.dir);
    const second = await runCli(['install', '--dir', fx.dir, '--yes'], env);
    assert.equal(second.code, 0, second.stderr.slice(-3000));
    console.log(`# ${tag} external: install ${(first.ms / 1000).toFixed(1)} s, no-op re-run ${(second.ms / 1000).toFixed(1)} s`);
    assert.deepEqual(new Map(containers(project).map((c) => [c.id, c.startedAt])), startedBefore, 'a container was recreated or restarted by the no-op run');
    assert.deepEqual(mtimes(fx.dir), times, 'a file was written by the no-op run');
    if (day2) await day2(fx, ports, env);
  } finally {
    teardown(fx.dir, 'v2', project, volumes);
    rmSync(dirname(fx.dir), { recursive: true, force: true });
  }
}

const rowCountsOf = (db: string) => JSON.parse(serverSql(db, ROW_COUNTS_SQL)) as Record<string, number>;
const clientLeftovers = () => docker(['ps', '-aq', '--filter', 'label=io.sentry-onprem.one-off=external-postgres-client']).trim();

/** Day 2 on the external server: backup -> delete a row -> restore (refused while another client is connected), cleanup with vacuum. */
const day2: Day2 = async (fx, ports, env) => {
  const t0 = Date.now();
  const secrets = [PG_PASSWORD, REDIS_PASSWORD, fx.passwords.admin];
  const stopWatch = watchArgv(secrets);
  let argvHits: string[] | undefined;
  try {
    // A row of Sentry's options table, made for this test, is the one deleted after the backup.
    serverSql('sentry', "insert into sentry_option (key, value, last_updated) values ('e2e.restore-marker', 'kept', now())");
    const emailRow = "select count(*) from sentry_option where key = 'e2e.restore-marker'";
    assert.equal(serverSql('sentry', emailRow), '1');
    const backup = await runCli(['backup', '--dir', fx.dir], env);
    assert.equal(backup.code, 0, backup.stderr.slice(-3000));
    const backupDir = backup.stdout.trim().split('\n').pop()!;
    const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.database.external, `${gateway}:${PG_PORT}`);
    assert.equal(manifest.database.name, 'sentry');
    assert.match(backup.stderr, /client tools of postgres:[^ ]+ \(pg_dump 15\)/, 'the dump was not taken with the server\'s major (15)');
    const atBackup = rowCountsOf('sentry');
    assert.ok(Object.keys(atBackup).length > 10 && atBackup['public.auth_user'] >= 1, `only ${Object.keys(atBackup).length} tables counted`);

    serverSql('sentry', "delete from sentry_option where key = 'e2e.restore-marker'");
    assert.equal(serverSql('sentry', emailRow), '0');

    // Another client holds a session: refused (exit 3, who is connected), Sentry started again, the row still gone.
    docker(['exec', '-d', PG, 'psql', 'dbname=sentry user=sentry application_name=e2e-reporting', '-c', 'select pg_sleep(600)']);
    await until('the other client\'s session', () => serverSql('postgres', "select count(*) from pg_stat_activity where application_name = 'e2e-reporting'") === '1', 20_000);
    const refused = await runCli(['restore', backupDir, '--dir', fx.dir, '--yes'], env);
    assert.equal(refused.code, 3, refused.stderr.slice(-3000));
    assert.match(refused.stderr, /1 session of other clients[\s\S]*application "e2e-reporting"/);
    assert.match(refused.stderr, /--force-connections/);
    assert.equal(serverSql('sentry', emailRow), '0', 'the refused restore changed the database');
    assert.ok(containers(RELEASES['9.1.2'].projectName).some((c) => c.service === 'web' && c.running), 'Sentry was not started again after the refusal');

    const restored = await runCli(['restore', backupDir, '--dir', fx.dir, '--yes', '--force-connections'], env);
    assert.equal(restored.code, 0, restored.stderr.slice(-3000));
    assert.equal(serverSql('sentry', emailRow), '1', 'the deleted row is not back');
    assert.equal(serverSql('postgres', "select count(*) from pg_stat_activity where application_name = 'e2e-reporting'"), '0', 'the other client\'s session was not ended');
    const afterRestore = rowCountsOf('sentry');
    for (const t of ['public.auth_user', 'public.sentry_option', 'public.sentry_organization', 'public.sentry_project', 'public.sentry_projectkey']) assert.equal(afterRestore[t], atBackup[t], t);
    assert.deepEqual(Object.keys(afterRestore), Object.keys(atBackup), 'the restored database has other tables');
    const health = await httpsGet(ports.https, '/_health/', readFileSync(join(fx.dir, 'tls/cert.pem'), 'utf8'));
    assert.equal(health.status, 200);

    // cleanup with VACUUM FULL: the server reports no free disk, so FULL needs --assume-free-disk; the guard uses the server's sizes.
    const unknown = await runCli(['cleanup', '--dir', fx.dir, '--vacuum', 'full', '--json'], env);
    assert.equal(unknown.code, 3, unknown.stderr.slice(-3000));
    const u = JSON.parse(unknown.stdout);
    assert.equal(u.vacuum.run, 'analyze');
    assert.match(u.vacuum.refused, /does not report its free disk.*--assume-free-disk/);
    assert.equal(u.filesystem.freeBytesBefore, null);
    const tooSmall = await runCli(['cleanup', '--dir', fx.dir, '--vacuum', 'full', '--assume-free-disk', '1K', '--json'], env);
    assert.equal(tooSmall.code, 3, tooSmall.stderr.slice(-3000));
    assert.match(JSON.parse(tooSmall.stdout).vacuum.refused, /VACUUM FULL needs free disk the size of the largest table/);
    const full = await runCli(['cleanup', '--dir', fx.dir, '--vacuum', 'full', '--assume-free-disk', '100GiB', '--json'], env);
    assert.equal(full.code, 0, full.stderr.slice(-3000));
    const f = JSON.parse(full.stdout);
    assert.equal(f.vacuum.run, 'full');
    assert.equal(f.vacuum.freeBytesAssumed, true);
    assert.ok(f.database.bytesBefore > 0 && f.database.bytesAfter > 0);
    assert.equal(f.database.external, `${gateway}:${PG_PORT}`);

    // upgrade reads the server's version before anything changes: 15 suits 20.7.0 (9.6), and the hop itself is refused for now.
    const stateBefore = readFileSync(join(fx.dir, '.sentry-onprem/state.json'), 'utf8');
    const upgrade = await runCli(['upgrade', '--tag', '20.7.0', '--dir', fx.dir, '--yes'], env);
    assert.equal(upgrade.code, 3, upgrade.stderr.slice(-2000));
    assert.match(upgrade.stderr, /the external PostgreSQL [\d.]+:25432 runs PostgreSQL 15, which every release of the road \(9\.1\.2 -> 20\.7\.0\) runs on/);
    assert.equal(readFileSync(join(fx.dir, '.sentry-onprem/state.json'), 'utf8'), stateBefore, 'the refused upgrade changed the state');
    argvHits = stopWatch();
    assert.deepEqual(argvHits, [], 'a password appeared in some process argv');
    for (const r of [backup, refused, restored, unknown, tooSmall, full, upgrade]) assert.ok(!r.stdout.includes(PG_PASSWORD) && !r.stderr.includes(PG_PASSWORD), 'a password was printed');
    const logs = readdirSync(join(fx.dir, 'logs')).map((f) => readFileSync(join(fx.dir, 'logs', f), 'utf8')).join('\n');
    assert.ok(!logs.includes(PG_PASSWORD), 'the PostgreSQL password is in a log');
    assert.equal(clientLeftovers(), '', 'a client container was left behind');
    assert.deepEqual(readdirSync(fx.dir).filter((n) => n.startsWith('.pg-client-')), [], 'a passfile directory was left behind');
    console.log(
      `# 9.1.2 external day 2: backup ${(backup.ms / 1000).toFixed(1)} s, refused restore ${(refused.ms / 1000).toFixed(1)} s, restore ${(restored.ms / 1000).toFixed(1)} s, ` +
        `cleanup ${(unknown.ms / 1000).toFixed(1)} + ${(tooSmall.ms / 1000).toFixed(1)} + ${(full.ms / 1000).toFixed(1)} s (full), all ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
  } finally {
    if (!argvHits) stopWatch();
    try {
      docker(['exec', PG, 'psql', '-U', 'postgres', '-Atqc', "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'e2e-reporting'"]);
    } catch {
      /* ended already */
    }
  }
};

test('install 9.1.2 on an external PostgreSQL (verify-full) and Redis (password): exit 0, admin there, health 200, no secret leaked, no-op re-run; backup, delete, restore (other clients refused), cleanup with vacuum there', { skip, timeout: 20 * 60_000 }, async () => {
  await happyPath('9.1.2', composeEnv('v2'), '', day2);
});

test('database move: 9.1.2 on the bundled server moved to the external one and back, a non-empty target refused each way, identical row counts, the old volume kept', { skip, timeout: 20 * 60_000 }, async () => {
  const env = composeEnv('v2');
  const ports = { http: portBase++, https: portBase++ };
  const fx = fixture('9.1.2', ports);
  const project = RELEASES['9.1.2'].projectName;
  const volumes = RELEASES['9.1.2'].externalVolumes;
  teardown(fx.dir, 'v2', project, volumes);
  const moveAnswers = join(dirname(fx.dir), 'external.yml');
  writeFileSync(moveAnswers, externalAnswers().split('\nredis:')[0] + '\n');
  let stopWatch: (() => string[]) | undefined;
  try {
    const first = await runCli(['install', '--dir', fx.dir, '--answers', fx.answersFile, '--yes'], env);
    assert.equal(first.code, 0, first.stderr.slice(-3000));
    const bundledPg = () => containers(project).find((c) => c.service === 'postgres' && !c.oneoff && c.running);
    const bundledCounts = () => JSON.parse(docker(['exec', '-i', bundledPg()!.id, 'psql', '-U', 'postgres', '-Atq', '-d', 'postgres'], ROW_COUNTS_SQL).trim()) as Record<string, number>;

    // The target still holds the Sentry tables of the test before: refused, nothing changed.
    serverSql('postgres', 'DROP DATABASE IF EXISTS sentry WITH (FORCE)');
    serverSql('postgres', 'CREATE DATABASE sentry OWNER sentry');
    serverSql('sentry', 'CREATE TABLE leftover (id int)');
    const answersBefore = readFileSync(join(fx.dir, 'sentry-onprem.yml'), 'utf8');
    stopWatch = watchArgv([PG_PASSWORD, fx.passwords.admin]);
    const refused = await runCli(['database', 'move', '--to', 'external', '--answers', moveAnswers, '--dir', fx.dir, '--yes'], env);
    assert.equal(refused.code, 3, refused.stderr.slice(-3000));
    assert.match(refused.stderr, /database sentry on .* is not empty \(public\.leftover\)/);
    assert.equal(readFileSync(join(fx.dir, 'sentry-onprem.yml'), 'utf8'), answersBefore, 'the answers changed');
    assert.ok(bundledPg(), 'the bundled postgres was stopped by the refused move');
    serverSql('sentry', 'DROP TABLE leftover');

    const before = bundledCounts();
    const moved = await runCli(['database', 'move', '--to', 'external', '--answers', moveAnswers, '--dir', fx.dir, '--yes'], env);
    const hits = stopWatch();
    stopWatch = undefined;
    assert.deepEqual(hits, [], 'a password appeared in some process argv');
    assert.equal(moved.code, 0, moved.stderr.slice(-4000));
    assert.match(moved.stderr, /row counts identical: \d+ tables/);
    const after = rowCountsOf('sentry');
    // Sentry writes a few rows of its own once it runs on the new server (options, last-seen); the tables and the data moved are the same.
    assert.deepEqual(Object.keys(after), Object.keys(before));
    assert.ok(before['public.auth_user'] >= 1, 'no user on the bundled server');
    for (const t of ['public.auth_user', 'public.sentry_organization', 'public.sentry_project', 'public.sentry_projectkey', 'public.sentry_organizationmember', 'public.sentry_option']) assert.equal(after[t], before[t], t);
    assert.equal(serverSql('sentry', "select email from auth_user where is_superuser"), 'admin@e2e.test');
    assert.match(readFileSync(join(fx.dir, 'sentry-onprem.yml'), 'utf8'), /external:/);
    assert.ok(!readFileSync(join(fx.dir, 'sentry-onprem.yml'), 'utf8').includes(PG_PASSWORD), 'the password is in sentry-onprem.yml');
    assert.ok(!bundledPg(), 'the bundled postgres still runs');
    assert.notEqual(docker(['volume', 'ls', '-q', '--filter', 'name=^sentry-postgres$']).trim(), '', 'the bundled volume is gone');
    const health = await httpsGet(ports.https, '/_health/', readFileSync(join(fx.dir, 'tls/cert.pem'), 'utf8'));
    assert.equal(health.status, 200);
    assert.ok(!moved.stderr.includes(PG_PASSWORD) && !moved.stdout.includes(PG_PASSWORD), 'a password was printed');
    assert.equal(clientLeftovers(), '');

    // And back: refused while the kept volume exists; once it is removed, the external database moves to a new one.
    stopWatch = watchArgv([PG_PASSWORD, fx.passwords.admin]);
    const keptRefused = await runCli(['database', 'move', '--to', 'bundled', '--dir', fx.dir, '--yes'], env);
    assert.equal(keptRefused.code, 3, keptRefused.stderr.slice(-3000));
    assert.match(keptRefused.stderr, /volume sentry-postgres exists already[\s\S]*docker volume rm sentry-postgres/);
    docker(['volume', 'rm', 'sentry-postgres']);
    const onExternal = rowCountsOf('sentry');
    const back = await runCli(['database', 'move', '--to', 'bundled', '--dir', fx.dir, '--yes'], env);
    const backHits = stopWatch();
    stopWatch = undefined;
    assert.deepEqual(backHits, [], 'a password appeared in some process argv');
    assert.equal(back.code, 0, back.stderr.slice(-4000));
    assert.match(back.stderr, /row counts identical: \d+ tables/);
    assert.ok(bundledPg(), 'the bundled postgres does not run after the move back');
    const bundledAfter = bundledCounts();
    assert.deepEqual(Object.keys(bundledAfter), Object.keys(onExternal));
    for (const t of ['public.auth_user', 'public.sentry_organization', 'public.sentry_project', 'public.sentry_projectkey', 'public.sentry_organizationmember', 'public.sentry_option']) assert.equal(bundledAfter[t], onExternal[t], t);
    assert.doesNotMatch(readFileSync(join(fx.dir, 'sentry-onprem.yml'), 'utf8'), /external:/);
    assert.equal(serverSql('sentry', 'select count(*) from auth_user'), String(onExternal['public.auth_user']), 'the external database was changed');
    const healthBack = await httpsGet(ports.https, '/_health/', readFileSync(join(fx.dir, 'tls/cert.pem'), 'utf8'));
    assert.equal(healthBack.status, 200);
    assert.equal(clientLeftovers(), '');
    console.log(
      `# 9.1.2 database move: install (bundled) ${(first.ms / 1000).toFixed(1)} s, refused move ${(refused.ms / 1000).toFixed(1)} s, move ${(moved.ms / 1000).toFixed(1)} s (${Object.keys(after).length} tables), ` +
        `refused move back ${(keptRefused.ms / 1000).toFixed(1)} s, move back ${(back.ms / 1000).toFixed(1)} s`,
    );
  } finally {
    stopWatch?.();
    teardown(fx.dir, 'v2', project, volumes);
    rmSync(dirname(fx.dir), { recursive: true, force: true });
  }
});

test('install 26.8.0 (errors-only) on an external PostgreSQL (verify-full) and Redis (password): exit 0, admin there, health 200, no secret leaked, no-op re-run', { skip, timeout: 25 * 60_000 }, async () => {
  // errors-only: the profile this 2-CPU machine meets (feature-complete wants 4 CPUs).
  await happyPath('26.8.0', { ...composeEnv('v2'), ...SHORT_HEALTHCHECKS }, 'profile: errors-only\nimages: {digests: drop}\nplugins: [sentry-nodestore-s3==1.0.0]');
});

test('bad external servers: exit 3 from the external-db check, the server and the remedy named, nothing written', { skip, timeout: 10 * 60_000 }, async () => {
  const cases: Array<{ name: string; answers: () => string; found: RegExp; remedy: RegExp }> = [
    { name: 'wrong password', answers: () => externalAnswers({ password: 'not-the-password' }), found: new RegExp(`PostgreSQL ${gateway.replace(/\./g, '\\.')}:${PG_PORT}: connecting failed .*password authentication failed`), remedy: /postgres\.external\.password/ },
    { name: 'wrong CA', answers: () => externalAnswers({ caFile: otherCa }), found: new RegExp(`PostgreSQL ${gateway.replace(/\./g, '\\.')}:${PG_PORT}: connecting failed .*certificate verify failed`), remedy: /postgres\.external\.caFile/ },
    { name: 'host that does not resolve', answers: () => externalAnswers({ host: 'db.sentry-onprem.invalid' }), found: /PostgreSQL db\.sentry-onprem\.invalid:25432: the name does not resolve/, remedy: /postgres\.external\.host/ },
    { name: "another application's database", answers: () => externalAnswers({ database: 'otherapp' }), found: /database otherapp holds 1 table of another application \(public\.orders\)/, remedy: /database of its own/ },
    { name: 'read-only Redis replica', answers: () => externalAnswers({ redisPort: REPLICA_PORT }), found: new RegExp(`Redis ${gateway.replace(/\./g, '\\.')}:${REPLICA_PORT} is a read-only replica`), remedy: /primary/ },
  ];
  for (const c of cases) {
    const fx = fixture('9.1.2', { http: portBase++, https: portBase++ }, c.answers());
    try {
      const stopWatch = watchArgv([PG_PASSWORD, REDIS_PASSWORD]);
      const r = await runCli(['install', '--dir', fx.dir, '--answers', fx.answersFile, '--yes'], composeEnv('v2'));
      assert.deepEqual(stopWatch(), [], `${c.name}: a password appeared in some process argv`);
      assert.equal(r.code, 3, `${c.name}: ${r.stderr.slice(-2000)}`);
      assert.match(r.stderr, /FAIL external-db/, c.name);
      assert.match(r.stderr, c.found, `${c.name}: ${r.stderr.slice(-2000)}`);
      assert.match(r.stderr, c.remedy, `${c.name}: ${r.stderr.slice(-2000)}`);
      assert.ok(!r.stderr.includes(PG_PASSWORD) && !r.stderr.includes(REDIS_PASSWORD), `${c.name}: a password was printed`);
      assert.deepEqual(readdirSync(fx.dir), [], `${c.name}: something was written`);
      // The probe leaves no container behind.
      assert.equal(docker(['ps', '-aq', '--filter', 'label=io.sentry-onprem.one-off=external-db-check']).trim(), '');
      // `check --answers` runs the same check.
      if (c.name === 'wrong password') {
        const chk = await runCli(['check', '--dir', fx.dir, '--answers', fx.answersFile, '--tag', '9.1.2'], composeEnv('v2'));
        assert.equal(chk.code, 3, chk.stdout + chk.stderr);
        assert.match(chk.stdout, /FAIL external-db: PostgreSQL .*password authentication failed/);
        assert.deepEqual(readdirSync(fx.dir), [], 'check wrote something');
      }
    } finally {
      rmSync(dirname(fx.dir), { recursive: true, force: true });
    }
  }
});

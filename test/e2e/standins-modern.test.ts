/**
 * Stand-ins of the 24.8.0/26.8.0 images (test/e2e/images): each started under its official name on a
 * network this file creates and removes, and driven through the commands the installer and the
 * compose healthchecks use: exit codes, the lines they print, heartbeat files.
 */
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pulledImages } from '../../src/render/images.js';
import type { SupportedTag } from '../../src/catalog.js';

/** The releases installed by test/e2e/install-releases.test.ts. */
const HARD_STOPS_E2E: SupportedTag[] = ['21.5.0', '21.6.3', '23.6.2', '23.11.0', '25.5.1', '26.5.1'];

const P = `standins-${process.pid}`;
const NET = `${P}-net`;
const containers: string[] = [];
const volumes: string[] = [];
let work = '';

interface Run { code: number | null; stdout: string; stderr: string }

function sh(args: string[], input?: string): Run {
  const r = spawnSync('docker', args, { encoding: 'utf8', input, timeout: 120_000, maxBuffer: 16 << 20 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function ok(args: string[], input?: string): string {
  const r = sh(args, input);
  assert.equal(r.code, 0, `docker ${args.join(' ')} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** docker run -d on the test network under an alias (the compose service name). */
function start(alias: string, image: string, opts: string[] = [], cmd: string[] = []): string {
  const name = `${P}-${alias}`;
  containers.push(name);
  ok(['run', '-d', '--name', name, '--network', NET, '--network-alias', alias, ...opts, image, ...cmd]);
  return name;
}

/** One-off `docker run --rm` on the network (what `compose run --rm` does). */
function once(image: string, opts: string[], cmd: string[], input?: string): Run {
  return sh(['run', '--rm', '-i', '--network', NET, ...opts, image, ...cmd], input);
}

async function until(what: string, fn: () => boolean, seconds = 40): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    if (fn()) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** The compose healthcheck test, run the way the engine runs a CMD-SHELL check. */
const healthy = (name: string, check: string) => () => sh(['exec', name, 'sh', '-c', check]).code === 0;

const SENTRY = 'ghcr.io/getsentry/sentry:26.8.0';
const SENTRY_OLD = 'getsentry/sentry:24.8.0';
const SNUBA = 'ghcr.io/getsentry/snuba:26.8.0';
const HEARTBEAT = `python3 -c "import os,sys; os.remove('/tmp/health.txt')"`;
const SENTRY_CONF = `from sentry.conf.server import *  # NOQA
DATABASES = {"default": {"ENGINE": "sentry.db.postgres", "NAME": env("SENTRY_DB_NAME", "postgres"),
                         "USER": "postgres", "PASSWORD": "", "HOST": "pgbouncer", "PORT": ""}}
SENTRY_SINGLE_ORGANIZATION = True
SENTRY_OPTIONS["redis.clusters"] = {"default": {"hosts": {0: {"host": "redis", "password": "", "port": "6379", "db": "0"}}}}
DEFAULT_KAFKA_OPTIONS = {"bootstrap.servers": "kafka:9092", "message.max.bytes": 50000000, "socket.timeout.ms": 1000}
KAFKA_CLUSTERS["default"] = DEFAULT_KAFKA_OPTIONS
CACHES = {"default": {"BACKEND": "sentry.cache.backends.reconnectingmemcache.ReconnectingMemcache",
                      "LOCATION": ["memcached:11211"], "TIMEOUT": 3600, "OPTIONS": {"reconnect_age": 300}}}
SENTRY_WEB_HOST = "0.0.0.0"
SENTRY_WEB_PORT = 9000
port = SENTRY_WEB_PORT
SENTRY_OPTIONS["system.url-prefix"] = f"http://localhost:{port}"  # Python 3 only: the 21.x+ images run it
`;
const KAFKA_ENV = {
  KAFKA_PROCESS_ROLES: 'broker,controller', KAFKA_CONTROLLER_QUORUM_VOTERS: '1001@127.0.0.1:29093',
  KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER', KAFKA_NODE_ID: '1001', CLUSTER_ID: 'MkU3OEVBNTcwNTJENDM2Qk',
  KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:29092,INTERNAL://0.0.0.0:9093,EXTERNAL://0.0.0.0:9092,CONTROLLER://0.0.0.0:29093',
  KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://127.0.0.1:29092,INTERNAL://kafka:9093,EXTERNAL://kafka:9092',
  KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
  KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT', KAFKA_LOG_RETENTION_HOURS: '3',
};
const env = (vars: Record<string, string>) => Object.entries(vars).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
const sentryOpts = () => ['-v', `${work}/sentry:/etc/sentry:ro`, '-e', 'STANDIN_HEARTBEAT_SECONDS=1'];

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'standins-modern-'));
  chmodSync(work, 0o755);
  execFileSync('mkdir', ['-p', `${work}/sentry`, `${work}/relay`, `${work}/taskbroker`, `${work}/symbolicator`]);
  writeFileSync(`${work}/sentry/sentry.conf.py`, SENTRY_CONF);
  writeFileSync(`${work}/sentry/config.yml`, "system.secret-key: 'test-secret-key-for-the-stand-ins-0123456789abcdef'\n");
  writeFileSync(`${work}/relay/config.yml`, 'relay:\n  upstream: "http://web:9000/"\n  host: 0.0.0.0\n  port: 3000\n');
  writeFileSync(`${work}/taskbroker/config.yml`, 'kafka_cluster: kafka:9092\ndb_path: /opt/sqlite/inflight.sqlite\n');
  writeFileSync(`${work}/symbolicator/config.yml`, 'cache_dir: "/data"\nbind: "0.0.0.0:3021"\n');
  ok(['network', 'create', NET]);
  start('postgres', 'postgres:14.23-bookworm', env({ POSTGRES_HOST_AUTH_METHOD: 'trust' }));
  start('pgbouncer', 'edoburu/pgbouncer:v1.25.2-p0', env({
    DB_USER: 'postgres', DB_HOST: 'postgres', DB_NAME: '*', AUTH_TYPE: 'trust', POOL_MODE: 'transaction',
    ADMIN_USERS: 'postgres,admin', MAX_CLIENT_CONN: '10000',
  }));
  start('redis', 'valkey/valkey:8.1.9-alpine', [], ['valkey-server']);
  start('memcached', 'memcached:1.6.45-alpine', [], ['-I', '1M']);
  start('kafka', 'confluentinc/cp-kafka:7.6.6', env(KAFKA_ENV));
  start('clickhouse', 'altinity/clickhouse-server:25.3.6.10034.altinitystable');
  start('smtp', 'registry.gitlab.com/egos-tech/smtp');
});

after(() => {
  for (const c of containers) sh(['rm', '-f', '-v', c]);
  for (const v of volumes) sh(['volume', 'rm', '-f', v]);
  sh(['network', 'rm', NET]);
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Every image the 26.8.0 (both profiles) and 24.8.0 compose files and installers name. */
const IMAGES = [
  SENTRY, SNUBA, 'ghcr.io/getsentry/relay:26.8.0', 'ghcr.io/getsentry/symbolicator:26.8.0', 'ghcr.io/getsentry/vroom:26.8.0',
  'ghcr.io/getsentry/taskbroker:26.8.0', 'ghcr.io/getsentry/uptime-checker:26.8.0', 'ghcr.io/getsentry/launchpad:26.8.0',
  'registry.gitlab.com/egos-tech/smtp', 'memcached:1.6.45-alpine', 'valkey/valkey:8.1.9-alpine', 'postgres:14.23-bookworm',
  'edoburu/pgbouncer:v1.25.2-p0', 'confluentinc/cp-kafka:7.6.6', 'chrislusf/seaweedfs:4.40_large_disk', 'nginx:1.31.3-alpine',
  ...['21.8.13.1', '22.8.15.25', '23.3.19.33', '23.8.11.29', '24.8.14.10459', '25.3.6.10034'].map((v) => `altinity/clickhouse-server:${v}.altinitystable`),
  SENTRY_OLD, 'getsentry/snuba:24.8.0', 'getsentry/relay:24.8.0', 'getsentry/symbolicator:24.8.0', 'getsentry/vroom:24.8.0',
  'memcached:1.6.26-alpine', 'redis:6.2.14-alpine', 'postgres:14.11', 'confluentinc/cp-kafka:7.6.1', 'nginx:1.25.4-alpine',
];

test('every image is built under its official name and announces that name', () => {
  for (const image of IMAGES) {
    const envs = ok(['image', 'inspect', '-f', '{{range .Config.Env}}{{println .}}{{end}}', image]).split('\n');
    assert.ok(envs.includes(`STANDIN_IMAGE=${image}`), `${image}: ${envs.find((e) => e.startsWith('STANDIN_IMAGE='))}`);
  }
});

test('every image the other hard stops (21.5.0 ... 26.5.1) name is built under its official name and announces it', () => {
  const names = new Set(HARD_STOPS_E2E.flatMap((tag) => pulledImages(tag, '')));
  assert.ok(names.size >= 40, `${names.size} images`);
  for (const image of names) {
    const envs = ok(['image', 'inspect', '-f', '{{range .Config.Env}}{{println .}}{{end}}', image]).split('\n');
    assert.ok(envs.includes(`STANDIN_IMAGE=${image}`), `${image}: ${envs.find((e) => e.startsWith('STANDIN_IMAGE='))}`);
  }
});

test('infrastructure: the compose healthchecks of 26.8.0 pass', async () => {
  await until('postgres', healthy(`${P}-postgres`, 'pg_isready -U postgres'));
  await until('pgbouncer', healthy(`${P}-pgbouncer`, 'psql -U postgres -p 5432 -h 127.0.0.1 -tA -c "select 1;" -d postgres'));
  await until('valkey', healthy(`${P}-redis`, 'valkey-cli ping | grep PONG'));
  await until('memcached', healthy(`${P}-memcached`, 'echo stats | nc 127.0.0.1 11211'));
  await until('kafka', healthy(`${P}-kafka`, 'nc -z localhost 9092'));
  await until('clickhouse', healthy(`${P}-clickhouse`, "HTTP_PROXY='' http_proxy='' wget -nv -t1 --spider 'http://localhost:8123/' || exit 1"));
  const version = ok(['exec', `${P}-clickhouse`, 'clickhouse-client', '-q', 'SELECT version()']).trim();
  assert.equal(version, '25.3.6.10034.altinitystable');
  // cleanup-clickhouse.sh
  ok(['exec', `${P}-clickhouse`, 'clickhouse-client', '-q', 'DROP TABLE IF EXISTS system.query_log_0']);
  ok(['exec', `${P}-clickhouse`, 'clickhouse-client', '-n', '-q',
    'SYSTEM FLUSH LOGS; TRUNCATE TABLE IF EXISTS system.query_log; TRUNCATE TABLE IF EXISTS system.query_views_log;']);
  const inv = sh(['logs', `${P}-redis`]).stderr;
  assert.match(inv, /standin-invocation: \{"image": "valkey\/valkey:8\.1\.9-alpine", "argv": \["valkey-server"\]/);
  // the KRaft broker formatted its data dir for the cluster id
  assert.match(ok(['exec', `${P}-kafka`, 'cat', '/var/lib/kafka/data/meta.properties']), /cluster\.id=MkU3OEVBNTcwNTJENDM2Qk/);
});

test('clickhouse: data may move one version step at a time, as the installer steps it', () => {
  const vol = `${P}-ch`;
  volumes.push(vol);
  ok(['volume', 'create', vol]);
  const runFor = (ver: string) => {
    const name = `${P}-ch-${ver}`;
    containers.push(name);
    ok(['run', '-d', '--name', name, '-v', `${vol}:/var/lib/clickhouse`, `altinity/clickhouse-server:${ver}.altinitystable`]);
    return name;
  };
  const waitExit = (name: string) => ok(['wait', name]).trim();
  const c1 = runFor('23.3.19.33');
  const deadline = Date.now() + 20_000;
  while (!/Ready for connections/.test(sh(['logs', c1]).stderr) && Date.now() < deadline) spawnSync('sleep', ['0.3']);
  ok(['rm', '-f', c1]);
  const skipped = runFor('25.3.6.10034');
  assert.equal(waitExit(skipped), '1');
  assert.match(sh(['logs', skipped]).stderr, /Cannot start ClickHouse 25\.3\.6\.10034\.altinitystable on data last written by 23\.3\.19\.33\.altinitystable.*checkUnsupportedVersion/);
  const step = runFor('23.8.11.29');
  spawnSync('sleep', ['2']);
  assert.equal(ok(['inspect', '-f', '{{.State.Running}}', step]).trim(), 'true', sh(['logs', step]).stderr);
});

test('seaweedfs: weed mini, healthcheck, s3cmd bucket and lifecycle as bootstrap-s3-nodestore.sh does', async () => {
  const c = start('seaweedfs', 'chrislusf/seaweedfs:4.40_large_disk', ['--entrypoint', 'weed',
    ...env({ AWS_ACCESS_KEY_ID: 'sentry', AWS_SECRET_ACCESS_KEY: 'sentry' })], ['mini', '-dir=/data',
    '-filer.defaultReplicaPlacement=000', '-metricsPort=9091', '-volume.dir.idx=/data/idx', '-volume.index=leveldbLarge',
    '-volume.preStopSeconds=8', '-volume.readMode=redirect', '-ip.bind=0.0.0.0', '-webdav=false']);
  await until('seaweedfs', healthy(c, 'wget -q -O- http://seaweedfs:8080/healthz http://seaweedfs:9333/cluster/healthz http://seaweedfs:8333/healthz http://seaweedfs:9340/healthz'));
  ok(['exec', c, 'apk', 'add', '--no-cache', 's3cmd']);
  assert.notEqual(sh(['exec', c, 'apk', 'add', 'postgresql-client']).code, 0);
  ok(['exec', c, 'mkdir', '-p', '/data/idx/']);
  const s3 = ['exec', c, 's3cmd', '--access_key=sentry', '--secret_key=sentry', '--no-ssl', '--region=us-east-1',
    '--host=localhost:8333', '--host-bucket=localhost:8333/%(bucket)'];
  assert.doesNotMatch(ok([...s3, 'ls']), /s3:\/\/nodestore/);
  ok([...s3, 'mb', 's3://nodestore']);
  assert.match(ok([...s3, 'ls']), /s3:\/\/nodestore/);
  ok(['exec', c, 'sh', '-c', 'printf \'<?xml version="1.0" encoding="UTF-8"?><LifecycleConfiguration><Rule><ID>Sentry-Nodestore-Rule</ID><Status>Enabled</Status><Filter></Filter><Expiration><Days>90</Days></Expiration></Rule></LifecycleConfiguration>\' > /tmp/lc.xml']);
  ok([...s3, 'setlifecycle', '/tmp/lc.xml', 's3://nodestore']);
  assert.match(ok([...s3, 'getlifecycle', 's3://nodestore']), /<Days>90<\/Days>/);
  const wrongKey = sh(['exec', c, 's3cmd', '--access_key=nobody', '--secret_key=x', '--no-ssl', '--region=us-east-1',
    '--host=localhost:8333', '--host-bucket=localhost:8333/%(bucket)', 'ls']);
  assert.notEqual(wrongKey.code, 0);
});

test('snuba 26.8.0: bootstrap --force, migrations list, a consumer with its heartbeat file', async () => {
  const snubaEnv = env({ CLICKHOUSE_HOST: 'clickhouse', DEFAULT_BROKERS: 'kafka:9092', STANDIN_HEARTBEAT_SECONDS: '1' });
  const refused = once(SNUBA, snubaEnv, ['bootstrap']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /Error: Must use --force to run/);
  const boot = once(SNUBA, snubaEnv, ['bootstrap', '--force']);
  assert.equal(boot.code, 0, boot.stderr);
  assert.match(boot.stdout, /Finished running migrations/);
  assert.match(once(SNUBA, snubaEnv, ['migrations', 'list']).stdout, /\[X\]\s+0001_events_standin_26_8_0/);
  const api = start('snuba-api', SNUBA, snubaEnv);
  await until('snuba-api', healthy(api, `bash -c 'exec 3<>/dev/tcp/127.0.0.1/1218 && echo -e "GET /health HTTP/1.1\\r\\nhost: 127.0.0.1\\r\\n\\r\\n" >&3 && grep ok -s -m 1 <&3'`));
  const consumer = start('snuba-errors-consumer', SNUBA, snubaEnv, ['rust-consumer', '--storage', 'errors',
    '--consumer-group', 'snuba-consumers', '--auto-offset-reset=latest', '--max-batch-time-ms', '750',
    '--no-strict-offset-reset', '--health-check-file', '/tmp/health.txt', '--max-poll-interval-ms', '300000']);
  await until('snuba consumer heartbeat', healthy(consumer, HEARTBEAT));
  await until('heartbeat written again', healthy(consumer, HEARTBEAT));
  assert.match(sh(['logs', consumer]).stderr, /"image": "ghcr\.io\/getsentry\/snuba:26\.8\.0"/);
});

test('sentry 26.8.0: upgrade --create-kafka-topics, createuser, the hard stop, consumers drain, heartbeats', async () => {
  const up = once(SENTRY, sentryOpts(), ['upgrade', '--noinput', '--create-kafka-topics']);
  assert.equal(up.code, 0, up.stdout + up.stderr);
  assert.match(up.stdout, /^Running migrations for default$/m);
  const topics = ok(['exec', `${P}-kafka`, 'kafka-topics', '--bootstrap-server', 'kafka:9092', '--list']).split('\n');
  for (const t of ['ingest-events', 'taskworker', 'events']) assert.ok(topics.includes(t), `topic ${t} missing`);
  const again = once(SENTRY, sentryOpts(), ['upgrade', '--noinput']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /No migrations to apply/);

  const user = ['createuser', '--email', 'admin@e2e.test', '--password', 'pw', '--superuser', '--no-input'];
  const created = once(SENTRY, sentryOpts(), user);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /User created: admin@e2e\.test\nAdded to organization: sentry/);
  const exists = once(SENTRY, sentryOpts(), user);
  assert.equal(exists.code, 0);
  assert.match(exists.stdout, /User: admin@e2e\.test exists, use --force-update to force\./);
  const rows = ok(['exec', `${P}-postgres`, 'psql', '-U', 'postgres', '-Atc', 'select email, is_superuser, is_staff from auth_user']);
  assert.equal(rows.trim(), 'admin@e2e.test|t|t');

  // 24.8.0 data straight to 26.8.0 skips the 25.5.1 and 26.5.1 hard stops: refused before any change
  ok(['exec', `${P}-postgres`, 'createdb', '-U', 'postgres', 'old248']);
  const old = ['-e', 'SENTRY_DB_NAME=old248', ...sentryOpts()];
  assert.equal(once(SENTRY_OLD, old, ['upgrade', '--noinput']).code, 0);
  const count = () => ok(['exec', `${P}-postgres`, 'psql', '-U', 'postgres', '-d', 'old248', '-Atc', 'select count(*) from django_migrations']).trim();
  const before = count();
  const skipped = once(SENTRY, old, ['upgrade', '--noinput']);
  assert.equal(skipped.code, 1);
  assert.match(skipped.stderr, /^Error: It looks like you've skipped a hard stop in our upgrade process\./m);
  assert.equal(count(), before);
  assert.equal(once(SENTRY_OLD, old, ['upgrade', '--no-input']).code, 2); // the option is createuser's spelling

  // messages produced before the consumer starts stay in Kafka until its group has read them
  ok(['exec', '-i', `${P}-kafka`, 'kafka-console-producer', '--bootstrap-server', 'kafka:9092', '--topic', 'ingest-events'], 'a\nb\nc\n');
  const events = start('events-consumer', SENTRY, sentryOpts(), ['run', 'consumer', 'ingest-events', '--consumer-group',
    'ingest-consumer', '--auto-offset-reset=earliest', '--no-strict-offset-reset', '--healthcheck-file-path',
    '/tmp/health.txt', '--max-poll-interval-ms', '300000']);
  await until('events-consumer heartbeat', healthy(events, HEARTBEAT));
  const lag = ok(['exec', `${P}-kafka`, 'kafka-consumer-groups', '--bootstrap-server', 'kafka:9092', '--describe', '--group', 'ingest-consumer']);
  assert.match(lag, /ingest-consumer\s+ingest-events\s+0\s+3\s+3\s+0\s/);
  const bad = once(SENTRY, sentryOpts(), ['run', 'consumer', 'no-such-consumer', '--consumer-group', 'x']);
  assert.equal(bad.code, 2);

  const web = start('web', SENTRY, sentryOpts());
  await until('web /_health/', healthy(web, `/bin/bash -c 'exec 3<>/dev/tcp/127.0.0.1/9000 && echo -e "GET /_health/ HTTP/1.1\\r\\nhost: 127.0.0.1\\r\\n\\r\\n" >&3 && grep ok -s -m 1 <&3'`));
  start('taskbroker', 'ghcr.io/getsentry/taskbroker:26.8.0', ['-v', `${work}/taskbroker:/etc/taskbroker:ro`],
    ['/opt/taskbroker', '-c', '/etc/taskbroker/config.yml']);
  const worker = start('taskworker', SENTRY, sentryOpts(), ['run', 'taskworker', '--concurrency=4',
    '--rpc-host=taskbroker:50051', '--health-check-file-path=/tmp/health.txt', '--max-child-task-count=10000']);
  await until('taskworker heartbeat', healthy(worker, HEARTBEAT));
  assert.equal(once(SENTRY, sentryOpts(), ['run', 'worker']).code, 2); // Celery is gone in 26.x
});

test('relay, symbolicator, vroom, launchpad, uptime-checker, nginx: commands and healthchecks', async () => {
  const gen = once('ghcr.io/getsentry/relay:26.8.0', ['--no-healthcheck', '-v', `${work}/relay/config.yml:/tmp/config.yml:ro`],
    ['--config', '/tmp', 'credentials', 'generate', '--stdout']);
  assert.equal(gen.code, 0, gen.stderr);
  const creds = JSON.parse(gen.stdout) as Record<string, string>;
  assert.deepEqual(Object.keys(creds).sort(), ['id', 'public_key', 'secret_key']);
  writeFileSync(`${work}/relay/credentials.json`, gen.stdout);
  chmodSync(`${work}/relay/credentials.json`, 0o644);
  const show = once('ghcr.io/getsentry/relay:26.8.0', ['-v', `${work}/relay:/work/.relay:ro`], ['credentials', 'show']);
  assert.match(show.stdout, /Credentials/);

  const sym = start('symbolicator', 'ghcr.io/getsentry/symbolicator:26.8.0', ['-v', `${work}/symbolicator:/etc/symbolicator:ro`],
    ['run', '-c', '/etc/symbolicator/config.yml']);
  await until('symbolicator', healthy(sym, '/bin/symbolicator healthcheck -c /etc/symbolicator/config.yml'));
  const cleanup = start('symbolicator-cleanup', 'ghcr.io/getsentry/symbolicator:26.8.0', ['-v', `${work}/symbolicator:/etc/symbolicator:ro`],
    ['cleanup', '-c', '/etc/symbolicator/config.yml', '--repeat', '1h']);
  await until('symbolicator-cleanup keeps running', () => ok(['inspect', '-f', '{{.State.Running}}', cleanup]).trim() === 'true', 5);

  const vroom = start('vroom', 'ghcr.io/getsentry/vroom:26.8.0');
  await until('vroom', healthy(vroom, `bash -c 'exec 3<>/dev/tcp/127.0.0.1/8085 && echo -e "GET /health HTTP/1.1\\r\\nhost: 127.0.0.1\\r\\n\\r\\n" >&3 && grep OK -s -m 1 <&3'`));
  assert.equal(ok(['exec', vroom, 'id', '-un']).trim(), 'vroom');
  const launchpad = start('launchpad', 'ghcr.io/getsentry/launchpad:26.8.0', env({ LAUNCHPAD_RPC_SHARED_SECRET: 's', STANDIN_HEARTBEAT_SECONDS: '1' }), ['worker', '--verbose']);
  await until('launchpad heartbeat', healthy(launchpad, HEARTBEAT));
  const uptime = start('uptime-checker', 'ghcr.io/getsentry/uptime-checker:26.8.0', env({ UPTIME_CHECKER_REDIS_HOST: 'redis:6379' }), ['run']);
  await until('uptime-checker connected', () => /connected to Redis/.test(sh(['logs', uptime]).stderr));

  const nginx = start('nginx', 'nginx:1.31.3-alpine');
  await until('nginx', healthy(nginx, '/usr/bin/curl http://localhost'));
});

test('postgres: 14.x is a newer real major than 9.6; tianon/postgres-upgrade:9.6-to-14 runs the real pg_upgrade', async () => {
  const oldVol = `${P}-pg-old`;
  const newVol = `${P}-pg-new`;
  volumes.push(oldVol, newVol);
  ok(['volume', 'create', oldVol]);
  ok(['volume', 'create', newVol]);
  const old = start('pg96', 'postgres:9.6', ['-v', `${oldVol}:/var/lib/postgresql/data`, ...env({ POSTGRES_HOST_AUTH_METHOD: 'trust' })]);
  await until('postgres:9.6 initialised', () => /PostgreSQL init process complete/.test(sh(['logs', old]).stdout)
    && sh(['exec', old, 'pg_isready', '-U', 'postgres']).code === 0);
  ok(['exec', old, 'psql', '-U', 'postgres', '-c', "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('row')"]);
  ok(['stop', old]);
  const wrong = sh(['run', '--rm', '-v', `${oldVol}:/var/lib/postgresql/data`, 'postgres:14.23-bookworm']);
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stdout + wrong.stderr, /database files are incompatible with server/);
  const upgrade = sh(['run', '--rm', '-v', `${oldVol}:/var/lib/postgresql/9.6/data`, '-v', `${newVol}:/var/lib/postgresql/14/data`,
    'tianon/postgres-upgrade:9.6-to-14']);
  assert.equal(upgrade.code, 0, upgrade.stdout + upgrade.stderr);
  assert.match(upgrade.stdout, /Upgrade Complete/);
  const neu = start('pg14', 'postgres:14.23-bookworm', ['-v', `${newVol}:/var/lib/postgresql/data`]);
  await until('postgres:14 on the upgraded data', () => sh(['exec', neu, 'psql', '-U', 'postgres', '-Atc', 'select v from kept']).stdout.trim() === 'row');
  assert.equal(ok(['exec', neu, 'cat', '/var/lib/postgresql/data/PG_VERSION']).trim(), '17');
});

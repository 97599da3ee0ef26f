/**
 * Sentry 26.8.0 rendered and read back by the programs that read it in production: compose v2 (`config`,
 * with the .env and each profile), PyYAML (every YAML file), python3 (sentry.conf.py executed against the
 * stand-in sentry.conf.server; the snuba healthcheck compiled), an XML parser (ClickHouse), bash -n (the
 * entrypoints), nginx -t. The compose file is held to the official 26.8.0 topology
 * (sentry-onpremise-reference.md §2.5, sentry-modern-releases.md §2.8): services, profiles, images,
 * healthchecks, depends_on conditions, ulimits, external volumes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, removeDir, render, tempDir, writeAnswers } from '../helpers/cli.js';
import { PYTHON, composeConfig, envMap, pythonSyntax, pyyamlLoad, requireReaders, sentryConf } from '../helpers/readers.js';
import { nginxTest, nginxWork } from '../helpers/nginx.js';

ensureBuilt();

/** The 28 services without a profile: all that errors-only starts (reference §2.5). */
const ERRORS_ONLY = [
  'smtp', 'memcached', 'redis', 'postgres', 'pgbouncer', 'kafka', 'clickhouse', 'seaweedfs', 'snuba-api', 'snuba-errors-consumer',
  'snuba-outcomes-consumer', 'snuba-outcomes-billing-consumer', 'snuba-group-attributes-consumer', 'snuba-replacer',
  'snuba-subscription-consumer-events', 'snuba-subscription-consumer-eap-items', 'symbolicator', 'symbolicator-cleanup', 'web',
  'events-consumer', 'attachments-consumer', 'post-process-forwarder-errors', 'sentry-cleanup', 'nginx', 'relay', 'taskbroker',
  'taskscheduler', 'taskworker',
];
/** The 8 of 57 without a healthcheck (§2.8: 49 of 57 have one). */
const NO_HEALTHCHECK = ['smtp', 'symbolicator-cleanup', 'sentry-cleanup', 'relay', 'taskbroker', 'taskscheduler', 'uptime-checker', 'snuba-outcomes-accepted-consumer'];
const S_DEPS = { redis: 'service_healthy', kafka: 'service_healthy', pgbouncer: 'service_healthy', memcached: 'service_started', smtp: 'service_started', seaweedfs: 'service_started', 'snuba-api': 'service_started', symbolicator: 'service_started' };
const N_DEPS = { clickhouse: 'service_healthy', kafka: 'service_healthy', redis: 'service_healthy' };
const GHCR = (name: string) => `ghcr.io/getsentry/${name}:26.8.0`;

function renderWith(extra: Record<string, unknown>): { root: string; install: string } {
  const root = tempDir();
  const install = join(root, 'install');
  const answers = { tag: '26.8.0', url: 'https://sentry.example.com:8443', admin: { email: 'admin@example.com', password: 'correct horse battery staple' }, ports: { http: 8080, https: 8443 }, ...extra };
  const r = render(install, writeAnswers(join(root, 'answers.yml'), answers));
  assert.equal(r.code, 0, r.stderr);
  return { root, install };
}

const deps = (s: any) => Object.fromEntries(Object.entries(s.depends_on ?? {}).map(([k, v]: [string, any]) => [k, v.condition]));

test('26.8.0 compose file (compose v2): the official 57 services, 28 under errors-only, images, profiles, healthchecks, depends_on', (t) => {
  if (!requireReaders(t, 'compose-v2')) return;
  const { root, install } = renderWith({});
  try {
    const c = composeConfig(install, 2);
    assert.equal(c.code, 0, c.stderr);
    const s = c.config.services as Record<string, any>;
    assert.equal(Object.keys(s).length, 57);
    assert.deepEqual(Object.keys(s).filter((n) => !s[n].profiles?.length).sort(), [...ERRORS_ONLY].sort());
    for (const n of Object.keys(s)) if (s[n].profiles?.length) assert.deepEqual(s[n].profiles, ['feature-complete'], n);
    assert.deepEqual(Object.keys(s).filter((n) => !s[n].healthcheck).sort(), [...NO_HEALTHCHECK].sort());
    assert.equal(readFileSync(join(install, '.env'), 'utf8').match(/^COMPOSE_PROFILES=(.*)$/m)?.[1], 'feature-complete');

    // Images: the tag's defaults.
    assert.equal(s.redis.image, 'valkey/valkey:8.1.9-alpine');
    assert.deepEqual(s.redis.command, ['valkey-server', '/usr/local/etc/redis/redis.conf']);
    assert.equal(s.postgres.image, 'postgres:14.23-bookworm');
    assert.equal(s.pgbouncer.image, 'edoburu/pgbouncer:v1.25.2-p0');
    assert.equal(s.kafka.image, 'confluentinc/cp-kafka:7.6.6');
    assert.equal(s.memcached.image, 'memcached:1.6.45-alpine');
    assert.equal(s.nginx.image, 'nginx:1.31.3-alpine');
    assert.equal(s.smtp.image, 'registry.gitlab.com/egos-tech/smtp');
    assert.match(s.seaweedfs.image, /^chrislusf\/seaweedfs:4\.40_large_disk@sha256:d07aa1/);
    assert.equal(s.clickhouse.build.args.BASE_IMAGE, 'altinity/clickhouse-server:25.3.6.10034.altinitystable');
    assert.equal(s.web.build.args.SENTRY_IMAGE, GHCR('sentry'));
    for (const [svc, img] of [['snuba-api', 'snuba'], ['relay', 'relay'], ['symbolicator', 'symbolicator'], ['taskbroker', 'taskbroker'], ['vroom', 'vroom'], ['uptime-checker', 'uptime-checker'], ['launchpad-taskworker', 'launchpad']]) {
      assert.equal(s[svc].image, GHCR(img), svc);
    }
    // Commands and entrypoints.
    assert.equal(s.web.entrypoint[0], '/etc/sentry/entrypoint.sh');
    assert.deepEqual(s.web.command, ['run', 'web']);
    assert.deepEqual(s.seaweedfs.entrypoint, ['weed']);
    assert.equal(s.seaweedfs.command[0], 'mini');
    assert.deepEqual(s['snuba-errors-consumer'].command.slice(-2), ['--max-poll-interval-ms', '300000'], 'the poll interval default is interpolated');
    assert.deepEqual(s.taskbroker.command, ['/opt/taskbroker', '-c', '/etc/taskbroker/config.yml']);
    assert.ok(s.taskworker.command.includes('--concurrency=4'));
    // Healthchecks: the heartbeat file (python3), snuba-api's script, web's /_health/ with a 5 min start period.
    assert.deepEqual(s['events-consumer'].healthcheck.test.slice(0, 3), ['CMD', 'python3', '-c']);
    assert.match(s['events-consumer'].healthcheck.test[3], /os\.remove\('\/tmp\/health\.txt'\)/);
    assert.equal(s['events-consumer'].healthcheck.start_period, '10m0s');
    assert.deepEqual(s['snuba-api'].healthcheck.test, ['CMD', 'python3', '/usr/src/snuba/api_healthcheck.py']);
    assert.equal(s.web.healthcheck.start_period, '5m0s');
    assert.match(s.seaweedfs.healthcheck.test[1], /9340\/healthz/);
    assert.match(s.redis.healthcheck.test.join(' '), /valkey-cli ping/);
    // depends_on conditions.
    for (const n of ['web', 'events-consumer', 'taskworker', 'sentry-cleanup']) assert.deepEqual(deps(s[n]), S_DEPS, n);
    for (const n of ['snuba-api', 'snuba-replacer', 'snuba-eap-items-consumer']) assert.deepEqual(deps(s[n]), N_DEPS, n);
    assert.deepEqual(deps(s.nginx), { web: 'service_healthy', relay: 'service_started' });
    assert.equal(s.nginx.depends_on.web.restart, true);
    assert.deepEqual(deps(s.relay), { kafka: 'service_healthy', redis: 'service_healthy', web: 'service_healthy' });
    assert.deepEqual(deps(s.pgbouncer), { postgres: 'service_healthy' });
    assert.deepEqual(deps(s['launchpad-taskworker']), { kafka: 'service_healthy', taskbroker: 'service_started', web: 'service_healthy' });
    // ulimits.
    assert.deepEqual(s.kafka.ulimits.nofile, { soft: 100000, hard: 100000 });
    assert.deepEqual(s.redis.ulimits.nofile, { soft: 10032, hard: 10032 });
    assert.deepEqual(s.clickhouse.ulimits.nofile, { soft: 262144, hard: 262144 });
    assert.deepEqual(s.web.ulimits.nofile, { soft: 4096, hard: 4096 });
    // Volumes: the six external ones, the rest project-scoped.
    const external = Object.entries(c.config.volumes as Record<string, any>).filter(([, v]) => v.external).map(([k]) => k).sort();
    assert.deepEqual(external, ['sentry-clickhouse', 'sentry-data', 'sentry-kafka', 'sentry-postgres', 'sentry-redis', 'sentry-seaweedfs']);
    // The documented difference: nginx publishes the answer ports, http and https.
    assert.deepEqual(s.nginx.ports.map((p: any) => `${p.published}:${p.target}`).sort(), ['8080:80', '8443:443']);
    assert.equal(envMap(s.web.environment).COMPOSE_PROFILES, 'feature-complete');
    assert.equal(envMap(s['launchpad-taskworker'].environment).LAUNCHPAD_RPC_SHARED_SECRET.length, 50, 'a generated secret, not "supersecret"');
  } finally {
    removeDir(root);
  }
});

test('26.8.0 profile errors-only: COMPOSE_PROFILES=errors-only, and compose v2 starts the 28 services without a profile', (t) => {
  if (!requireReaders(t, 'compose-v2', 'python3')) return;
  const { root, install } = renderWith({ profile: 'errors-only' });
  try {
    assert.equal(readFileSync(join(install, '.env'), 'utf8').match(/^COMPOSE_PROFILES=(.*)$/m)?.[1], 'errors-only');
    const r = spawnSync('docker', ['compose', 'config', '--services'], { cwd: install, encoding: 'utf8', env: { ...process.env, DOCKER_CONFIG: '/tmp/sentry-onprem-e2e/docker-config', COMPOSE_PROFILES: '' } });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n').sort(), [...ERRORS_ONLY].sort());
    const c = composeConfig(install, 2);
    const env = envMap(c.config.services.web.environment);
    assert.equal(env.COMPOSE_PROFILES, 'errors-only');
    const settings = sentryConf(join(install, 'sentry', 'sentry.conf.py'), env);
    assert.equal(settings.SENTRY_SELF_HOSTED_ERRORS_ONLY, true);
  } finally {
    removeDir(root);
  }
});

test('26.8.0 sentry.conf.py (python3) and config.yml (PyYAML): pgbouncer, S3 nodestore, CSRF_TRUSTED_ORIGINS and the proxy settings follow url', (t) => {
  if (!requireReaders(t, 'compose-v2', 'python3', 'pyyaml')) return;
  const { root, install } = renderWith({ plugins: ['sentry-dingding~=0.0.2'] });
  try {
    const conf = join(install, 'sentry', 'sentry.conf.py');
    const syntax = pythonSyntax(conf);
    assert.ok(syntax.ok, syntax.error);
    const env = envMap(composeConfig(install, 2).config.services.web.environment);
    const s = sentryConf(conf, env);
    assert.deepEqual(s.CSRF_TRUSTED_ORIGINS, ['https://sentry.example.com:8443']);
    assert.deepEqual(s.SECURE_PROXY_SSL_HEADER, ['HTTP_X_FORWARDED_PROTO', 'https']);
    assert.equal(s.USE_X_FORWARDED_HOST, true);
    assert.equal(s.CSRF_COOKIE_SECURE, true);
    assert.equal(s.DATABASES.default.HOST, 'pgbouncer');
    assert.equal(s.SENTRY_NODESTORE, 'sentry_nodestore_s3.S3PassthroughDjangoNodeStorage');
    assert.equal(s.SENTRY_NODESTORE_OPTIONS.endpoint_url, 'http://seaweedfs:8333');
    assert.equal(s.CACHES.default.BACKEND, 'sentry.cache.backends.reconnectingmemcache.ReconnectingMemcache');
    assert.equal(s.SENTRY_SELF_HOSTED_ERRORS_ONLY, false);
    assert.equal(s.SENTRY_OPTIONS['system.event-retention-days'], 90);

    const cfg = pyyamlLoad(join(install, 'sentry', 'config.yml')) as Record<string, any>;
    assert.equal(cfg['system.url-prefix'], 'https://sentry.example.com:8443');
    assert.equal(cfg['system.secret-key'].length, 50);
    assert.equal(cfg['filestore.profiles-options'].endpoint_url, 'http://seaweedfs:8333');
    for (const f of ['relay/config.yml', 'symbolicator/config.yml', 'taskbroker/config.yml']) assert.ok(pyyamlLoad(join(install, f)), f);
    const relay = pyyamlLoad(join(install, 'relay', 'config.yml')) as any;
    assert.equal(relay.relay.upstream, 'http://web:9000/');
    const broker = pyyamlLoad(join(install, 'taskbroker', 'config.yml')) as any;
    assert.equal(broker.kafka_deadletter_topic, 'taskworker-dlq');
    assert.ok(pythonSyntax(join(install, 'snuba', 'api_healthcheck.py')).ok);
    const reqs = readFileSync(join(install, 'sentry', 'requirements.txt'), 'utf8');
    assert.match(reqs, /^sentry-dingding~=0\.0\.2$/m);
    assert.match(reqs, /^sentry-nodestore-s3 @ https:\/\/github\.com\/getsentry\/sentry-nodestore-s3\/archive\/[0-9a-f]{40}\.zip$/m);
    const redis = readFileSync(join(install, 'redis.conf'), 'utf8');
    assert.match(redis, /^maxmemory 0$/m);
    assert.match(redis, /^maxmemory-policy volatile-lru$/m);

    // ClickHouse reads XML: both files parse, and the values are where ClickHouse looks.
    const xml = spawnSync(PYTHON, ['-c', [
      'import sys, xml.etree.ElementTree as E',
      'c = E.parse(sys.argv[1]).getroot(); u = E.parse(sys.argv[2]).getroot()',
      'print(c.tag, c.find("max_server_memory_usage_to_ram_ratio").get("from_env"), c.find("merge_tree/max_suspicious_broken_parts").text, u.find("users/default/networks/ip").text)',
    ].join('\n'), join(install, 'clickhouse', 'config.xml'), join(install, 'clickhouse', 'default-password.xml')], { encoding: 'utf8' });
    assert.equal(xml.status, 0, xml.stderr);
    assert.equal(xml.stdout.trim(), 'clickhouse MAX_MEMORY_USAGE_RATIO 100 ::/0');
    for (const f of ['sentry/entrypoint.sh', 'cron/entrypoint.sh']) {
      const b = spawnSync('bash', ['-n', join(install, f)], { encoding: 'utf8' });
      assert.equal(b.status, 0, `${f}: ${b.stderr}`);
    }
  } finally {
    removeDir(root);
  }
});

test('26.8.0 nginx: nginx -t accepts the rendered vhost', (t) => {
  if (!requireReaders(t, 'nginx', 'unshare-root')) return;
  const { root, install } = renderWith({});
  try {
    const ok = nginxTest(nginxWork(install, { web: '127.0.0.1', relay: '127.0.0.1' }));
    assert.equal(ok.code, 0, ok.output);
    assert.match(ok.output, /test is successful/);
  } finally {
    removeDir(root);
  }
});

test('26.8.0 images.registry per registry: every image through its own mirror; a mapping that leaves out a registry is refused (exit 2, nothing written)', (t) => {
  if (!requireReaders(t, 'compose-v2')) return;
  const mapping = { 'docker.io': 'mirror.example:5000/hub', 'ghcr.io': 'mirror.example:5000/ghcr', 'registry.gitlab.com': '' };
  const { root, install } = renderWith({ images: { registry: mapping } });
  try {
    const s = composeConfig(install, 2).config.services;
    assert.equal(s.postgres.image, 'mirror.example:5000/hub/library/postgres:14.23-bookworm');
    assert.equal(s.kafka.image, 'mirror.example:5000/hub/confluentinc/cp-kafka:7.6.6');
    assert.equal(s['snuba-api'].image, 'mirror.example:5000/ghcr/getsentry/snuba:26.8.0');
    assert.equal(s.smtp.image, 'registry.gitlab.com/egos-tech/smtp', 'an empty prefix pulls from the registry itself');
    assert.equal(s.web.build.args.SENTRY_IMAGE, 'mirror.example:5000/ghcr/getsentry/sentry:26.8.0');
    assert.equal(s.clickhouse.build.args.BASE_IMAGE, 'mirror.example:5000/hub/altinity/clickhouse-server:25.3.6.10034.altinitystable');
    assert.match(readFileSync(join(install, '.env'), 'utf8'), /^SNUBA_IMAGE=mirror\.example:5000\/ghcr\/getsentry\/snuba:26\.8\.0$/m);
  } finally {
    removeDir(root);
  }
  const bad = tempDir();
  try {
    const r = render(join(bad, 'install'), writeAnswers(join(bad, 'a.yml'), { tag: '26.8.0', url: 'https://sentry.example.com', admin: { email: 'a@example.com', password: 'pw' }, images: { registry: { 'docker.io': 'm:5000/hub' } } }));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /images\.registry: got .*missing: registry\.gitlab\.com, ghcr\.io/);
    assert.throws(() => readFileSync(join(bad, 'install', 'docker-compose.yml')), /ENOENT/);
  } finally {
    removeDir(bad);
  }
});

test('profile is refused with the reason for a release without profiles (20.7.0), exit 2, nothing written', () => {
  const root = tempDir();
  try {
    const r = render(join(root, 'install'), writeAnswers(join(root, 'a.yml'), { tag: '20.7.0', url: 'https://sentry.example.com', admin: { email: 'a@example.com', password: 'pw' }, profile: 'errors-only' }));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /profile: got "errors-only"; expected no profile: Sentry 20\.7\.0 has no Compose profiles/);
    assert.throws(() => readFileSync(join(root, 'install', 'docker-compose.yml')), /ENOENT/);
  } finally {
    removeDir(root);
  }
});

/**
 * Sentry 26.5.1 rendered and read back by real readers: compose v2 (`config`) against the official
 * topology (test/fixtures/official/26.5.1-compose.json, from getsentry/self-hosted at 26.5.1), PyYAML for
 * config.yml, relay and symbolicator, python3 executing sentry.conf.py, nginx -t on the vhost, an XML
 * parser on the ClickHouse files, bash -n on the entrypoints. Only the documented differences are allowed:
 * nginx (answer ports, TLS mounts, our vhost directory), build arguments, ./sentry read-only, the mail host
 * from `url` and a generated launchpad secret.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ensureBuilt, FIXTURES, FIXED_GENERATED, FIXED_SECRET_KEY, fullAnswers, minimalAnswers, removeDir, render, tempDir, writeAnswers, writeFixedSecrets } from '../helpers/cli.js';
import { composeConfig, envMap, PYTHON, pythonSyntax, pyyamlLoad, requireReaders, sentryConf } from '../helpers/readers.js';
import { nginxTest, nginxWork } from '../helpers/nginx.js';
import { reduce, type Svc } from '../helpers/official.js';

ensureBuilt();

const TAG = '26.5.1';
const OFFICIAL = JSON.parse(readFileSync(join(FIXTURES, 'official', `${TAG}-compose.json`), 'utf8')) as { services: Record<string, Svc>; volumes: Record<string, boolean> };

/** The documented differences, applied to the official service. */
function expected(name: string, off: Svc, mailHost: string): Svc {
  const e = structuredClone(off);
  // Local builds: the base image is given with its value, and the inputs hash becomes a label.
  if (e.build) {
    const base = e.build.args.SENTRY_IMAGE ?? e.build.args.BASE_IMAGE;
    e.build.args = { [e.build.args.SENTRY_IMAGE ? 'SENTRY_IMAGE' : 'BASE_IMAGE']: base };
  }
  // The Sentry services read ./sentry; sentry-onprem renders it, so it is mounted read-only.
  for (const v of e.volumes) if (v.source === './sentry' && v.target === '/etc/sentry') v.read_only = true;
  // The mail host is the url's host (the official .env leaves SENTRY_MAIL_HOST unset); the launchpad secret is generated.
  if ('SENTRY_MAIL_HOST' in e.environment) e.environment.SENTRY_MAIL_HOST = mailHost;
  if (name === 'smtp') e.environment.MAILNAME = mailHost;
  if ('LAUNCHPAD_RPC_SHARED_SECRET' in e.environment) e.environment.LAUNCHPAD_RPC_SHARED_SECRET = FIXED_GENERATED.launchpadRpc;
  if (name === 'nginx') {
    // Our TLS vhost: the answer ports, ./nginx as /etc/nginx and the certificate instead of the official nginx.conf on SENTRY_BIND.
    e.ports = [
      { mode: 'ingress', target: 80, published: '80', protocol: 'tcp' },
      { mode: 'ingress', target: 443, published: '443', protocol: 'tcp' },
    ];
    e.volumes = [
      { type: 'bind', source: './nginx', target: '/etc/nginx', read_only: true },
      { type: 'bind', source: './tls/cert.pem', target: '/etc/nginx-tls/cert.pem', read_only: true },
      { type: 'bind', source: './tls/key.pem', target: '/etc/nginx-tls/key.pem', read_only: true },
      ...e.volumes.filter((v: Svc) => v.type === 'volume'),
    ];
  }
  return e;
}

test('26.5.1: compose v2 reads the rendered compose file; services, images, commands, entrypoints, healthchecks, depends_on, profiles, ulimits, volumes and environment are the official ones', (t) => {
  if (!requireReaders(t, 'compose-v2')) return;
  const dir = tempDir();
  try {
    writeFixedSecrets(dir);
    const r = render(dir, writeAnswers(join(dir, 'answers.yml'), minimalAnswers(TAG)));
    assert.equal(r.code, 0, r.stderr);
    const c = composeConfig(dir, 2);
    assert.equal(c.code, 0, c.stderr);
    const ours = c.config.services as Record<string, Svc>;
    assert.deepEqual(Object.keys(ours).sort(), Object.keys(OFFICIAL.services).sort(), 'the official services');
    assert.equal(Object.keys(ours).length, 72);
    for (const name of Object.keys(OFFICIAL.services)) {
      assert.deepEqual(reduce(ours[name], dir), expected(name, OFFICIAL.services[name], 'sentry.example.com'), `service ${name}`);
    }
    assert.deepEqual(
      Object.fromEntries(Object.entries(c.config.volumes as Record<string, Svc>).map(([k, v]) => [k, Boolean(v?.external)])),
      OFFICIAL.volumes,
      'the same volumes, external where the official ones are',
    );
    assert.equal(Object.values(ours).filter((s) => s.profiles?.includes('feature-complete')).length, 41, 'feature-complete services');
    // The heartbeat is 26.5.1's `rm`, not 26.8.0's python3; snuba-api is checked through bash's /dev/tcp.
    assert.deepEqual(ours['events-consumer'].healthcheck.test, ['CMD-SHELL', 'rm /tmp/health.txt']);
    assert.equal(ours['events-consumer'].healthcheck.start_period, '10m0s');
    assert.equal(ours['snuba-api'].healthcheck.test[1], '/bin/bash');
    assert.equal(ours.seaweedfs.command[0], 'server');
  } finally {
    removeDir(dir);
  }
});

test('26.5.1: .env has the official variables (profile, images, taskworker concurrency, healthcheck timings), the mail host from url and a generated launchpad secret', () => {
  const dir = tempDir();
  try {
    writeFixedSecrets(dir);
    assert.equal(render(dir, writeAnswers(join(dir, 'answers.yml'), { ...minimalAnswers(TAG), retention: { days: 30 } })).code, 0);
    const env = Object.fromEntries(
      readFileSync(join(dir, '.env'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const ghcr = (n: string) => `ghcr.io/getsentry/${n}:${TAG}`;
    assert.deepEqual(env, {
      COMPOSE_PROJECT_NAME: 'sentry-self-hosted',
      COMPOSE_PROFILES: 'feature-complete',
      SENTRY_EVENT_RETENTION_DAYS: '30',
      LAUNCHPAD_RPC_SHARED_SECRET: FIXED_GENERATED.launchpadRpc,
      SENTRY_MAIL_HOST: 'sentry.example.com',
      SENTRY_TASKWORKER_CONCURRENCY: '4',
      SENTRY_IMAGE: ghcr('sentry'),
      SNUBA_IMAGE: ghcr('snuba'),
      RELAY_IMAGE: ghcr('relay'),
      SYMBOLICATOR_IMAGE: ghcr('symbolicator'),
      TASKBROKER_IMAGE: ghcr('taskbroker'),
      VROOM_IMAGE: ghcr('vroom'),
      UPTIME_CHECKER_IMAGE: ghcr('uptime-checker'),
      LAUNCHPAD_IMAGE: ghcr('launchpad'),
      HEALTHCHECK_INTERVAL: '30s',
      HEALTHCHECK_TIMEOUT: '1m30s',
      HEALTHCHECK_RETRIES: '10',
      HEALTHCHECK_START_PERIOD: '10s',
      HEALTHCHECK_FILE_INTERVAL: '60s',
      HEALTHCHECK_FILE_TIMEOUT: '10s',
      HEALTHCHECK_FILE_RETRIES: '3',
      HEALTHCHECK_FILE_START_PERIOD: '600s',
    });
  } finally {
    removeDir(dir);
  }
});

test('26.5.1: sentry.conf.py is Python 3 and, executed, carries the answers; pgbouncer, S3 nodestore, ReconnectingMemcache; CSRF_TRUSTED_ORIGINS and the proxy settings follow url', (t) => {
  if (!requireReaders(t, 'python3')) return;
  const dir = tempDir();
  try {
    writeFixedSecrets(dir);
    const a = { ...fullAnswers(TAG), url: 'https://errors.example.org:8443', plugins: [] };
    assert.equal(render(dir, writeAnswers(join(dir, 'answers.yml'), a)).code, 0);
    const file = join(dir, 'sentry/sentry.conf.py');
    const syntax = pythonSyntax(file);
    assert.ok(syntax.ok, syntax.error);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const s = sentryConf(file, { SENTRY_EVENT_RETENTION_DAYS: '90', COMPOSE_PROFILES: 'feature-complete' });
    assert.deepEqual(s.CSRF_TRUSTED_ORIGINS, ['https://errors.example.org:8443']);
    assert.deepEqual(s.SECURE_PROXY_SSL_HEADER, ['HTTP_X_FORWARDED_PROTO', 'https']);
    assert.equal(s.USE_X_FORWARDED_HOST, true);
    assert.equal(s.CSRF_COOKIE_SECURE, true);
    assert.equal(s.SESSION_COOKIE_SECURE, true);
    assert.equal(s.DATABASES.default.HOST, 'pgbouncer');
    assert.equal(s.SENTRY_NODESTORE, 'sentry_nodestore_s3.S3PassthroughDjangoNodeStorage');
    assert.equal(s.SENTRY_NODESTORE_OPTIONS.endpoint_url, 'http://seaweedfs:8333');
    assert.equal(s.SENTRY_NODESTORE_OPTIONS.bucket_name, 'nodestore');
    assert.equal(s.CACHES.default.BACKEND, 'sentry.cache.backends.reconnectingmemcache.ReconnectingMemcache');
    assert.equal(s.CACHES.default.OPTIONS.reconnect_age, 300);
    assert.equal(s.SENTRY_DEFAULT_TIME_ZONE, 'Europe/Berlin');
    assert.equal(s.SENTRY_WEB_OPTIONS.workers, 5);
    assert.equal(s.SENTRY_SELF_HOSTED_ERRORS_ONLY, false);
    assert.equal(s.GEOIP_PATH_MMDB, '/geoip/GeoLite2-City.mmdb');
    assert.equal(s.AUTH_LDAP_SERVER_URI, 'ldaps://ldap.example.com:636');
    assert.equal(s.SENTRY_OPTIONS['system.event-retention-days'], 90);
    assert.equal(s.KAFKA_CLUSTERS.default['bootstrap.servers'], 'kafka:9092');
    // 26.5.1's trace-metrics flags are on with feature-complete, off with errors-only.
    assert.equal(s.SENTRY_FEATURES['organizations:tracemetrics-enabled'], true);
    const eo = sentryConf(file, { COMPOSE_PROFILES: 'errors-only' });
    assert.equal(eo.SENTRY_SELF_HOSTED_ERRORS_ONLY, true);
    assert.notEqual(eo.SENTRY_FEATURES['organizations:tracemetrics-enabled'], true);

    const plain = tempDir();
    try {
      writeFixedSecrets(plain);
      assert.equal(render(plain, writeAnswers(join(plain, 'answers.yml'), { ...minimalAnswers(TAG, 'http://sentry.internal:9000'), tls: { mode: 'off' } })).code, 0);
      const p = sentryConf(join(plain, 'sentry/sentry.conf.py'));
      assert.deepEqual(p.CSRF_TRUSTED_ORIGINS, ['http://sentry.internal:9000']);
      assert.equal(p.SECURE_PROXY_SSL_HEADER, undefined, 'plain http: no proxy TLS settings');
    } finally {
      removeDir(plain);
    }
  } finally {
    removeDir(dir);
  }
});

test('26.5.1: config.yml, relay and symbolicator configs read by PyYAML carry the answers; profiles in SeaweedFS', (t) => {
  if (!requireReaders(t, 'pyyaml')) return;
  const dir = tempDir();
  try {
    writeFixedSecrets(dir);
    assert.equal(render(dir, writeAnswers(join(dir, 'answers.yml'), fullAnswers(TAG))).code, 0);
    const cfg = pyyamlLoad(join(dir, 'sentry/config.yml')) as Record<string, any>;
    assert.equal(cfg['system.secret-key'], FIXED_SECRET_KEY);
    assert.equal(cfg['system.url-prefix'], 'https://sentry.example.com');
    assert.equal(cfg['mail.host'], 'mail.example.com');
    assert.equal(cfg['mail.port'], 587);
    assert.equal(cfg['mail.from'], 'sentry@example.com');
    assert.equal(cfg['filestore.backend'], 'filesystem');
    assert.equal(cfg['filestore.profiles-backend'], 's3');
    assert.equal(cfg['filestore.profiles-options'].bucket_name, 'profiles');
    assert.equal(cfg['filestore.profiles-options'].endpoint_url, 'http://seaweedfs:8333');
    assert.deepEqual(cfg['symbolicator.options'], { url: 'http://symbolicator:3021' });
    assert.equal(statSync(join(dir, 'sentry/config.yml')).mode & 0o777, 0o600);
    const relay = pyyamlLoad(join(dir, 'relay/config.yml')) as any;
    assert.equal(relay.relay.upstream, 'http://web:9000/');
    assert.equal(relay.processing.geoip_path, '/geoip/GeoLite2-City.mmdb');
    assert.deepEqual(relay.processing.kafka_config[0], { name: 'bootstrap.servers', value: 'kafka:9092' });
    const sym = pyyamlLoad(join(dir, 'symbolicator/config.yml')) as any;
    assert.equal(sym.bind, '0.0.0.0:3021');
    assert.equal(sym.cache_dir, '/data');
    const redis = readFileSync(join(dir, 'redis.conf'), 'utf8');
    assert.match(redis, /^maxmemory 0$/m);
    assert.match(redis, /^maxmemory-policy volatile-lru$/m);
    const reqs = readFileSync(join(dir, 'sentry/requirements.txt'), 'utf8');
    assert.match(reqs, /^sentry-nodestore-s3 @ https:\/\/github\.com\/getsentry\/sentry-nodestore-s3\/archive\/[0-9a-f]{40}\.zip$/m);
    for (const f of ['sentry/entrypoint.sh', 'cron/entrypoint.sh']) {
      const b = spawnSync('bash', ['-n', join(dir, f)], { encoding: 'utf8' });
      assert.equal(b.status, 0, `${f}: ${b.stderr}`);
    }
  } finally {
    removeDir(dir);
  }
});

test('26.5.1: the ClickHouse files are XML the server reads (memory ratio from the environment, system logs off, default user from the network)', (t) => {
  if (!requireReaders(t, 'python3')) return;
  const dir = tempDir();
  try {
    writeFixedSecrets(dir);
    assert.equal(render(dir, writeAnswers(join(dir, 'answers.yml'), minimalAnswers(TAG))).code, 0);
    const script = [
      'import json, sys, xml.etree.ElementTree as ET',
      'r = ET.parse(sys.argv[1]).getroot(); u = ET.parse(sys.argv[2]).getroot()',
      'json.dump({"root": r.tag, "from_env": r.find("max_server_memory_usage_to_ram_ratio").get("from_env"), "removed": sorted(e.tag for e in r if e.get("remove") == "remove"), "broken": r.findtext("merge_tree/max_suspicious_broken_parts"), "ip": u.findtext("users/default/networks/ip")}, sys.stdout)',
    ].join('\n');
    const out = spawnSync(PYTHON, ['-c', script, join(dir, 'clickhouse/config.xml'), join(dir, 'clickhouse/default-password.xml')], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout), {
      root: 'clickhouse',
      from_env: 'MAX_MEMORY_USAGE_RATIO',
      removed: ['asynchronous_metric_log', 'error_log', 'latency_log', 'metric_log', 'part_log', 'processors_profile_log', 'query_log', 'query_thread_log', 'session_log', 'text_log', 'trace_log'],
      broken: '100',
      ip: '::/0',
    });
  } finally {
    removeDir(dir);
  }
});

test('26.5.1: nginx -t accepts the vhost with the rendered certificate; Relay takes ingestion', (t) => {
  if (!requireReaders(t, 'nginx', 'unshare-root')) return;
  const dir = tempDir();
  try {
    writeFixedSecrets(dir);
    assert.equal(render(dir, writeAnswers(join(dir, 'answers.yml'), minimalAnswers(TAG))).code, 0);
    const r = nginxTest(nginxWork(dir, { web: '127.0.0.1', relay: '127.0.0.1' }));
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /test is successful/);
    assert.match(readFileSync(join(dir, 'nginx/sentry.conf'), 'utf8'), /location \/api\/store\/ \{\s*proxy_pass http:\/\/relay;/);
  } finally {
    removeDir(dir);
  }
});

test('26.5.1 with profile errors-only: .env selects it and compose v2 starts the 31 services outside feature-complete', (t) => {
  if (!requireReaders(t, 'compose-v2', 'python3')) return;
  const dir = tempDir();
  try {
    writeFixedSecrets(dir);
    assert.equal(render(dir, writeAnswers(join(dir, 'answers.yml'), { ...minimalAnswers(TAG), profile: 'errors-only' })).code, 0);
    assert.match(readFileSync(join(dir, '.env'), 'utf8'), /^COMPOSE_PROFILES=errors-only$/m);
    const c = composeConfig(dir, 2);
    assert.equal(c.code, 0, c.stderr);
    const names = Object.keys(c.config.services);
    assert.equal(names.length, 31);
    const official = Object.entries(OFFICIAL.services).filter(([, s]) => !s.profiles).map(([n]) => n);
    assert.deepEqual(names.sort(), official.sort());
    const env = envMap(c.config.services.web.environment);
    assert.equal(env.COMPOSE_PROFILES, 'errors-only');
    assert.equal(sentryConf(join(dir, 'sentry', 'sentry.conf.py'), env).SENTRY_SELF_HOSTED_ERRORS_ONLY, true);
  } finally {
    removeDir(dir);
  }
});

/**
 * Sentry 23.6.2 and 23.11.0 rendered and read back by real readers: compose v2 (`config`) against the official
 * topology (test/fixtures/official/<tag>-compose.json, from getsentry/self-hosted at the tag), PyYAML for
 * config.yml, relay and symbolicator, python3 executing sentry.conf.py, nginx -t on the vhost, an XML
 * parser on the ClickHouse config, bash on the Postgres entrypoint. Only the documented differences are allowed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ensureBuilt, FIXTURES, fullAnswers, minimalAnswers, removeDir, render, tempDir, writeAnswers, writeFixedSecrets, FIXED_SECRET_KEY } from '../helpers/cli.js';
import { composeConfig, PYTHON, pythonSyntax, pyyamlLoad, requireReaders, sentryConf } from '../helpers/readers.js';
import { nginxTest, nginxWork } from '../helpers/nginx.js';
import { RELEASES } from '../../src/releases/index.js';
import { reduce, expected, type Svc } from '../helpers/official.js';

ensureBuilt();

/** What tells the two releases apart, as far as these tests read. */
const FACTS = {
  '23.6.2': {
    services: 37,
    healthcheckTimeout: '60s',
    clickhouse: { title: 'logging at information, system logs as the server has them', removed: [] as string[], level: 'information' as string | undefined },
    conf(s: Record<string, any>, file: string): void {
      assert.equal(s.SENTRY_RELEASE_HEALTH, undefined, 'release health from sessions (the metrics backend came later)');
      assert.equal(s.MIDDLEWARE[0], 'csp.middleware.CSPMiddleware');
      assert.equal(s.MIDDLEWARE.filter((m: string) => m === 'csp.middleware.CSPMiddleware').length, 1);
      assert.equal(s.CSP_REPORT_ONLY, true);
      assert.equal(s.SENTRY_FEATURES['organizations:open-ai-suggestion'], undefined, 'Suggested Fix off without OPENAI_API_KEY');
      assert.equal(sentryConf(file, { OPENAI_API_KEY: 'k' }).SENTRY_FEATURES['organizations:open-ai-suggestion'], true);
    },
  },
  '23.11.0': {
    services: 49,
    healthcheckTimeout: '1m30s',
    clickhouse: {
      title: 'logging at warning, system logs off',
      removed: ['asynchronous_metric_log', 'metric_log', 'part_log', 'query_log', 'query_thread_log', 'session_log', 'text_log', 'trace_log'],
      level: 'warning' as string | undefined,
    },
    conf(s: Record<string, any>): void {
      assert.equal(s.SENTRY_RELEASE_HEALTH, 'sentry.release_health.metrics.MetricsReleaseHealthBackend');
    },
  },
} as const;

for (const TAG of ['23.6.2', '23.11.0'] as const) {
const F = FACTS[TAG];
const OFFICIAL = JSON.parse(readFileSync(join(FIXTURES, 'official', `${TAG}-compose.json`), 'utf8')) as { services: Record<string, Svc>; volumes: Record<string, boolean> };

test(`${TAG}: compose v2 reads the rendered compose file; services, images, commands, entrypoints, healthchecks, depends_on, ulimits and volumes are the official ones`, (t) => {
  if (!requireReaders(t, 'compose-v2')) return;
  const dir = tempDir();
  try {
    writeFixedSecrets(dir);
    const r = render(dir, writeAnswers(join(dir, 'answers.yml'), minimalAnswers(TAG)));
    assert.equal(r.code, 0, r.stderr);
    const c = composeConfig(dir, 2);
    assert.equal(c.code, 0, c.stderr);
    const ours = c.config.services as Record<string, Svc>;
    const official = Object.keys(OFFICIAL.services).filter((s) => s !== 'geoipupdate');
    assert.deepEqual(Object.keys(ours).sort(), official.sort(), 'the official services, geoipupdate aside');
    assert.equal(Object.keys(ours).length, F.services);
    for (const name of official) {
      assert.deepEqual(reduce(ours[name], dir), expected(name, OFFICIAL.services[name], './tls'), `service ${name}`);
    }
    assert.deepEqual(
      Object.fromEntries(Object.entries(c.config.volumes as Record<string, Svc>).map(([k, v]) => [k, Boolean(v?.external)])),
      OFFICIAL.volumes,
      'the same volumes, external where the official ones are',
    );
    assert.ok(!Object.values(ours).some((s) => s.profiles), `${TAG} has no Compose profiles`);
    assert.deepEqual(RELEASES[TAG].externalVolumes.sort(), Object.entries(OFFICIAL.volumes).filter(([, ext]) => ext).map(([k]) => k).sort(), 'the volumes the install creates');
  } finally {
    removeDir(dir);
  }
});

test(`${TAG}: .env has the official variables (images, healthcheck timings), no profile`, () => {
  const dir = tempDir();
  try {
    writeFixedSecrets(dir);
    assert.equal(render(dir, writeAnswers(join(dir, 'answers.yml'), { ...minimalAnswers(TAG), retention: { days: 30 } })).code, 0);
    const env = Object.fromEntries(
      readFileSync(join(dir, '.env'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    assert.deepEqual(env, {
      COMPOSE_PROJECT_NAME: 'sentry-self-hosted',
      SENTRY_EVENT_RETENTION_DAYS: '30',
      SENTRY_IMAGE: `getsentry/sentry:${TAG}`,
      SNUBA_IMAGE: `getsentry/snuba:${TAG}`,
      RELAY_IMAGE: `getsentry/relay:${TAG}`,
      SYMBOLICATOR_IMAGE: `getsentry/symbolicator:${TAG}`,
      VROOM_IMAGE: `getsentry/vroom:${TAG}`,
      HEALTHCHECK_INTERVAL: '30s',
      HEALTHCHECK_TIMEOUT: F.healthcheckTimeout,
      HEALTHCHECK_RETRIES: '10',
    });
    // No Compose profiles in this release: the answer is refused.
    const bad = render(dir, writeAnswers(join(dir, 'answers.yml'), { ...minimalAnswers(TAG), profile: 'errors-only' }));
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /no Compose profiles/);
  } finally {
    removeDir(dir);
  }
});

test(`${TAG}: sentry.conf.py is Python 3 and, executed, carries the answers; behind TLS, CSRF_TRUSTED_ORIGINS (host form of Django < 4) and the proxy settings follow url`, (t) => {
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
    const s = sentryConf(file, { SENTRY_EVENT_RETENTION_DAYS: '90', SENTRY_MAX_EXTERNAL_SOURCEMAP_SIZE: '2M' });
    assert.deepEqual(s.CSRF_TRUSTED_ORIGINS, ['errors.example.org:8443']);
    assert.deepEqual(s.SECURE_PROXY_SSL_HEADER, ['HTTP_X_FORWARDED_PROTO', 'https']);
    assert.equal(s.USE_X_FORWARDED_HOST, true);
    assert.equal(s.CSRF_COOKIE_SECURE, true);
    assert.equal(s.SESSION_COOKIE_SECURE, true);
    assert.equal(s.CACHES.default.BACKEND, 'django.core.cache.backends.memcached.MemcachedCache');
    assert.equal(s.CACHES.default.OPTIONS.server_max_value_length, 2 * 1024 * 1024);
    assert.equal(s.SENTRY_DEFAULT_TIME_ZONE, 'Europe/Berlin');
    assert.equal(s.SENTRY_WEB_OPTIONS.workers, 5);
    assert.equal(s.SENTRY_WEB_OPTIONS['buffer-size'], 16384);
    assert.equal(s.SENTRY_SELF_HOSTED_ERRORS_ONLY, undefined, 'no errors-only switch before 24.x');
    F.conf(s, file);
    assert.equal(s.GEOIP_PATH_MMDB, '/geoip/GeoLite2-City.mmdb');
    assert.equal(s.AUTH_LDAP_SERVER_URI, 'ldaps://ldap.example.com:636');
    assert.equal(s.SENTRY_OPTIONS['system.event-retention-days'], 90);
    assert.equal(s.KAFKA_CLUSTERS.default['bootstrap.servers'], 'kafka:9092');

    const plain = tempDir();
    try {
      writeFixedSecrets(plain);
      assert.equal(render(plain, writeAnswers(join(plain, 'answers.yml'), { ...minimalAnswers(TAG, 'http://sentry.internal:9000'), tls: { mode: 'off' } })).code, 0);
      const p = sentryConf(join(plain, 'sentry/sentry.conf.py'));
      assert.deepEqual(p.CSRF_TRUSTED_ORIGINS, ['sentry.internal:9000']);
      assert.equal(p.SECURE_PROXY_SSL_HEADER, undefined, 'plain http: no proxy TLS settings');
      assert.equal(p.CACHES.default.OPTIONS.server_max_value_length, 1024 * 1024, '1M without SENTRY_MAX_EXTERNAL_SOURCEMAP_SIZE');
    } finally {
      removeDir(plain);
    }
  } finally {
    removeDir(dir);
  }
});

test(`${TAG}: config.yml, relay and symbolicator configs read by PyYAML carry the answers`, (t) => {
  if (!requireReaders(t, 'pyyaml')) return;
  const dir = tempDir();
  try {
    writeFixedSecrets(dir);
    assert.equal(render(dir, writeAnswers(join(dir, 'answers.yml'), fullAnswers(TAG))).code, 0);
    const cfg = pyyamlLoad(join(dir, 'sentry/config.yml')) as Record<string, unknown>;
    assert.equal(cfg['system.secret-key'], FIXED_SECRET_KEY);
    assert.equal(cfg['system.url-prefix'], 'https://sentry.example.com');
    assert.equal(cfg['mail.host'], 'mail.example.com');
    assert.equal(cfg['mail.port'], 587);
    assert.equal(cfg['mail.password'], 'mail-secret-pw');
    assert.equal(cfg['mail.from'], 'sentry@example.com');
    assert.equal(cfg['filestore.backend'], 'filesystem');
    assert.deepEqual(cfg['symbolicator.options'], { url: 'http://symbolicator:3021' });
    assert.equal(statSync(join(dir, 'sentry/config.yml')).mode & 0o777, 0o600);
    const relay = pyyamlLoad(join(dir, 'relay/config.yml')) as any;
    assert.equal(relay.relay.upstream, 'http://web:9000/');
    assert.equal(relay.processing.geoip_path, '/geoip/GeoLite2-City.mmdb');
    assert.deepEqual(relay.processing.kafka_config[0], { name: 'bootstrap.servers', value: 'kafka:9092' });
    const sym = pyyamlLoad(join(dir, 'symbolicator/config.yml')) as any;
    assert.equal(sym.bind, '0.0.0.0:3021');
    assert.equal(sym.cache_dir, '/data');
  } finally {
    removeDir(dir);
  }
});

test(`${TAG}: the ClickHouse config is XML the server reads (memory ratio from the environment, ${F.clickhouse.title})`, (t) => {
  if (!requireReaders(t, 'python3')) return;
  const dir = tempDir();
  try {
    writeFixedSecrets(dir);
    assert.equal(render(dir, writeAnswers(join(dir, 'answers.yml'), minimalAnswers(TAG))).code, 0);
    const script = [
      'import json, sys, xml.etree.ElementTree as ET',
      'r = ET.parse(sys.argv[1]).getroot()',
      'inc = r.find("max_server_memory_usage_to_ram_ratio/include")',
      'json.dump({"root": r.tag, "from_env": inc.get("from_env"), "removed": sorted(e.tag for e in r if e.get("remove") == "remove"), "level": r.findtext("logger/level"), "mixed": r.findtext("merge_tree/enable_mixed_granularity_parts")}, sys.stdout)',
    ].join('\n');
    const out = spawnSync(PYTHON, ['-c', script, join(dir, 'clickhouse/config.xml')], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout), {
      root: 'yandex',
      from_env: 'MAX_MEMORY_USAGE_RATIO',
      removed: F.clickhouse.removed,
      level: F.clickhouse.level ?? null,
      mixed: '1',
    });
  } finally {
    removeDir(dir);
  }
});

test(`${TAG}: the Postgres entrypoint adds the replication line once, installs wal2json only when one is given, then hands over`, () => {
  const dir = tempDir();
  try {
    writeFixedSecrets(dir);
    assert.equal(render(dir, writeAnswers(join(dir, 'answers.yml'), minimalAnswers(TAG))).code, 0);
    for (const f of ['postgres/postgres-entrypoint.sh', 'postgres/init_hba.sh']) {
      assert.equal(statSync(join(dir, f)).mode & 0o777, 0o755, f);
      const n = spawnSync('bash', ['-n', join(dir, f)], { encoding: 'utf8' });
      assert.equal(n.status, 0, `${f}: ${n.stderr}`);
    }
    // Run it with the container's paths mapped into a scratch dir: /opt/sentry, PGDATA, the initdb dir, pg_config and the image's entrypoint.
    const box = join(dir, 'box');
    const pgdata = join(box, 'pgdata');
    mkdirSync(pgdata, { recursive: true });
    mkdirSync(join(box, 'initdb'), { recursive: true });
    mkdirSync(join(box, 'bin'), { recursive: true });
    mkdirSync(join(box, 'lib'), { recursive: true });
    writeFileSync(join(pgdata, 'pg_hba.conf'), 'local all all trust\n');
    writeFileSync(join(box, 'bin', 'pg_config'), `#!/bin/sh\necho ${join(box, 'lib')}\n`, { mode: 0o755 });
    writeFileSync(join(box, 'handover'), '#!/bin/sh\necho "handover $*"\n', { mode: 0o755 });
    const script = readFileSync(join(dir, 'postgres/postgres-entrypoint.sh'), 'utf8')
      .replaceAll('/opt/sentry/', `${join(dir, 'postgres')}/`)
      .replaceAll('/docker-entrypoint-initdb.d/', `${join(box, 'initdb')}/`)
      .replaceAll('/usr/local/bin/docker-entrypoint.sh', join(box, 'handover'));
    writeFileSync(join(box, 'entrypoint.sh'), script, { mode: 0o755 });
    const run = () => spawnSync('bash', [join(box, 'entrypoint.sh'), 'postgres', '-c', 'wal_level=logical'], { encoding: 'utf8', env: { PATH: `${join(box, 'bin')}:/usr/bin:/bin`, PGDATA: pgdata } });
    for (let i = 0; i < 2; i++) {
      const r = run();
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /handover postgres -c wal_level=logical/);
    }
    assert.equal(readFileSync(join(pgdata, 'pg_hba.conf'), 'utf8'), 'local all all trust\nhost replication all all trust\n', 'one replication line, kept on restart');
    assert.ok(statSync(join(box, 'initdb', 'init_hba.sh')).isFile(), 'initdb gets init_hba.sh for a new database');
    assert.throws(() => statSync(join(box, 'lib', 'wal2json.so')), 'no plugin given, none installed');
    mkdirSync(join(dir, 'postgres', 'wal2json'));
    writeFileSync(join(dir, 'postgres', 'wal2json', 'wal2json.so'), 'so');
    assert.equal(run().status, 0);
    assert.equal(readFileSync(join(box, 'lib', 'wal2json.so'), 'utf8'), 'so');
  } finally {
    removeDir(dir);
  }
});

test(`${TAG}: nginx -t accepts the vhost with the rendered certificate; Relay takes ingestion`, (t) => {
  if (!requireReaders(t, 'nginx', 'unshare-root')) return;
  const dir = tempDir();
  try {
    writeFixedSecrets(dir);
    assert.equal(render(dir, writeAnswers(join(dir, 'answers.yml'), minimalAnswers(TAG))).code, 0);
    const work = nginxWork(dir, { web: '127.0.0.1', relay: '127.0.0.1' });
    const r = nginxTest(work);
    assert.equal(r.code, 0, r.output);
    assert.match(readFileSync(join(dir, 'nginx/sentry.conf'), 'utf8'), /location \/api\/store\/ \{\s*proxy_pass http:\/\/relay;/);
  } finally {
    removeDir(dir);
  }
});
}

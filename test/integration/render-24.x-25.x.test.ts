/**
 * Sentry 24.8.0 and 25.5.1 rendered and read back by real readers: compose v2 (`config`) against the official
 * topology (test/fixtures/official/<tag>-compose.json, from getsentry/self-hosted at the tag), PyYAML for
 * config.yml, relay and symbolicator, python3 executing sentry.conf.py, nginx -t on the vhost, an XML
 * parser on the ClickHouse config. Only the documented differences are allowed: nginx (answer ports, the
 * TLS certificate, our vhost directory instead of 25.5.1's official nginx.conf) and build arguments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ensureBuilt, fullAnswers, minimalAnswers, removeDir, render, tempDir, writeAnswers, writeFixedSecrets, FIXED_SECRET_KEY } from '../helpers/cli.js';
import { composeConfig, PYTHON, pythonSyntax, pyyamlLoad, requireReaders, sentryConf } from '../helpers/readers.js';
import { nginxTest, nginxWork } from '../helpers/nginx.js';
import { expected, loadOfficial, reduce, type Svc } from '../helpers/official.js';

ensureBuilt();

/** What tells the two releases apart, as far as these tests read. */
const FACTS = {
  '24.8.0': {
    geoipupdate: true,
    conf(_s: Record<string, any>): void {},
    redisConf: false,
    nullableKey: null as string | null,
  },
  '25.5.1': {
    geoipupdate: false,
    conf(s: Record<string, any>): void {
      // What 25.5.1's example dropped from 24.8.0's: big-int ids, the metrics release-health backend, the OpenAI switch.
      for (const gone of ['SENTRY_USE_BIG_INTS', 'SENTRY_RELEASE_HEALTH', 'SENTRY_RELEASE_MONITOR', 'OPENAI_API_KEY']) assert.equal(s[gone], undefined, gone);
      assert.equal(s.SENTRY_FEATURES['organizations:open-ai-suggestion'], undefined);
      assert.equal(s.SENTRY_FEATURES['organizations:dynamic-sampling'], true);
    },
    redisConf: true,
    nullableKey: '1' as string | null,
  },
};

for (const TAG of ['24.8.0', '25.5.1'] as const) {
  const F = FACTS[TAG];
  const OFFICIAL = loadOfficial(TAG);


  test(`${TAG}: compose v2 reads the rendered compose file; services, images, commands, entrypoints, healthchecks, depends_on, profiles, ulimits and volumes are the official ones`, (t) => {
    if (!requireReaders(t, 'compose-v2')) return;
    const dir = tempDir();
    try {
      writeFixedSecrets(dir);
      const r = render(dir, writeAnswers(join(dir, 'answers.yml'), minimalAnswers(TAG)));
      assert.equal(r.code, 0, r.stderr);
      const c = composeConfig(dir, 2);
      assert.equal(c.code, 0, c.stderr);
      const ours = c.config.services as Record<string, Svc>;
      // geoipupdate (a one-off compose service until 25.1.0) is an install step here.
      assert.equal(Boolean(OFFICIAL.services.geoipupdate), F.geoipupdate);
      const official = Object.keys(OFFICIAL.services).filter((s) => s !== 'geoipupdate');
      assert.deepEqual(Object.keys(ours).sort(), official.sort(), 'the official services, geoipupdate aside');
      assert.equal(Object.keys(ours).length, 56);
      for (const name of official) {
        assert.deepEqual(reduce(ours[name], dir), expected(name, OFFICIAL.services[name], './tls'), `service ${name}`);
      }
      assert.deepEqual(
        Object.fromEntries(Object.entries(c.config.volumes as Record<string, Svc>).map(([k, v]) => [k, Boolean(v?.external)])),
        OFFICIAL.volumes,
        'the same volumes, external where the official ones are',
      );
      const profiled = Object.entries(ours).filter(([, s]) => s.profiles?.includes('feature-complete')).length;
      assert.equal(profiled, 31, 'feature-complete services');
    } finally {
      removeDir(dir);
    }
  });

  test(`${TAG}: .env has the official variables (profile, images, healthcheck timings, postgres connections)`, () => {
    const dir = tempDir();
    try {
      writeFixedSecrets(dir);
      assert.equal(render(dir, writeAnswers(join(dir, 'answers.yml'), { ...minimalAnswers(TAG), retention: { days: 30 } })).code, 0);
      const env = Object.fromEntries(
        readFileSync(join(dir, '.env'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      assert.deepEqual(env, {
        COMPOSE_PROJECT_NAME: 'sentry-self-hosted',
        COMPOSE_PROFILES: 'feature-complete',
        SENTRY_EVENT_RETENTION_DAYS: '30',
        SENTRY_IMAGE: `getsentry/sentry:${TAG}`,
        SNUBA_IMAGE: `getsentry/snuba:${TAG}`,
        RELAY_IMAGE: `getsentry/relay:${TAG}`,
        SYMBOLICATOR_IMAGE: `getsentry/symbolicator:${TAG}`,
        VROOM_IMAGE: `getsentry/vroom:${TAG}`,
        HEALTHCHECK_INTERVAL: '30s',
        HEALTHCHECK_TIMEOUT: '1m30s',
        HEALTHCHECK_RETRIES: '10',
        POSTGRES_MAX_CONNECTIONS: '100',
      });
    } finally {
      removeDir(dir);
    }
  });

  test(`${TAG}: sentry.conf.py is Python 3 and, executed, carries the answers; behind TLS, CSRF_TRUSTED_ORIGINS and the proxy settings follow url`, (t) => {
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
      assert.equal(s.CACHES.default.BACKEND, 'django.core.cache.backends.memcached.PyMemcacheCache');
      F.conf(s);
      assert.equal(s.SENTRY_DEFAULT_TIME_ZONE, 'Europe/Berlin');
      assert.equal(s.SENTRY_WEB_OPTIONS.workers, 5);
      assert.equal(s.SENTRY_WEB_OPTIONS['buffer-size'], 16384);
      assert.equal(s.SENTRY_SELF_HOSTED_ERRORS_ONLY, false);
      assert.equal(s.GEOIP_PATH_MMDB, '/geoip/GeoLite2-City.mmdb');
      assert.equal(s.AUTH_LDAP_SERVER_URI, 'ldaps://ldap.example.com:636');
      assert.equal(s.SENTRY_OPTIONS['system.event-retention-days'], 90);
      assert.equal(s.KAFKA_CLUSTERS.default['bootstrap.servers'], 'kafka:9092');
      // errors-only: the profile switches the feature set off.
      assert.equal(sentryConf(file, { COMPOSE_PROFILES: 'errors-only' }).SENTRY_SELF_HOSTED_ERRORS_ONLY, true);

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
      // redis.conf, mounted into redis since 25.x: no memory limit, evict only keys with an expiry.
      if (F.redisConf) {
        const redis = readFileSync(join(dir, 'redis.conf'), 'utf8');
        assert.match(redis, /^maxmemory 0$/m);
        assert.match(redis, /^maxmemory-policy volatile-lru$/m);
      } else assert.ok(!existsSync(join(dir, 'redis.conf')), 'no redis.conf before 25.x');
    } finally {
      removeDir(dir);
    }
  });

  test(`${TAG}: the ClickHouse config is XML the server reads (memory ratio from the environment, system logs off)`, (t) => {
    if (!requireReaders(t, 'python3')) return;
    const dir = tempDir();
    try {
      writeFixedSecrets(dir);
      assert.equal(render(dir, writeAnswers(join(dir, 'answers.yml'), minimalAnswers(TAG))).code, 0);
      const script = [
        'import json, sys, xml.etree.ElementTree as ET',
        'r = ET.parse(sys.argv[1]).getroot()',
        'inc = r.find("max_server_memory_usage_to_ram_ratio/include")',
        'json.dump({"root": r.tag, "from_env": inc.get("from_env"), "removed": sorted(e.tag for e in r if e.get("remove") == "remove"), "broken": r.findtext("merge_tree/max_suspicious_broken_parts"), "nullable_key": r.findtext("allow_nullable_key")}, sys.stdout)',
      ].join('\n');
      const out = spawnSync(PYTHON, ['-c', script, join(dir, 'clickhouse/config.xml')], { encoding: 'utf8' });
      assert.equal(out.status, 0, out.stderr);
      assert.deepEqual(JSON.parse(out.stdout), {
        root: 'yandex',
        from_env: 'MAX_MEMORY_USAGE_RATIO',
        removed: ['asynchronous_metric_log', 'metric_log', 'part_log', 'query_log', 'query_thread_log', 'session_log', 'text_log', 'trace_log'],
        broken: '10',
        nullable_key: F.nullableKey,
      });
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

  test(`${TAG} with profile errors-only: .env selects it and compose v2 starts the 25 services outside feature-complete`, (t) => {
    if (!requireReaders(t, 'compose-v2')) return;
    const dir = tempDir();
    try {
      writeFixedSecrets(dir);
      assert.equal(render(dir, writeAnswers(join(dir, 'answers.yml'), { ...minimalAnswers(TAG), profile: 'errors-only' })).code, 0);
      assert.match(readFileSync(join(dir, '.env'), 'utf8'), /^COMPOSE_PROFILES=errors-only$/m);
      const c = composeConfig(dir, 2);
      assert.equal(c.code, 0, c.stderr);
      const names = Object.keys(c.config.services);
      assert.equal(names.length, 25);
      const official = Object.entries(OFFICIAL.services).filter(([n, s]) => n !== 'geoipupdate' && !s.profiles).map(([n]) => n);
      assert.deepEqual(names.sort(), official.sort());
    } finally {
      removeDir(dir);
    }
  });
}

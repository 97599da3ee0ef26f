/**
 * Sentry 21.5.0 and 21.6.3 rendered and read back by real readers: compose v2 and v1 (`config`) against the
 * official topology (test/fixtures/official/<tag>-compose.json, from getsentry/onpremise at the tag), PyYAML for
 * config.yml, relay and symbolicator, python3 executing sentry.conf.py, nginx -t on the vhost, an XML parser on
 * the ClickHouse config, bash on 21.6.3's Postgres entrypoint. Only the documented differences (README, "Sentry
 * 21.5.0 and 21.6.3") are allowed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ensureBuilt, fullAnswers, minimalAnswers, removeDir, render, tempDir, writeAnswers, writeFixedSecrets, FIXED_SECRET_KEY } from '../helpers/cli.js';
import { composeConfig, PYTHON, pythonSyntax, pyyamlLoad, requireReaders, sentryConf } from '../helpers/readers.js';
import { nginxTest, nginxWork } from '../helpers/nginx.js';
import { expected as sharedExpected, loadOfficial, reduce, type Svc } from '../helpers/official.js';

ensureBuilt();


/** What tells the two releases apart, as far as these tests read. */
const FACTS = {
  '21.5.0': { symbolicator: 'getsentry/symbolicator:0.3.3', postgresEntrypoint: false },
  '21.6.3': { symbolicator: 'getsentry/symbolicator:0.3.4', postgresEntrypoint: true },
} as const;
/** The services that run the Sentry image (`x-sentry-defaults`), sentry-cleanup aside. */
const SENTRY_LOCAL = ['web', 'cron', 'worker', 'ingest-consumer', 'post-process-forwarder', 'subscription-consumer-events', 'subscription-consumer-transactions'];

/** The documented differences: those of every release (nginx, build arguments), then one local Sentry image. */
function expected(name: string, off: Svc, tlsDir: string): Svc {
  const e = sharedExpected(name, off, tlsDir);
  if (SENTRY_LOCAL.includes(name)) {
    // One local Sentry image with the plugins built in, from the official one.
    e.build = { context: './sentry', args: { SENTRY_IMAGE: off.image } };
    e.image = 'sentry-onpremise-local';
  }
  // The Sentry cleanup image is built on the local Sentry image (the plugins sentry.conf.py may import).
  if (name === 'sentry-cleanup') e.build.args = { BASE_IMAGE: 'sentry-onpremise-local' };
  return e;
}

for (const TAG of Object.keys(FACTS) as (keyof typeof FACTS)[]) {
  const OFFICIAL = loadOfficial(TAG);

  test(`${TAG}: compose v2 reads the rendered compose file; services, images, commands, entrypoints, healthchecks, depends_on, ulimits and volumes are the official ones`, (t) => {
    if (!requireReaders(t, 'compose-v2')) return;
    const dir = tempDir();
    try {
      writeFixedSecrets(dir);
      const r = render(dir, writeAnswers(join(dir, 'answers.yml'), minimalAnswers(TAG)));
      assert.equal(r.code, 0, r.stderr);
      const c = composeConfig(dir, 2);
      assert.equal(c.code, 0, c.stderr);
      assert.equal(c.config.name, 'sentry_onpremise');
      const ours = c.config.services as Record<string, Svc>;
      const official = Object.keys(OFFICIAL.services).filter((s) => s !== 'geoipupdate');
      assert.deepEqual(Object.keys(ours).sort(), official.sort(), 'the official services, geoipupdate aside');
      assert.equal(Object.keys(ours).length, 29);
      for (const name of official) {
        assert.deepEqual(reduce(ours[name], dir), expected(name, OFFICIAL.services[name], './tls'), `service ${name}`);
      }
      assert.deepEqual(
        Object.fromEntries(Object.entries(c.config.volumes as Record<string, Svc>).map(([k, v]) => [k, Boolean(v?.external)])),
        OFFICIAL.volumes,
        'the same volumes, external where the official ones are',
      );
    } finally {
      removeDir(dir);
    }
  });

  if (FACTS[TAG].postgresEntrypoint) test(`${TAG}: the postgres entrypoint allows replication connections once, copies wal2json only when given one, then runs the image's entrypoint`, () => {
    const dir = tempDir();
    try {
      writeFixedSecrets(dir);
      assert.equal(render(dir, writeAnswers(join(dir, 'answers.yml'), minimalAnswers(TAG))).code, 0);
      for (const f of ['postgres/postgres-entrypoint.sh', 'postgres/init_hba.sh']) {
        assert.equal(statSync(join(dir, f)).mode & 0o777, 0o755, f);
        const n = spawnSync('bash', ['-n', join(dir, f)], { encoding: 'utf8' });
        assert.equal(n.status, 0, n.stderr);
      }
      // The container's paths moved into a sandbox: /opt/sentry (the mount), the init dir; the image's entrypoint and pg_config on PATH.
      const box = join(dir, 'box');
      const opt = join(box, 'opt');
      for (const d of ['opt', 'initdb', 'pgdata', 'pkglib', 'bin']) mkdirSync(join(box, d), { recursive: true });
      const moved = (f: string) =>
        readFileSync(join(dir, 'postgres', f), 'utf8')
          .replaceAll('/opt/sentry', opt)
          .replaceAll('/docker-entrypoint-initdb.d', join(box, 'initdb'));
      writeFileSync(join(opt, 'postgres-entrypoint.sh'), moved('postgres-entrypoint.sh'), { mode: 0o755 });
      writeFileSync(join(opt, 'init_hba.sh'), moved('init_hba.sh'), { mode: 0o755 });
      writeFileSync(join(box, 'bin/docker-entrypoint.sh'), '#!/bin/sh\necho "image entrypoint: $*"\n', { mode: 0o755 });
      writeFileSync(join(box, 'bin/pg_config'), `#!/bin/sh\necho ${join(box, 'pkglib')}\n`, { mode: 0o755 });
      const run = () =>
        spawnSync(join(opt, 'postgres-entrypoint.sh'), ['postgres', '-c', 'wal_level=logical'], {
          encoding: 'utf8',
          env: { PATH: `${join(box, 'bin')}:/usr/bin:/bin`, PGDATA: join(box, 'pgdata') },
        });
      // No database yet: its initialisation will run init_hba.sh from the init dir.
      let r = run();
      assert.equal(r.status, 0, r.stderr);
      assert.ok(existsSync(join(box, 'initdb/init_hba.sh')));
      assert.match(r.stdout, /image entrypoint: postgres -c wal_level=logical/);
      // An existing database without the line gets it once.
      writeFileSync(join(box, 'pgdata/pg_hba.conf'), 'host all all all trust\n');
      assert.equal(run().status, 0);
      assert.equal(run().status, 0);
      assert.equal(readFileSync(join(box, 'pgdata/pg_hba.conf'), 'utf8'), 'host all all all trust\nhost replication all all trust\n');
      assert.ok(!existsSync(join(box, 'pkglib/wal2json.so')), 'no plugin given, none copied, no failure');
      mkdirSync(join(opt, 'wal2json'));
      copyFileSync(join(box, 'bin/pg_config'), join(opt, 'wal2json/wal2json.so'));
      assert.equal(run().status, 0);
      assert.ok(existsSync(join(box, 'pkglib/wal2json.so')), 'a given plugin is copied into the library dir');
    } finally {
      removeDir(dir);
    }
  });

  test(`${TAG}: compose v1 (the release's minimum is Compose 1.24.1) reads the file too: bind-mounted storage, plain http; the same services and images as v2`, (t) => {
    if (!requireReaders(t, 'compose-v1', 'compose-v2')) return;
    const dir = tempDir();
    try {
      writeFixedSecrets(dir);
      const a = { ...fullAnswers(TAG), url: 'http://10.1.2.3:9000', tls: { mode: 'off' }, storage: { mode: 'bind', dataDir: './data' } };
      assert.equal(render(dir, writeAnswers(join(dir, 'answers.yml'), a)).code, 0);
      const v1 = composeConfig(dir, 1);
      assert.equal(v1.code, 0, v1.stderr);
      const v2 = composeConfig(dir, 2);
      assert.equal(v2.code, 0, v2.stderr);
      const images = (c: any) => Object.fromEntries(Object.entries(c.services as Record<string, Svc>).map(([n, s]) => [n, s.image]));
      assert.deepEqual(images(v1.config), images(v2.config));
      assert.equal(Object.keys(v1.config.services).length, 29);
      const pg = v2.config.services.postgres.volumes.find((v: Svc) => v.target === '/var/lib/postgresql/data');
      assert.deepEqual([pg.type, pg.source], ['bind', join(dir, 'data', 'sentry-postgres')]);
      assert.deepEqual(Object.keys(v2.config.volumes).filter((v) => v2.config.volumes[v]?.external), [], 'no external volume with bind storage');
    } finally {
      removeDir(dir);
    }
  });

  test(`${TAG}: .env has the official variables (project, retention, images)`, () => {
    const dir = tempDir();
    try {
      writeFixedSecrets(dir);
      assert.equal(render(dir, writeAnswers(join(dir, 'answers.yml'), { ...minimalAnswers(TAG), retention: { days: 30 } })).code, 0);
      const env = Object.fromEntries(
        readFileSync(join(dir, '.env'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
      );
      assert.deepEqual(env, {
        COMPOSE_PROJECT_NAME: 'sentry_onpremise',
        SENTRY_EVENT_RETENTION_DAYS: '30',
        SENTRY_IMAGE: `getsentry/sentry:${TAG}`,
        SNUBA_IMAGE: `getsentry/snuba:${TAG}`,
        RELAY_IMAGE: `getsentry/relay:${TAG}`,
        SYMBOLICATOR_IMAGE: FACTS[TAG].symbolicator,
        // No WAL2JSON_VERSION: nothing downloads wal2json (README).
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
      const s = sentryConf(file, { SENTRY_EVENT_RETENTION_DAYS: '90' });
      // Django before 4.0: hosts, not origins.
      assert.deepEqual(s.CSRF_TRUSTED_ORIGINS, ['errors.example.org:8443']);
      assert.deepEqual(s.SECURE_PROXY_SSL_HEADER, ['HTTP_X_FORWARDED_PROTO', 'https']);
      assert.equal(s.USE_X_FORWARDED_HOST, true);
      assert.equal(s.CSRF_COOKIE_SECURE, true);
      assert.equal(s.SESSION_COOKIE_SECURE, true);
      // Django 1.11 still has MemcachedCache (python-memcached), as the official file names it.
      assert.equal(s.CACHES.default.BACKEND, 'django.core.cache.backends.memcached.MemcachedCache');
      assert.equal(s.SENTRY_TSDB, 'sentry.tsdb.redissnuba.RedisSnubaTSDB');
      assert.equal(s.SENTRY_DEFAULT_TIME_ZONE, 'Europe/Berlin');
      assert.equal(s.SENTRY_WEB_OPTIONS.workers, 5);
      assert.equal(s.SENTRY_WEB_OPTIONS['buffer-size'], 16384);
      assert.equal(s.GEOIP_PATH_MMDB, '/geoip/GeoLite2-City.mmdb');
      assert.equal(s.AUTH_LDAP_SERVER_URI, 'ldaps://ldap.example.com:636');
      assert.equal(s.SENTRY_OPTIONS['system.event-retention-days'], 90);
      assert.equal(s.KAFKA_CLUSTERS.default['bootstrap.servers'], 'kafka:9092');
      assert.equal(s.SENTRY_FEATURES['organizations:incidents'], true);

      const plain = tempDir();
      try {
        writeFixedSecrets(plain);
        assert.equal(render(plain, writeAnswers(join(plain, 'answers.yml'), { ...minimalAnswers(TAG, 'http://sentry.internal:9000'), tls: { mode: 'off' } })).code, 0);
        const p = sentryConf(join(plain, 'sentry/sentry.conf.py'));
        assert.deepEqual(p.CSRF_TRUSTED_ORIGINS, ['sentry.internal:9000']);
        assert.equal(p.SECURE_PROXY_SSL_HEADER, undefined, 'plain http: no proxy TLS settings');
      } finally {
        removeDir(plain);
      }
    } finally {
      removeDir(dir);
    }
  });

  test(`${TAG}: config.yml, relay and symbolicator configs read by PyYAML carry the answers; the Sentry entrypoint runs the image's own`, (t) => {
    if (!requireReaders(t, 'pyyaml')) return;
    const dir = tempDir();
    try {
      writeFixedSecrets(dir);
      assert.equal(render(dir, writeAnswers(join(dir, 'answers.yml'), fullAnswers(TAG))).code, 0);
      const cfg = pyyamlLoad(join(dir, 'sentry/config.yml')) as Record<string, unknown>;
      assert.equal(cfg['system.secret-key'], FIXED_SECRET_KEY);
      assert.equal(cfg['system.url-prefix'], 'https://sentry.example.com');
      assert.equal(cfg['system.internal-url-prefix'], 'http://web:9000');
      assert.equal(cfg['mail.host'], 'mail.example.com');
      assert.equal(cfg['mail.port'], 587);
      assert.equal(cfg['mail.password'], 'mail-secret-pw');
      assert.equal(cfg['mail.from'], 'sentry@example.com');
      assert.equal(cfg['filestore.backend'], 'filesystem');
      assert.deepEqual(cfg['filestore.options'], { location: '/data/files' });
      assert.deepEqual(cfg['symbolicator.options'], { url: 'http://symbolicator:3021' });
      assert.equal('slack.legacy-app' in cfg, false, 'gone from the 21.x example');
      assert.equal(statSync(join(dir, 'sentry/config.yml')).mode & 0o777, 0o600);
      const relay = pyyamlLoad(join(dir, 'relay/config.yml')) as any;
      assert.equal(relay.relay.upstream, 'http://web:9000/');
      assert.equal(relay.logging.level, 'WARN');
      assert.equal(relay.processing.geoip_path, '/geoip/GeoLite2-City.mmdb');
      assert.deepEqual(relay.processing.kafka_config[0], { name: 'bootstrap.servers', value: 'kafka:9092' });
      const sym = pyyamlLoad(join(dir, 'symbolicator/config.yml')) as any;
      assert.equal(sym.bind, '0.0.0.0:3021');
      assert.equal(sym.cache_dir, '/data');
      const entry = join(dir, 'sentry/entrypoint.sh');
      assert.equal(statSync(entry).mode & 0o777, 0o755);
      assert.match(readFileSync(entry, 'utf8'), /^exec \/docker-entrypoint\.sh "\$@"$/m);
      assert.doesNotMatch(readFileSync(entry, 'utf8'), /pip install/, 'the plugins are in the image: nothing is installed at start');
      const syntax = spawnSync('bash', ['-n', entry], { encoding: 'utf8' });
      assert.equal(syntax.status, 0, syntax.stderr);
    } finally {
      removeDir(dir);
    }
  });

  test(`${TAG}: the ClickHouse config is XML the server reads (memory ratio from the environment)`, (t) => {
    if (!requireReaders(t, 'python3')) return;
    const dir = tempDir();
    try {
      writeFixedSecrets(dir);
      assert.equal(render(dir, writeAnswers(join(dir, 'answers.yml'), minimalAnswers(TAG))).code, 0);
      const script = [
        'import json, sys, xml.etree.ElementTree as ET',
        'r = ET.parse(sys.argv[1]).getroot()',
        'm = r.find("max_server_memory_usage_to_ram_ratio")',
        'json.dump({"root": r.tag, "from_env": m.get("from_env"), "mixed": r.findtext("merge_tree/enable_mixed_granularity_parts")}, sys.stdout)',
      ].join('\n');
      const out = spawnSync(PYTHON, ['-c', script, join(dir, 'clickhouse/config.xml')], { encoding: 'utf8' });
      assert.equal(out.status, 0, out.stderr);
      assert.deepEqual(JSON.parse(out.stdout), { root: 'yandex', from_env: 'MAX_MEMORY_USAGE_RATIO', mixed: '1' });
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

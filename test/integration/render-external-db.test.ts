/**
 * External PostgreSQL and Redis (answers postgres.external / redis.external) rendered for every release and read
 * back: a table check of every release's files (no postgres/pgbouncer/redis service, nothing depends on them, no
 * volume of theirs, every setting names the external servers, the passwords only where a reader needs them), and
 * the real readers for 9.1.2, 20.7.0, 24.8.0 and 26.8.0 (python3 executes sentry.conf.py, PyYAML, compose v2
 * `config`). Bad answers exit 2 naming the field, with nothing written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import yaml from 'js-yaml';
import { SUPPORTED_TAGS, RELEASES, type SupportedTag } from '../../src/releases/index.js';
import { ensureBuilt, removeDir, render, tempDir, writeAnswers, minimalAnswers } from '../helpers/cli.js';
import { composeConfig, envMap, pyyamlLoad, requireReaders, sentryConf } from '../helpers/readers.js';
import { makeCaAndServer } from '../helpers/certs.js';

ensureBuilt();

const PG_PASSWORD = "pg-secret-'quote\"-\\back-$dollar-42";
const REDIS_PASSWORD = 'redis-secret-Az09!^&*()_+=.,-';
const OMITTED = ['postgres', 'pgbouncer', 'redis'];

function setup(tag: SupportedTag, extra: Record<string, unknown> = {}) {
  const root = tempDir();
  const install = join(root, 'install');
  const { ca } = makeCaAndServer(join(root, 'pki'), ['db.example.internal']);
  const answers = {
    ...minimalAnswers(tag),
    postgres: { external: { host: 'db.example.internal', port: 15432, database: 'sentry_prod', user: 'sentry_app', password: PG_PASSWORD, sslmode: 'verify-full', caFile: ca } },
    redis: { external: { host: 'cache.example.internal', port: 16379, db: 3, password: REDIS_PASSWORD } },
    ...extra,
  };
  return { root, install, ca, answersFile: writeAnswers(join(root, 'answers.yml'), answers) };
}

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) {
        if (n !== '.sentry-onprem') walk(p);
      } else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

/** The compose file as js-yaml reads it (merge keys applied). */
const composeOf = (install: string) => yaml.load(readFileSync(join(install, 'docker-compose.yml'), 'utf8')) as any;
const dependsOn = (svc: any): string[] => (Array.isArray(svc.depends_on) ? svc.depends_on : Object.keys(svc.depends_on ?? {}));

for (const tag of SUPPORTED_TAGS) {
  test(`external db table ${tag}: no postgres/pgbouncer/redis service or volume, settings name the external servers, passwords only in the files that need them`, () => {
    const { root, install, answersFile } = setup(tag);
    try {
      const r = render(install, answersFile);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(!r.stdout.includes(PG_PASSWORD) && !r.stderr.includes(PG_PASSWORD) && !r.stdout.includes(REDIS_PASSWORD), 'no password printed');
      const c = composeOf(install);
      for (const s of OMITTED) assert.equal(c.services[s], undefined, `${tag}: service ${s} rendered`);
      for (const [name, svc] of Object.entries<any>(c.services)) {
        for (const d of dependsOn(svc)) assert.ok(!OMITTED.includes(d), `${tag}: ${name} depends on ${d}`);
      }
      const volumes = Object.keys(c.volumes ?? {});
      assert.ok(!volumes.includes('sentry-postgres') && !volumes.includes('sentry-redis'), `${tag}: volumes ${volumes}`);
      // Every rendered file: no setting names the bundled servers any more.
      for (const f of files(install)) {
        const text = readFileSync(join(install, f), 'utf8');
        for (const bad of [/redis:\/\/redis[:/]/, /"HOST": "(postgres|pgbouncer)"/, /REDIS_HOST: redis\s*$/m, /SENTRY_POSTGRES_HOST: postgres/]) {
          assert.doesNotMatch(text, bad, `${tag}: ${f} still names the bundled server`);
        }
      }
      const conf = readFileSync(join(install, 'sentry/sentry.conf.py'), 'utf8');
      assert.match(conf, /db\.example\.internal/);
      assert.match(conf, /sslmode/);
      // Passwords: the compose file never holds one (it is not a secret file); .env (0600) only the Redis one for Snuba.
      const compose = readFileSync(join(install, 'docker-compose.yml'), 'utf8');
      assert.ok(!compose.includes(PG_PASSWORD) && !compose.includes(REDIS_PASSWORD), `${tag}: a password in docker-compose.yml`);
      const env = readFileSync(join(install, '.env'), 'utf8');
      assert.ok(!env.includes(PG_PASSWORD), `${tag}: the PostgreSQL password in .env`);
      assert.equal(env.includes(REDIS_PASSWORD), RELEASES[tag].components.snuba, `${tag}: the Redis password in .env only for Snuba`);
      assert.equal(statSync(join(install, '.env')).mode & 0o777, 0o600);
      assert.equal(statSync(join(install, 'sentry/sentry.conf.py')).mode & 0o777, 0o600);
      if (RELEASES[tag].components.relay) {
        const relay = readFileSync(join(install, 'relay/config.yml'), 'utf8');
        assert.match(relay, /redis:\/\/:[^@]+@cache\.example\.internal:16379\/3/);
        assert.equal(statSync(join(install, 'relay/config.yml')).mode & 0o777, process.getuid?.() === 0 ? 0o600 : 0o644);
        if (process.getuid?.() === 0) assert.equal(statSync(join(install, 'relay/config.yml')).uid, 10001);
      }
      // Secrets: kept in secrets.json (0600), never in the saved answers.
      const saved = readFileSync(join(install, 'sentry-onprem.yml'), 'utf8');
      assert.ok(!saved.includes(PG_PASSWORD) && !saved.includes(REDIS_PASSWORD));
      const secrets = JSON.parse(readFileSync(join(install, '.sentry-onprem/secrets.json'), 'utf8'));
      assert.equal(secrets.postgresPassword, PG_PASSWORD);
      assert.equal(secrets.redisPassword, REDIS_PASSWORD);
      // A second render with the saved answers changes nothing.
      const again = render(install, undefined);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, /nothing to change/);
    } finally {
      removeDir(root);
    }
  });
}

const READ_TAGS: SupportedTag[] = ['9.1.2', '20.7.0', '24.8.0', '26.8.0'];

for (const tag of READ_TAGS) {
  test(`external db read back ${tag}: python3 executes sentry.conf.py (DATABASES, OPTIONS, redis.clusters, BROKER_URL), compose v2 config, PyYAML`, (t) => {
    if (!requireReaders(t, 'python3', 'pyyaml', 'compose-v2')) return;
    const { root, install, ca, answersFile } = setup(tag);
    try {
      const r = render(install, answersFile);
      assert.equal(r.code, 0, r.stderr);
      const c = composeConfig(install, 2);
      assert.equal(c.code, 0, c.stderr);
      const services = c.config.services as Record<string, any>;
      for (const s of OMITTED) assert.equal(services[s], undefined);
      const web = services.web;
      const webEnv = envMap(web.environment);
      // The PostgreSQL password never reaches a container's environment; the Redis one only Snuba's (and the uptime checker's).
      for (const [name, svc] of Object.entries<any>(services)) {
        const e = JSON.stringify(envMap(svc.environment));
        assert.ok(!e.includes(PG_PASSWORD), `${name} has the PostgreSQL password in its environment`);
        const needs = name.startsWith('snuba') || name === 'uptime-checker';
        if (!needs) assert.ok(!e.includes(REDIS_PASSWORD), `${name} has the Redis password in its environment`);
      }
      const snuba = Object.entries<any>(services).find(([n]) => n === 'snuba-api')?.[1];
      if (snuba) {
        const e = envMap(snuba.environment);
        assert.equal(e.REDIS_HOST, 'cache.example.internal');
        assert.equal(e.REDIS_PORT, '16379');
        assert.equal(e.REDIS_PASSWORD, REDIS_PASSWORD);
      }
      // The CA is mounted read-only where sentry.conf.py says it is.
      const caMount = (web.volumes as any[]).find((v) => v.target === '/etc/sentry-onprem/postgres-ca.pem');
      assert.ok(caMount, 'CA mounted in web');
      assert.equal(caMount.source, ca);
      assert.equal(caMount.read_only, true);
      // sentry.conf.py executed with the environment compose gives web.
      const settings = sentryConf(join(install, 'sentry/sentry.conf.py'), webEnv);
      const db = settings.DATABASES.default;
      assert.equal(db.HOST, 'db.example.internal');
      assert.equal(String(db.PORT), '15432');
      assert.equal(db.NAME, 'sentry_prod');
      assert.equal(db.USER, 'sentry_app');
      assert.equal(db.PASSWORD, PG_PASSWORD);
      assert.deepEqual(db.OPTIONS, { sslmode: 'verify-full', sslrootcert: '/etc/sentry-onprem/postgres-ca.pem' });
      const host = settings.SENTRY_OPTIONS['redis.clusters'].default.hosts['0'];
      assert.equal(host.host, 'cache.example.internal');
      assert.equal(String(host.port), '16379');
      assert.equal(String(host.db), '3');
      assert.equal(host.password, REDIS_PASSWORD);
      // 26.x has no Celery broker (its tasks go through the taskbroker).
      if (tag !== '26.8.0') assert.equal(settings.BROKER_URL, `redis://:${REDIS_PASSWORD}@cache.example.internal:16379/3`);
      else assert.equal(settings.BROKER_URL, undefined);
      // Every YAML file PyYAML reads (relay's URL percent-encodes the password).
      for (const f of files(install).filter((f) => /\.ya?ml$/.test(f))) pyyamlLoad(join(install, f));
      if (existsSync(join(install, 'relay/config.yml'))) {
        const relay = pyyamlLoad(join(install, 'relay/config.yml')) as any;
        const u = new URL(relay.processing.redis);
        assert.equal(decodeURIComponent(u.password), REDIS_PASSWORD);
        assert.equal(u.hostname, 'cache.example.internal');
        assert.equal(u.pathname, '/3');
      }
    } finally {
      removeDir(root);
    }
  });
}

test('external db: sslmode require (no CA), only postgres external: the bundled redis stays, OPTIONS without sslrootcert', (t) => {
  if (!requireReaders(t, 'python3', 'compose-v2')) return;
  const { root, install } = setup('26.8.0', { redis: undefined, postgres: { external: { host: '10.1.2.3', database: 'sentry', user: 'sentry', password: 'pw-12345', sslmode: 'require' } } });
  try {
    const r = render(install, join(root, 'answers.yml'));
    assert.equal(r.code, 0, r.stderr);
    const c = composeConfig(install, 2);
    assert.equal(c.code, 0, c.stderr);
    assert.ok(c.config.services.redis);
    assert.equal(c.config.services.postgres, undefined);
    assert.equal(c.config.services.pgbouncer, undefined);
    assert.ok(Object.keys(c.config.volumes).includes('sentry-redis'));
    const settings = sentryConf(join(install, 'sentry/sentry.conf.py'), envMap(c.config.services.web.environment));
    assert.deepEqual(settings.DATABASES.default.OPTIONS, { sslmode: 'require' });
    assert.equal(String(settings.DATABASES.default.PORT), '5432');
    assert.equal(settings.SENTRY_OPTIONS['redis.clusters'].default.hosts['0'].host, 'redis');
  } finally {
    removeDir(root);
  }
});

test('external db bad answers: exit 2 naming each field, nothing written', () => {
  const root = tempDir();
  const install = join(root, 'install');
  try {
    writeFileSync(join(root, 'empty-password'), '\n');
    writeFileSync(join(root, 'not-a-cert.pem'), 'hello\n');
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ postgres: { external: { host: 'db', database: 'sentry', user: 'u', password: 'p', sslmode: 'verify-full' } } }, ['postgres.external.caFile']],
      [{ postgres: { external: { host: 'db', database: 'sentry', user: 'u', sslmode: 'require' } } }, ['postgres.external.password']],
      [{ postgres: { external: { host: 'db', database: 'sentry', user: 'u', password: 'p', passwordFile: 'x', sslmode: 'require' } } }, ['postgres.external.passwordFile']],
      [{ postgres: { external: { host: 'db', database: 'sentry', user: 'u', passwordFile: join(root, 'empty-password'), sslmode: 'require' } } }, ['postgres.external.passwordFile']],
      [{ postgres: { external: { host: 'db', database: 'sentry', user: 'u', password: 'p', sslmode: 'verify-ca', caFile: join(root, 'not-a-cert.pem') } } }, ['postgres.external.caFile']],
      [{ postgres: { external: { host: 'db', database: 'sentry', user: 'u', password: 'p', sslmode: 'prefer' } } }, ['postgres.external.sslmode']],
      [{ postgres: { external: { host: 'bad host!', port: 70000, database: 'sentry', user: 'u', password: 'p', sslmode: 'disable' } } }, ['postgres.external.host', 'postgres.external.port']],
      [{ postgres: { external: { host: 'db', database: 'sentry', user: 'u', password: 'p', sslmode: 'disable', unknown: 1 } } }, ['postgres.external']],
      [{ redis: { external: { host: 'cache', password: 'has space' } } }, ['redis.external.password']],
      [{ redis: { external: { host: 'cache', db: 16 } } }, ['redis.external.db']],
      [{ redis: { external: { host: 'cache', tls: true } } }, ['redis.external.tls']],
    ];
    for (const [extra, fields] of cases) {
      const r = render(install, writeAnswers(join(root, 'answers.yml'), { ...minimalAnswers('26.8.0'), ...extra }));
      assert.equal(r.code, 2, `${JSON.stringify(extra)}: ${r.stderr}`);
      for (const f of fields) assert.match(r.stderr, new RegExp(`- ${f.replace(/\./g, '\\.')}\\b`), `${JSON.stringify(extra)}: ${r.stderr}`);
      assert.ok(!r.stderr.includes("'p'") && !r.stdout.includes('has space'), 'no password echoed');
      assert.equal(existsSync(install), false, 'nothing written');
    }
  } finally {
    removeDir(root);
  }
});

/**
 * external-db's decisions from what the probe saw (the probe itself runs against real servers in
 * test/e2e/external-db.test.ts): each failure names the server, what was tried and the remedy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideExternalDb, type ExternalDbOptions } from '../../checks/external-db.js';
import type { ExternalDbProbe, PostgresProbe, RedisProbe } from '../../checks/host/external-db.js';
import { majorOf, postgresMinMajor, versionNum } from '../../src/answers/external.js';
import { RELEASES, SUPPORTED_TAGS } from '../../src/releases/index.js';

const options: ExternalDbOptions = {
  target: {
    postgres: { host: 'db.example.internal', port: 5432, database: 'sentry', user: 'sentry', password: 'pw', sslmode: 'verify-full', caFile: '/ca.pem' },
    redis: { host: 'cache.example.internal', port: 6379, db: 0, password: 'rpw' },
    image: 'sentry:9.1.2',
    network: 'onpremise_default',
  },
  minMajor: '14',
  minVersionNum: 140000,
};
const goodPg: PostgresProbe = { stage: 'ok', versionNum: 150004, ssl: true, schema: 'public', user: 'sentry', canCreate: true, tables: [] };
const goodRedis: RedisProbe = { stage: 'ok', pong: 'PONG', role: 'master', readOnly: '' };
const probe = (pg: Partial<PostgresProbe> = {}, rd: Partial<RedisProbe> = {}): ExternalDbProbe => ({
  ok: true,
  network: 'bridge',
  image: 'sentry:9.1.2',
  postgres: { ...goodPg, ...pg } as PostgresProbe,
  redis: { ...goodRedis, ...rd } as RedisProbe,
});

test('external-db passes: PostgreSQL 15 over TLS with an empty database, a primary Redis; the facts name both', () => {
  const v = decideExternalDb(options, probe());
  assert.equal(v.status, 'pass');
  assert.match(v.found, /PostgreSQL 15 at db\.example\.internal:5432, TLS \(sslmode verify-full\), an empty database/);
  assert.match(v.found, /Redis at cache\.example\.internal:6379 \(role master/);
  assert.equal(decideExternalDb(options, probe({ tables: ['public.sentry_project', 'public.auth_user', 'public.django_migrations'] })).status, 'pass');
});

test('external-db fails, naming the server, what was tried and the remedy', () => {
  const cases: Array<[ExternalDbProbe, RegExp, RegExp]> = [
    [probe({ stage: 'resolve', error: '[Errno -2] Name or service not known' }), /PostgreSQL db\.example\.internal:5432: the name does not resolve \(from a container of sentry:9\.1\.2 on network bridge/, /postgres\.external\.host/],
    [probe({ stage: 'connect', error: 'FATAL:  password authentication failed for user "sentry"' }), /connecting failed .*user sentry, database sentry, sslmode verify-full/, /postgres\.external\.password/],
    [probe({ stage: 'connect', error: 'SSL error: certificate verify failed' }), /certificate verify failed/, /postgres\.external\.caFile/],
    [probe({ stage: 'connect', error: 'server certificate for "x" does not match host name "db.example.internal"' }), /does not match/, /certificate carries/],
    [probe({ stage: 'connect', error: 'FATAL:  database "sentry" does not exist' }), /does not exist/, /CREATE DATABASE sentry OWNER sentry/],
    [probe({ stage: 'connect', error: 'Connection refused' }), /Connection refused/, /accepts connections on port 5432/],
    [probe({ versionNum: 90624 }), /runs PostgreSQL 9\.6; Sentry needs at least 14/, /Upgrade the server to PostgreSQL 14/],
    [probe({ canCreate: false }), /may not create tables in schema public/, /GRANT CREATE ON SCHEMA public TO sentry/],
    [probe({ tables: ['public.orders', 'public.customers'] }), /holds 2 tables of another application \(public\.orders, public\.customers\)/, /database of its own/],
    [probe({ ssl: false }), /not encrypted/, /ssl/],
    [probe({}, { stage: 'auth', error: 'WRONGPASS invalid username-password pair' }), /Redis cache\.example\.internal:6379: AUTH refused .*with a password.*WRONGPASS/, /redis\.external\.password/],
    [probe({}, { stage: 'ping', error: 'NOAUTH Authentication required.' }), /PING failed/, /wants a password/],
    [probe({}, { role: 'slave', readOnly: '1' }), /is a read-only replica \(role slave\)/, /primary/],
    [probe({}, { stage: 'resolve', error: 'Name or service not known' }), /Redis cache\.example\.internal:6379: the name does not resolve/, /redis\.external\.host/],
  ];
  for (const [p, found, remedy] of cases) {
    const v = decideExternalDb(options, p);
    assert.equal(v.status, 'fail', JSON.stringify(p));
    assert.match(v.found, found);
    assert.match(v.remedy ?? '', remedy);
    assert.ok(!JSON.stringify(v).includes('"pw"') && !JSON.stringify(v).includes('rpw'), 'no password in the verdict');
  }
  // A writable replica (replica-read-only no) is a server Sentry can write to.
  assert.equal(decideExternalDb(options, probe({}, { role: 'slave', readOnly: '0' })).status, 'pass');
  const broken = decideExternalDb(options, { ok: false, network: 'bridge', image: 'sentry:9.1.2', error: 'the probe image sentry:9.1.2 is missing and could not be pulled: x' });
  assert.equal(broken.status, 'fail');
  assert.match(broken.found, /could not be pulled/);
});

test('PostgreSQL majors: each release needs at least the major of its own postgres image', () => {
  const mins = Object.fromEntries(SUPPORTED_TAGS.map((t) => [t, postgresMinMajor(RELEASES[t])]));
  assert.equal(mins['9.1.2'], '9.5');
  assert.equal(mins['20.7.0'], '9.6');
  assert.equal(mins['23.6.2'], '14');
  assert.equal(mins['26.8.0'], '14');
  assert.equal(versionNum('9.5'), 90500);
  assert.equal(versionNum('14'), 140000);
  assert.equal(majorOf(90624), '9.6');
  assert.equal(majorOf(150004), '15');
});

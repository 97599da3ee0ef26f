/**
 * The source release read from a real PostgreSQL: the stand-in postgres image (a real PostgreSQL server) on
 * its own network, seeded with the migration tables of each release as Sentry records them, then asked
 * with the same query `upgrade` runs (psql in the container, the query on stdin). Run under the e2e lock.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { docker, engineReachable } from './harness.js';
import { readRecorded, readRecordedOffline, placeDatabase, verifyDatabaseRelease } from '../../src/upgrade/database-release.js';
import { EXIT } from '../../src/errors.js';

before(() => {
  if (!engineReachable() && process.env.CI) throw new Error('no Docker engine: .ci/run must start dockerd before the tests');
});
const skip = () => (!engineReachable() && !process.env.CI ? 'no Docker engine (run .ci/run)' : false);

const NAME = `sentry-onprem-e2e-dbrel-${process.pid}`;
let id = '';

async function ready(): Promise<void> {
  for (let i = 0; i < 120; i++) {
    try {
      if (docker(['exec', id, 'psql', '-U', 'postgres', '-h', '127.0.0.1', '-Atc', 'select 1']).trim() === '1') return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`postgres in ${NAME} did not answer`);
}

const sql = (text: string) => docker(['exec', '-i', id, 'psql', '-U', 'postgres', '-h', '127.0.0.1', '-v', 'ON_ERROR_STOP=1', '-q'], text);

before(async () => {
  if (skip()) return;
  docker(['network', 'create', NAME]);
  id = docker(['run', '-d', '--name', NAME, '--network', NAME, '-e', 'POSTGRES_HOST_AUTH_METHOD=trust', 'postgres:9.6']).trim();
  await ready();
});

after(() => {
  if (!id) return;
  docker(['rm', '-f', '-v', NAME]);
  docker(['network', 'rm', NAME]);
});

test('9.1.2 (South), then 20.7.0 (Django), then 21.6.3, then a skipped hard stop: the database says where it is', { skip: skip(), timeout: 120_000 }, async () => {
  // An empty database: no migration table at all.
  assert.deepEqual(await readRecorded(id), []);
  assert.equal(placeDatabase([]).low, undefined);

  sql(`CREATE TABLE south_migrationhistory (id serial PRIMARY KEY, app_name varchar(255) NOT NULL, migration varchar(255) NOT NULL, applied timestamptz NOT NULL);
INSERT INTO south_migrationhistory (app_name, migration, applied) VALUES
  ('sentry', '0471_auto__add_field_sentryapp_is_alertable', now()), ('sentry', '0472_auto__add_field_sentryapp_author', now()),
  ('nodestore', '0472_auto__add_field_sentryapp_author', now());`);
  let p = placeDatabase(await readRecorded(id));
  assert.deepEqual([p.low, p.high], ['9.1.2', '9.1.2']);
  assert.equal((await verifyDatabaseRelease({ stateTag: '9.1.2', postgresId: id, dir: '/d' })).refusal, undefined);

  // What 20.7.0's `upgrade` leaves: the South table stays, Django's appears (another app's row does not count).
  sql(`CREATE TABLE django_migrations (id serial PRIMARY KEY, app varchar(255) NOT NULL, name varchar(255) NOT NULL, applied timestamptz NOT NULL);
INSERT INTO django_migrations (app, name, applied) VALUES ('sentry', '0001_initial', now()), ('sentry', '0002_912_to_recent', now()),
  ('sentry', '0091_alertruleactivity', now()), ('nodestore', '0200_release_indices', now());`);
  p = placeDatabase(await readRecorded(id));
  assert.deepEqual([p.low, p.high], ['20.7.0', '21.5.0']);

  // The state says 21.6.3 while the database says 20.7.0 to 21.5.0: refused, exit 3.
  const skipped = await verifyDatabaseRelease({ stateTag: '21.6.3', postgresId: id, dir: '/d' });
  assert.equal(skipped.refusal?.exitCode, EXIT.prerequisite);
  assert.match(skipped.refusal!.message, /state says Sentry 21\.6\.3, but the database is at Sentry 20\.7\.0 to 21\.5\.0/);
  assert.equal((await verifyDatabaseRelease({ stateTag: '21.5.0', postgresId: id, dir: '/d' })).refusal, undefined);

  sql(`INSERT INTO django_migrations (app, name, applied) VALUES ('sentry', '0200_release_indices', now());`);
  p = placeDatabase(await readRecorded(id));
  assert.deepEqual([p.low, p.high], ['21.6.3', '23.11.0']);
  assert.equal((await verifyDatabaseRelease({ stateTag: '21.6.3', postgresId: id, dir: '/d' })).refusal, undefined);
  // Reading changed nothing.
  assert.equal(docker(['exec', id, 'psql', '-U', 'postgres', '-h', '127.0.0.1', '-Atc', 'SELECT count(*) FROM django_migrations']).trim(), '5');
});

test('a fresh database of a later release (only the squashes): 25.5.1 and later', { skip: skip(), timeout: 60_000 }, async () => {
  sql(`DROP TABLE south_migrationhistory; DELETE FROM django_migrations;
INSERT INTO django_migrations (app, name, applied) VALUES ('sentry', '0001_squashed_0904_onboarding_task_project_id_idx', now()), ('sentry', '0990_x', now());`);
  const p = placeDatabase(await readRecorded(id));
  assert.deepEqual([p.low, p.high], ['25.5.1', '26.8.0']);
});

test('postgres not running: a one-off container of the postgres image on the data volume reads the same, and changes no row', { skip: skip(), timeout: 180_000 }, async () => {
  const vol = `sentry-onprem-e2e-dbrel-${process.pid}-data`;
  const pg = `${vol}-pg`;
  docker(['volume', 'create', vol]);
  try {
    docker(['run', '-d', '--name', pg, '--network', NAME, '-e', 'POSTGRES_HOST_AUTH_METHOD=trust', '-v', `${vol}:/var/lib/postgresql/data`, 'postgres:9.6']);
    const q = (text: string) => docker(['exec', '-i', pg, 'psql', '-U', 'postgres', '-h', '127.0.0.1', '-v', 'ON_ERROR_STOP=1', '-Atq'], text).trim();
    for (let i = 0; i < 120; i++) {
      try {
        if (q('select 1') === '1') break;
      } catch {
        /* starting */
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    q(`CREATE TABLE django_migrations (id serial PRIMARY KEY, app varchar(255) NOT NULL, name varchar(255) NOT NULL, applied timestamptz NOT NULL);
INSERT INTO django_migrations (app, name, applied) VALUES ('sentry', '0002_912_to_recent', now()), ('sentry', '0200_release_indices', now());`);
    const before = q("SELECT string_agg(app || '.' || name, ',' ORDER BY id) FROM django_migrations");
    docker(['stop', pg]);
    const p = placeDatabase(await readRecordedOffline('postgres:9.6', vol));
    assert.deepEqual([p.low, p.high], ['21.6.3', '23.11.0']);
    assert.deepEqual(p.found, ['0200_release_indices', '0002_912_to_recent']);
    docker(['start', pg]);
    for (let i = 0; i < 120; i++) {
      try {
        if (q('select 1') === '1') break;
      } catch {
        /* starting */
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.equal(q("SELECT string_agg(app || '.' || name, ',' ORDER BY id) FROM django_migrations"), before);
    // No one-off container is left behind.
    assert.equal(docker(['ps', '-a', '-q', '--filter', 'label=io.sentry-onprem.one-off=database-release']).trim(), '');
  } finally {
    docker(['rm', '-f', '-v', pg]);
    docker(['volume', 'rm', '-f', vol]);
  }
});

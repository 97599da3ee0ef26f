/**
 * The upgrade road before anything changes: which release the database is at (from the migrations Sentry
 * recorded), the refusal when the state file disagrees, the disk of a hop's worst moment, the images, the
 * downtime estimate. Pure functions and fakes of the query; test/integration/database-release.test.ts runs
 * the query against a real PostgreSQL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RELEASES, SUPPORTED_TAGS } from '../../src/catalog.js';
import { MARKS, disagreement, marksQuery, parseRecorded, placeDatabase, verifyDatabaseRelease, type Recorded } from '../../src/upgrade/database-release.js';
import { describeHopDisk, hopDisk, type DiskNow } from '../../src/upgrade/disk.js';
import { estimateDowntime, formatDuration, MEASURED } from '../../src/upgrade/step-times.js';
import { hopRefusal, describeImages } from '../../src/upgrade/preflight.js';
import { hopBlockers, planPath } from '../../src/upgrade/plan-path.js';
import { EXIT, UserError } from '../../src/errors.js';

const south = (name: string): Recorded => ({ table: 'south_migrationhistory', name });
const django = (name: string): Recorded => ({ table: 'django_migrations', name });
const AT_912 = [south('0471_auto__add_field_sentryapp_is_alertable'), south('0472_auto__add_field_sentryapp_author')];
const AT_2070 = [...AT_912, django('0001_initial'), django('0002_912_to_recent'), django('0091_alertruleactivity')];
const AT_2163 = [...AT_2070, django('0199_release_semver'), django('0200_release_indices')];

test('the marks are the real migration names, one table per release, oldest first', () => {
  assert.deepEqual(MARKS.map((m) => m.tag), ['9.1.2', '20.7.0', '21.6.3', '24.8.0', '25.5.1']);
  assert.deepEqual(RELEASES['9.1.2'].databaseMarks, { table: 'south_migrationhistory', names: ['0472_auto__add_field_sentryapp_author'] });
  assert.ok(RELEASES['21.6.3'].databaseMarks!.names.includes('0200_release_indices'));
  assert.ok(RELEASES['21.6.3'].databaseMarks!.names.includes('0001_squashed_0200_release_indices'));
  assert.deepEqual(RELEASES['24.8.0'].databaseMarks!.names, ['0642_index_together_release']);
  assert.ok(RELEASES['25.5.1'].databaseMarks!.names.includes('0001_squashed_0904_onboarding_task_project_id_idx'));
  const all = MARKS.flatMap((m) => m.names);
  assert.equal(new Set(all).size, all.length, 'a name marks two releases');
});

test('placement: each database lands on the range its recorded migrations allow', () => {
  const cases: Array<[string, Recorded[], string | undefined, string | undefined]> = [
    ['9.1.2 (South only)', AT_912, '9.1.2', '9.1.2'],
    ['9.1.2 converted by 20.7.0', AT_2070, '20.7.0', '21.5.0'],
    ['21.6.3 after its migrations', AT_2163, '21.6.3', '23.11.0'],
    ['a fresh 23.x install (only the squash)', [django('0001_squashed_0200_release_indices'), django('0420_something')], '21.6.3', '23.11.0'],
    ['24.8.0', [django('0001_squashed_0484_break_org_member_user_fk'), django('0642_index_together_release'), django('0753_x')], '24.8.0', '24.8.0'],
    ['25.5.1 squashed (a fresh 25.6+ database)', [django('0001_squashed_0904_onboarding_task_project_id_idx')], '25.5.1', '26.8.0'],
    ['empty', [], undefined, undefined],
    ['older than 9.1.2', [south('0400_auto__add_something')], undefined, undefined],
  ];
  for (const [what, rec, low, high] of cases) {
    const p = placeDatabase(rec);
    assert.deepEqual([p.low, p.high], [low, high], what);
  }
  const p = placeDatabase(AT_2070);
  assert.deepEqual(p.found, ['0002_912_to_recent', '0472_auto__add_field_sentryapp_author']);
  assert.equal(p.next?.tag, '21.6.3');
});

test('a state file ahead of its database (a skipped hard stop) is refused, exit 3, naming both and the remedy', () => {
  // The database says 20.7.0 to 21.5.0 (0200_release_indices never applied) while the state says 21.6.3.
  const err = disagreement('21.6.3', placeDatabase(AT_2070), '/srv/sentry');
  assert.ok(err instanceof UserError);
  assert.equal(err.exitCode, EXIT.prerequisite);
  assert.match(err.message, /state says Sentry 21\.6\.3, but the database is at Sentry 20\.7\.0 to 21\.5\.0/);
  assert.match(err.message, /not recorded: 0200_release_indices or 0001_squashed_0200_release_indices or 0001_squashed_0484_break_org_member_user_fk, which Sentry 21\.6\.3 applies/);
  assert.match(err.message, /migrations of Sentry 21\.6\.3 never ran on it \(a skipped hard stop\)/);
  assert.match(err.hint!, /^Nothing was changed\. Bring the database to Sentry 21\.6\.3 first/);
  assert.match(err.hint!, /sentry-onprem restore BACKUP_DIR --dir \/srv\/sentry/);
});

test('a database ahead of the state, and a database with no Sentry migration, are refused too; agreement is not', () => {
  const ahead = disagreement('9.1.2', placeDatabase(AT_2070), '/d');
  assert.equal(ahead?.exitCode, EXIT.prerequisite);
  assert.match(ahead!.message, /state says Sentry 9\.1\.2, but the database is at Sentry 20\.7\.0 to 21\.5\.0.*newer than the release installed here/);
  const none = disagreement('20.7.0', placeDatabase([]), '/d');
  assert.match(none!.message, /no Sentry migration of 9\.1\.2 or later/);
  for (const [tag, rec] of [['9.1.2', AT_912], ['20.7.0', AT_2070], ['21.5.0', AT_2070], ['21.6.3', AT_2163], ['23.6.2', AT_2163], ['23.11.0', AT_2163]] as const) {
    assert.equal(disagreement(tag, placeDatabase([...rec]), '/d'), undefined, tag);
  }
});

test('the query asks only the sentry app, both tables, every mark; its output is parsed', () => {
  const q = marksQuery();
  assert.match(q, /FROM south_migrationhistory WHERE app_name = 'sentry' AND migration IN \('0472_auto__add_field_sentryapp_author'\);/);
  assert.match(q, /FROM django_migrations WHERE app = 'sentry' AND name IN \('0002_912_to_recent', '0200_release_indices'/);
  for (const n of MARKS.flatMap((m) => m.names)) assert.ok(q.includes(`'${n}'`), n);
  assert.deepEqual(parseRecorded('django_migrations|0200_release_indices\nsouth_migrationhistory|0472_auto__add_field_sentryapp_author\n\nnoise'), [
    django('0200_release_indices'),
    south('0472_auto__add_field_sentryapp_author'),
  ]);
});

test('verifyDatabaseRelease with a fake query: the placement and the refusal', async () => {
  const asked: string[] = [];
  const read = async (id: string) => (asked.push(id), AT_2070);
  const ok = await verifyDatabaseRelease({ stateTag: '20.7.0', postgresId: 'pg1', dir: '/d', read });
  assert.equal(ok.refusal, undefined);
  assert.equal(ok.placement.low, '20.7.0');
  const bad = await verifyDatabaseRelease({ stateTag: '21.6.3', postgresId: 'pg2', dir: '/d', read });
  assert.equal(bad.refusal?.exitCode, EXIT.prerequisite);
  assert.deepEqual(asked, ['pg1', 'pg2']);
});

const now = (o: Partial<DiskNow> = {}): DiskNow => ({
  databaseBytes: 300e6,
  volumeBytes: { 'sentry-postgres': 900e6, 'sentry-clickhouse': 12e9, 'sentry-kafka': 5e9 },
  volumesFree: { ok: true, path: '/var/lib/docker/volumes', bytes: 50e9, device: 1 },
  backupsFree: { ok: true, path: '/srv/sentry/backups', bytes: 20e9, device: 2 },
  notes: [],
  ...o,
});

test("a hop's worst moment: the dump in backups, each copied volume on the volumes' disk; one disk adds up", () => {
  const pg = [{ volume: 'sentry-postgres', why: 'pg_upgrade' }];
  const two = hopDisk({ copies: pg, withDatabaseBackup: true, now: now() });
  assert.deepEqual(two.places.map((p) => [p.label, p.needed]), [['backups', 300e6], ['volumes', 900e6]]);
  assert.equal(two.short, undefined);
  assert.match(describeHopDisk(two), /300\.0 MB on the backups disk \/srv\/sentry\/backups \(database dump up to 300\.0 MB\), 20\.0 GB free; 900\.0 MB on the volumes disk .*: enough$/);
  const one = hopDisk({ copies: pg, withDatabaseBackup: true, now: now({ backupsFree: { ok: true, path: '/srv/sentry/backups', bytes: 50e9, device: 1 } }) });
  assert.deepEqual(one.places.map((p) => [p.label, p.needed]), [['volumes and backups', 1.2e9]]);
  const noDump = hopDisk({ copies: [], withDatabaseBackup: false, now: now() });
  assert.deepEqual(noDump.places.map((p) => [p.label, p.needed]), [['volumes', 0]]);
});

test('a short disk names where, how much is needed and by how much it is short; unknown sizes are listed', () => {
  const copies = [
    { volume: 'sentry-clickhouse', why: 'ClickHouse rewrite' },
    { volume: 'sentry-kafka', why: 'KRaft' },
    { volume: 'sentry-nope', why: 'x' },
  ];
  const d = hopDisk({ copies, withDatabaseBackup: true, now: now({ volumesFree: { ok: true, path: '/var/lib/docker/volumes', bytes: 16e9, device: 1 } }) });
  assert.deepEqual(d.short, { label: 'volumes', path: '/var/lib/docker/volumes', needed: 17e9, free: 16e9, by: 1e9 });
  assert.deepEqual(d.unknown, ['sentry-nope (x)']);
  const err = hopRefusal({ from: '23.11.0', to: '24.8.0', disk: d, images: { present: ['a'], pullable: [], missing: [] } });
  assert.equal(err?.exitCode, EXIT.prerequisite);
  assert.match(err!.message, /upgrade 23\.11\.0 -> 24\.8\.0 refused before it changes anything: the volumes disk \/var\/lib\/docker\/volumes has 16\.0 GB free, the hop needs 17\.0 GB at its worst moment: short by 1000\.0 MB/);
  assert.match(err!.hint!, /Free 1000\.0 MB or more on \/var\/lib\/docker\/volumes\. Sentry 23\.11\.0 keeps running/);
  const noPg = hopDisk({ copies: [], withDatabaseBackup: true, now: now({ databaseBytes: undefined }) });
  assert.deepEqual(noPg.unknown, ['the database dump (postgres is not running)']);
});

test('images neither present nor pullable refuse the hop, naming them and what the registry said', () => {
  const images = { present: ['redis:6.2.4-alpine'], pullable: ['getsentry/relay:21.6.3'], missing: [{ image: 'getsentry/snuba:21.6.3', why: 'manifest unknown' }] };
  assert.equal(describeImages(images), '1 present; 1 to pull (the registry has them: getsentry/relay:21.6.3); 1 NEITHER present NOR pullable: getsentry/snuba:21.6.3 (manifest unknown)');
  const err = hopRefusal({ from: '21.5.0', to: '21.6.3', disk: hopDisk({ copies: [], withDatabaseBackup: false, now: now() }), images });
  assert.match(err!.message, /1 image is neither here nor in the registry: getsentry\/snuba:21\.6\.3 \(manifest unknown\)/);
  assert.equal(hopRefusal({ from: '21.5.0', to: '21.6.3', disk: hopDisk({ copies: [], withDatabaseBackup: false, now: now() }), images: { ...images, missing: [] } }), undefined);
});

test('downtime estimate: the measured steps from stopping the old release to the new one answering', () => {
  const hop = planPath('9.1.2', '20.7.0');
  assert.equal(hop.kind, 'ok');
  const h = hop.kind === 'ok' ? hop.hops[0] : undefined!;
  const d = estimateDowntime({ oneOffs: h.oneOffs, unimplemented: [], bootstrap: RELEASES['20.7.0'].bootstrap });
  const t = MEASURED;
  const want = t.stop + t.volumes + 2 * t.bootstrapAction + t.migrations + t.superuser + t.up + t.oneOffs['file-storage-to-data-files']!;
  assert.ok(Math.abs(d.seconds - want) < 1e-9);
  // The PostgreSQL conversion never ran on the test engine: named, not guessed.
  assert.deepEqual(d.unmeasured, ['postgres-9.5-to-9.6']);
  const later = estimateDowntime({ oneOffs: [], unimplemented: ['ClickHouse 21.8 -> 23.8'], bootstrap: [] });
  assert.deepEqual(later.unmeasured, ['ClickHouse 21.8 -> 23.8']);
  assert.match(MEASURED.measuredOn, /stand-in images/);
  assert.equal(formatDuration(42.4), '42 s');
  assert.equal(formatDuration(600), '10 min');
  assert.equal(formatDuration(3 * 3600), '3.0 h');
});

test('the road: every hop from 9.1.2 to the newest release is planned; the hops this version cannot run say why', () => {
  const p = planPath('9.1.2', '26.8.0');
  assert.equal(p.kind, 'refused');
  if (p.kind !== 'refused') return;
  assert.deepEqual(p.hops!.map((h) => h.to), ['21.5.0', '21.6.3', '23.6.2', '23.11.0', '24.8.0', '25.5.1', '26.5.1', '26.8.0']);
  assert.deepEqual(hopBlockers('9.1.2', '20.7.0'), []);
  assert.deepEqual(hopBlockers('23.6.2', '23.11.0'), []);
  assert.deepEqual(hopBlockers('23.11.0', '24.8.0'), []);
  assert.match(hopBlockers('24.8.0', '25.5.1')[0], /no upgrade into Sentry 25\.5\.1 is described yet/);
  assert.match(hopBlockers('21.5.0', '23.6.2')[0], /reached from 21\.6\.3 or later only/);
});

test("every volume a hop copies belongs to the release it leaves or the one it reaches", () => {
  for (const t of SUPPORTED_TAGS) {
    for (const c of RELEASES[t].arrival?.copies ?? []) {
      const from = RELEASES[RELEASES[t].arrival!.from as typeof t];
      assert.ok(RELEASES[t].externalVolumes.includes(c.volume) || from.externalVolumes.includes(c.volume), `${t}: ${c.volume}`);
    }
  }
});

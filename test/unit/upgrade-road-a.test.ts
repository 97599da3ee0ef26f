/**
 * The hops 9.1.2/20.7.0 -> 21.5.0 -> 21.6.3 -> 23.6.2: their plan, and their one-off steps against a fake of the
 * engine seam (src/upgrade/one-offs/engine.ts); the shell scripts those steps run are run for real on temp dirs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planPath } from '../../src/upgrade/plan-path.js';
import { pg14OneOff, parseDirState, copyBackScript, readStateScript, PG_9_6_TO_14 } from '../../src/upgrade/one-offs/postgres-14.js';
import { zookeeperLogOneOff, projectVolume } from '../../src/upgrade/one-offs/zookeeper-log.js';
import { refuseRoadCompose } from '../../src/upgrade/road-compose.js';
import { failureReport } from '../../src/upgrade/report.js';
import { newHopDone } from '../../src/upgrade/run-hop.js';
import { hopDisk } from '../../src/upgrade/disk.js';
import { ARRIVALS } from '../../src/upgrade/hops.js';
import { ONE_OFFS } from '../../src/upgrade/one-offs/index.js';
import { ONE_OFF_IMAGES } from '../../src/bundle/needed-images.js';
import type { OneOffEngine } from '../../src/upgrade/one-offs/engine.js';
import type { OneOffEnv } from '../../src/upgrade/one-offs/types.js';
import { EXIT, UserError } from '../../src/errors.js';
import type { Answers } from '../../src/answers/schema.js';

const sh = (script: string) => execFileSync('sh', ['-c', script], { encoding: 'utf8' });

interface Call {
  label: string;
  image: string;
  binds: string[];
  script?: string;
}

/** A fake engine: volumes as a set, containers answered by label, every call recorded. */
function fakeEngine(o: { volumes?: string[]; answer?: (c: Call) => { exitCode: number; output: string } } = {}) {
  const volumes = new Set(o.volumes ?? []);
  const calls: Call[] = [];
  const created: Array<{ name: string; labels: Record<string, string> }> = [];
  const removed: string[] = [];
  const pulled: string[] = [];
  const engine: OneOffEngine = {
    async run(c) {
      calls.push(c);
      return o.answer?.(c) ?? { exitCode: 0, output: '' };
    },
    async volumeExists(n) {
      return volumes.has(n);
    },
    async createVolume(name, labels) {
      if (volumes.has(name)) throw new Error(`volume ${name} exists`);
      volumes.add(name);
      created.push({ name, labels });
    },
    async removeVolume(name) {
      volumes.delete(name);
      removed.push(name);
    },
    async ensureImage(image) {
      pulled.push(image);
    },
  };
  return { engine, calls, created, removed, pulled, volumes };
}

function env(from: OneOffEnv['from'], to: OneOffEnv['to'], databaseBackedUp = true): OneOffEnv {
  return { from, to, answers: { tag: to, images: { registry: '' }, storage: { mode: 'volumes' } } as unknown as Answers, dir: '/srv/sentry', databaseBackedUp };
}

/** The reply of the read-only look at the data directory. */
const dirReply = (version: string, marks: string[] = []) => ({ exitCode: 0, output: [`sentry-onprem: PG_VERSION=${version}`, ...marks.map((m) => `sentry-onprem: ${m}`)].join('\n') });

const SERVERS: Record<string, string> = { 'postgres:9.6': 'postgres (PostgreSQL) 9.6.24', 'postgres:14.5': 'postgres (PostgreSQL) 14.5 (Debian 14.5-1.pgdg110+1)' };

function pgAnswer(version: string, marks: string[] = [], fail?: string, servers = SERVERS) {
  return (c: Call) => {
    if (c.label === 'postgres-version') return { exitCode: 0, output: `${servers[c.image] ?? ''}\n` };
    if (fail && c.label.endsWith(fail)) return { exitCode: 1, output: 'boom' };
    if (c.label.endsWith('-read')) return dirReply(version, marks);
    if (c.label.endsWith('-reindex')) return { exitCode: 0, output: 'sentry-onprem: reindexed postgres\n' };
    if (c.script === copyBackScript) return { exitCode: 0, output: 'sentry-onprem: copied back 40M\n' };
    return { exitCode: 0, output: '' };
  };
}

const noop = () => undefined;

test('the road is planned: 9.1.2 and 20.7.0 reach 23.6.2 over the hard stops, each hop with its one-off steps, none refused', () => {
  const a = planPath('9.1.2', '23.6.2');
  assert.equal(a.kind, 'ok', a.kind === 'refused' ? a.message : '');
  if (a.kind !== 'ok') return;
  assert.deepEqual(a.hops, [
    { from: '9.1.2', to: '21.5.0', oneOffs: ['file-storage-to-data-files', 'postgres-9.5-to-9.6', 'tsdb-switchover'] },
    { from: '21.5.0', to: '21.6.3', oneOffs: [] },
    { from: '21.6.3', to: '23.6.2', oneOffs: ['zookeeper-log-volume', 'postgres-9.6-to-14'] },
  ]);
  const b = planPath('20.7.0', '23.6.2');
  assert.equal(b.kind, 'ok');
  if (b.kind === 'ok') assert.deepEqual(b.hops[0], { from: '20.7.0', to: '21.5.0', oneOffs: ['postgres-9.5-to-9.6'] });
  for (const id of ['postgres-9.6-to-14', 'zookeeper-log-volume'] as const) assert.equal(ONE_OFFS[id].id, id);
  assert.deepEqual(ONE_OFF_IMAGES['postgres-9.6-to-14'], ['tianon/postgres-upgrade:9.6-to-14']);
  for (const t of ['21.5.0', '21.6.3', '23.6.2'] as const) assert.deepEqual(ARRIVALS[t]?.unimplemented ?? [], [], t);
});

test('20.7.0 -> 21.5.0 with fakes: the 9.6 directory of 20.7.0 is left as it is; a 9.5 one (9.1.2) is converted, and undone', async () => {
  const p = planPath('20.7.0', '21.5.0');
  assert.equal(p.kind, 'ok');
  if (p.kind === 'ok') assert.deepEqual(p.hops, [{ from: '20.7.0', to: '21.5.0', oneOffs: ['postgres-9.5-to-9.6'] }]);
  const { pgMajorOneOff, PG_9_5_TO_9_6 } = await import('../../src/upgrade/one-offs/postgres-major.js');
  const on96 = fakeEngine({ answer: () => ({ exitCode: 0, output: '9.6\n' }) });
  const r = await pgMajorOneOff('postgres-9.5-to-9.6', PG_9_5_TO_9_6, on96.engine).run(env('20.7.0', '21.5.0'), noop);
  assert.match(r.skipped!, /PG_VERSION is 9\.6: the data directory needs no 9\.5 -> 9\.6 upgrade/);
  assert.equal(on96.calls.length, 1);
  assert.deepEqual(on96.calls[0].binds, ['sentry-postgres:/db:ro']);
  const on95 = fakeEngine({ answer: (c) => ({ exitCode: 0, output: c.label === 'pg-version' ? '9.5\n' : '' }) });
  const r2 = await pgMajorOneOff('postgres-9.5-to-9.6', PG_9_5_TO_9_6, on95.engine).run(env('9.1.2', '21.5.0'), noop);
  assert.equal(r2.changedDatabase, true);
  assert.deepEqual(on95.pulled, ['tianon/postgres-upgrade:9.5-to-9.6']);
  assert.deepEqual(on95.calls[1].binds, ['sentry-postgres:/var/lib/postgresql/9.5/data', 'sentry-postgres-new:/var/lib/postgresql/9.6/data']);
  assert.match(on95.calls[2].script!, /host all all all trust/);
  assert.ok(!on95.volumes.has('sentry-postgres-new'));
  await r2.undo!(noop);
  assert.equal(on95.calls.at(-1)!.script, 'find /to -mindepth 1 -delete');
});

test('postgres 9.6 -> 14: pg_upgrade into a scratch volume, the copy back, the reindex; the undo empties the directory', async () => {
  const f = fakeEngine({ answer: pgAnswer('9.6') });
  const lines: string[] = [];
  const r = await pg14OneOff(f.engine).run(env('21.6.3', '23.6.2'), (l) => lines.push(l));
  assert.equal(r.changedDatabase, true);
  assert.match(r.done!, /converted to PostgreSQL 14 \(copied back 40M\); reindexed postgres/);
  assert.deepEqual(f.pulled, ['tianon/postgres-upgrade:9.6-to-14']);
  assert.deepEqual(f.created.map((c) => c.name), ['sentry-postgres-new']);
  assert.deepEqual(f.calls.map((c) => c.label), ['postgres-9.6-to-14-read', 'postgres-version', 'postgres-version', 'postgres-9.6-to-14', 'postgres-9.6-to-14', 'postgres-9.6-to-14-reindex']);
  assert.deepEqual(f.calls.filter((c) => c.label === 'postgres-version').map((c) => c.image), ['postgres:9.6', 'postgres:14.5'], 'the majors of both releases\' servers');
  const [, , , upgrade, copy, reindex] = f.calls;
  assert.equal(upgrade.image, 'tianon/postgres-upgrade:9.6-to-14');
  assert.deepEqual(upgrade.binds, ['sentry-postgres:/var/lib/postgresql/9.6/data', 'sentry-postgres-new:/var/lib/postgresql/14/data']);
  assert.equal(upgrade.script, undefined, 'the upgrade image runs its own entrypoint');
  assert.deepEqual(copy.binds, ['sentry-postgres-new:/from', 'sentry-postgres:/to']);
  assert.equal(reindex.image, 'postgres:14.5', "the target's own server reindexes");
  assert.match(reindex.script!, /REINDEX SYSTEM .*REINDEX DATABASE/);
  assert.match(reindex.script!, /datistemplate = false/);
  assert.ok(!f.volumes.has('sentry-postgres-new'), 'the scratch volume is left');
  await r.undo!(noop);
  assert.equal(f.calls.at(-1)!.script, 'find /to -mindepth 1 -delete');
});

test('postgres 9.6 -> 14: a 14 directory is left alone; an unfinished reindex or copy of an earlier run is completed', async () => {
  const done = fakeEngine({ answer: pgAnswer('14') });
  const r = await pg14OneOff(done.engine).run(env('21.6.3', '23.6.2'), noop);
  assert.match(r.skipped!, /PG_VERSION is 14: the data directory is in the format of the new server already/);
  assert.equal(done.calls.filter((c) => c.label !== 'postgres-version').length, 1);

  const reindex = fakeEngine({ answer: pgAnswer('14', ['reindex']) });
  const r2 = await pg14OneOff(reindex.engine).run(env('21.6.3', '23.6.2'), noop);
  assert.deepEqual(reindex.calls.map((c) => c.label).filter((l) => l !== 'postgres-version'), ['postgres-9.6-to-14-read', 'postgres-9.6-to-14-reindex']);
  assert.equal(r2.done, 'reindexed postgres');

  const copying = fakeEngine({ volumes: ['sentry-postgres-new'], answer: pgAnswer('', ['copying']) });
  const r3 = await pg14OneOff(copying.engine).run(env('21.6.3', '23.6.2'), noop);
  assert.deepEqual(copying.calls.map((c) => c.label), ['postgres-9.6-to-14-read', 'postgres-9.6-to-14', 'postgres-9.6-to-14-reindex']);
  assert.equal(copying.calls[1].script, copyBackScript);
  assert.match(r3.done!, /copy back completed; reindexed postgres/);
  assert.deepEqual(copying.created, [], 'no pg_upgrade again');

  const lost = fakeEngine({ answer: pgAnswer('', ['copying']) });
  await assert.rejects(pg14OneOff(lost.engine).run(env('21.6.3', '23.6.2'), noop), (e: UserError) => /the copy \(volume sentry-postgres-new\) is gone/.test(e.message) && /restore/.test(e.hint ?? ''));
  assert.equal(lost.calls.length, 1);
});

test('postgres 9.6 -> 14: refused without the database backup, and a failing pg_upgrade stops before the old directory is touched', async () => {
  const f = fakeEngine({ answer: pgAnswer('9.6') });
  await assert.rejects(pg14OneOff(f.engine).run(env('21.6.3', '23.6.2', false), noop), (e: UserError) => e.exitCode === EXIT.usage && /without --no-backup/.test(e.hint ?? ''));
  assert.deepEqual(f.calls.map((c) => c.label), ['postgres-9.6-to-14-read', 'postgres-version', 'postgres-version'], 'only read-only looks');
  const g = fakeEngine({ answer: (c) => (c.label === 'postgres-9.6-to-14' && c.script === undefined ? { exitCode: 1, output: 'pg_upgrade: boom' } : pgAnswer('9.6')(c)) });
  await assert.rejects(pg14OneOff(g.engine).run(env('21.6.3', '23.6.2'), noop), /pg_upgrade \(tianon\/postgres-upgrade:9\.6-to-14\) failed \(exit 1\): pg_upgrade: boom/);
  assert.ok(!g.calls.some((c) => c.script === copyBackScript), 'the old directory was replaced after a failed pg_upgrade');
});

test('postgres 9.6 -> 14: the majors the images run decide (stand-ins: 15 and 17); a directory of neither is refused untouched', async () => {
  const { parseMajor, pg14Decision } = await import('../../src/upgrade/one-offs/postgres-14.js');
  assert.equal(parseMajor('postgres (PostgreSQL) 9.6.24'), '9.6');
  assert.equal(parseMajor('postgres (PostgreSQL) 14.5 (Debian 14.5-1.pgdg110+1)'), '14');
  assert.equal(parseMajor('postgres (PostgreSQL) 17.2 (Debian 17.2-1)'), '17');
  assert.equal(parseMajor(''), undefined);
  const standIns = { 'postgres:9.6': 'postgres (PostgreSQL) 15.10', 'postgres:14.5': 'postgres (PostgreSQL) 17.2' };
  const f = fakeEngine({ answer: pgAnswer('15', [], undefined, standIns) });
  const r = await pg14OneOff(f.engine).run(env('21.6.3', '23.6.2'), noop);
  assert.match(r.done!, /converted to PostgreSQL 14/);
  const g = fakeEngine({ answer: pgAnswer('17', [], undefined, standIns) });
  assert.ok((await pg14OneOff(g.engine).run(env('21.6.3', '23.6.2'), noop)).skipped);
  assert.throws(() => pg14Decision('12', { old: '9.6', new: '14' }, PG_9_6_TO_14), /PG_VERSION of sentry-postgres is 12: neither the old server's \(9\.6\) nor the new one's \(14\) format/);
  const h = fakeEngine({ answer: pgAnswer('12') });
  await assert.rejects(pg14OneOff(h.engine).run(env('21.6.3', '23.6.2'), noop), /neither/);
  assert.ok(!h.calls.some((c) => c.label === 'postgres-9.6-to-14'), 'nothing was run on the data');
});

test('postgres 9.6 -> 14 scripts, run for real: the read finds the marks; the copy back replaces the directory and leaves only the reindex mark', () => {
  const root = mkdtempSync(join(tmpdir(), 'pg14-'));
  const from = join(root, 'from');
  const to = join(root, 'to');
  mkdirSync(from);
  mkdirSync(join(to, 'base'), { recursive: true });
  writeFileSync(join(from, 'PG_VERSION'), '14\n');
  writeFileSync(join(from, 'pg_hba.conf'), 'local all all trust\n');
  writeFileSync(join(to, 'PG_VERSION'), '9.6\n');
  writeFileSync(join(to, 'base', 'old'), 'x');
  const paths = (s: string) => s.replaceAll('/from', from).replaceAll('/to', to);
  assert.deepEqual(parseDirState(sh(readStateScript.replace('cd /db', `cd ${to}`))), { version: '9.6', copying: false, reindex: false });
  sh(paths(copyBackScript));
  assert.deepEqual(readdirSync(to).sort(), ['.sentry-onprem-reindex', 'PG_VERSION', 'pg_hba.conf']);
  assert.equal(readFileSync(join(to, 'pg_hba.conf'), 'utf8'), 'local all all trust\nhost all all all trust\n');
  assert.deepEqual(parseDirState(sh(readStateScript.replace('cd /db', `cd ${to}`))), { version: '14', copying: false, reindex: true });
  // Killed in the middle: the copying mark stays, and a second copy gives the same result.
  writeFileSync(join(to, '.sentry-onprem-pg-copy'), '');
  assert.equal(parseDirState(sh(readStateScript.replace('cd /db', `cd ${to}`))).copying, true);
  sh(paths(copyBackScript));
  assert.ok(!existsSync(join(to, '.sentry-onprem-pg-copy')));
  assert.equal(readFileSync(join(to, 'pg_hba.conf'), 'utf8'), 'local all all trust\nhost all all all trust\n');
  assert.equal(PG_9_6_TO_14.to, '14');
});

test("zookeeper log: copied from the old project's volume to the new one's, with compose's labels; undone by removing the new one", async () => {
  assert.equal(projectVolume('sentry_onpremise', 'sentry-zookeeper-log'), 'sentry_onpremise_sentry-zookeeper-log');
  assert.equal(projectVolume('sentry-self-hosted', 'sentry-zookeeper-log'), 'sentry-self-hosted_sentry-zookeeper-log');
  const f = fakeEngine({ volumes: ['sentry_onpremise_sentry-zookeeper-log'], answer: () => ({ exitCode: 0, output: 'sentry-onprem: copied 3 files (12K)\n' }) });
  const r = await zookeeperLogOneOff(f.engine).run(env('21.6.3', '23.6.2'), noop);
  assert.match(r.done!, /sentry_onpremise_sentry-zookeeper-log -> sentry-self-hosted_sentry-zookeeper-log: copied 3 files \(12K\); sentry_onpremise_sentry-zookeeper-log is kept/);
  assert.deepEqual(f.created, [
    {
      name: 'sentry-self-hosted_sentry-zookeeper-log',
      labels: { 'com.docker.compose.project': 'sentry-self-hosted', 'com.docker.compose.volume': 'sentry-zookeeper-log', 'io.sentry-onprem.dir': '/srv/sentry', 'io.sentry-onprem.tag': '23.6.2' },
    },
  ]);
  assert.deepEqual(f.calls[0].binds, ['sentry_onpremise_sentry-zookeeper-log:/from:ro', 'sentry-self-hosted_sentry-zookeeper-log:/to']);
  await r.undo!(noop);
  assert.deepEqual(f.removed, ['sentry-self-hosted_sentry-zookeeper-log']);
  assert.ok(f.volumes.has('sentry_onpremise_sentry-zookeeper-log'), 'the old volume must be kept');
});

test('zookeeper log: nothing to do when the project keeps its name or had no log volume; an existing new volume is not removed by the undo', async () => {
  const same = fakeEngine();
  assert.match((await zookeeperLogOneOff(same.engine).run(env('21.5.0', '21.6.3'), noop)).skipped!, /keeps its name sentry_onpremise/);
  assert.equal(same.calls.length, 0);
  const none = fakeEngine();
  assert.match((await zookeeperLogOneOff(none.engine).run(env('21.6.3', '23.6.2'), noop)).skipped!, /no volume sentry_onpremise_sentry-zookeeper-log: ZooKeeper starts from its snapshots/);
  const both = fakeEngine({ volumes: ['sentry_onpremise_sentry-zookeeper-log', 'sentry-self-hosted_sentry-zookeeper-log'] });
  const r = await zookeeperLogOneOff(both.engine).run(env('21.6.3', '23.6.2'), noop);
  assert.equal(r.undo, undefined);
  assert.deepEqual(both.created, []);
});

test('Compose of every hop is checked before the first: v1 only is refused at the start, exit 3, naming the hop and the v2 remedy', async () => {
  const p = planPath('9.1.2', '23.6.2');
  assert.equal(p.kind, 'ok');
  if (p.kind !== 'ok') return;
  const asked: string[] = [];
  const v1only = async (tag: string) => {
    asked.push(tag);
    if (tag === '23.6.2') throw new UserError('no Docker Compose of at least 2.0.1 found for Sentry 23.6.2', EXIT.prerequisite);
    return { argv: ['docker-compose'], v2: false, version: '1.29.2' };
  };
  await assert.rejects(refuseRoadCompose({ from: '9.1.2', hops: p.hops, skipCheck: [] }, v1only), (e: UserError) => {
    assert.equal(e.exitCode, EXIT.prerequisite);
    assert.match(e.message, /hop 3 of 3 \(21\.6\.3 -> 23\.6\.2\) needs Docker Compose 2\.0\.1 or newer as the v2 plugin/);
    assert.match(e.hint ?? '', /Install the Docker Compose v2 plugin .*Nothing was changed; Sentry 9\.1\.2 keeps running/);
    return true;
  });
  assert.deepEqual(asked, ['21.5.0', '21.6.3', '23.6.2']);
  await refuseRoadCompose({ from: '9.1.2', hops: p.hops, skipCheck: [] }, async () => ({ argv: ['docker', 'compose'], v2: true, version: '2.40.3' }));
});

test('a failed middle hop names the hops done and how to go on', () => {
  const done = { ...newHopDone(), backup: { dir: '/srv/b' } as never, oldStackStopped: true, databaseChanged: true, failedStep: 'Run the 21.6.3 database migrations' };
  const e = failureReport({
    hop: { from: '21.5.0', to: '21.6.3', oneOffs: [] },
    error: new Error('injected'),
    done,
    rollback: { problems: [], database: 'restored', restarted: true, health: 'healthy over https' },
    cancelled: false,
    log: '/srv/log',
    ms: 1,
    road: { done: [{ from: '9.1.2', to: '21.5.0', oneOffs: [] }], target: '23.6.2', dir: '/srv/sentry' },
  });
  assert.match(e.message, /Upgrade road to 23\.6\.2: hops done: 9\.1\.2 -> 21\.5\.0; not done: 21\.5\.0 -> 21\.6\.3 and the hops after it\. Sentry 21\.5\.0 is the installed release; `sentry-onprem upgrade --tag 23\.6\.2 --dir \/srv\/sentry` continues from there/);
  const single = failureReport({ hop: { from: '9.1.2', to: '20.7.0', oneOffs: [] }, error: new Error('x'), done: newHopDone(), cancelled: false, log: 'l', ms: 1, road: { done: [], target: '20.7.0', dir: '/d' } });
  assert.match(single.message, /Nothing was changed: Sentry 9\.1\.2 keeps running\.$/);
});

test('the 21.6.3 -> 23.6.2 disk guard: about three times the PostgreSQL data at the worst moment (old, scratch copy, rebuilt indexes)', () => {
  const now = {
    databaseBytes: 100,
    volumeBytes: { 'sentry-postgres': 1000 },
    volumesFree: { ok: true, path: '/var/lib/docker', bytes: 2500, device: 1 },
    backupsFree: { ok: true, path: '/srv', bytes: 2500, device: 1 },
    notes: [],
  } as never;
  const d = hopDisk({ copies: ARRIVALS['23.6.2']!.copies!, withDatabaseBackup: true, now });
  assert.equal(d.places[0].needed, 100 + 2 * 1000);
  assert.equal(d.short, undefined);
  const tight = hopDisk({ copies: ARRIVALS['23.6.2']!.copies!, withDatabaseBackup: true, now: { ...(now as object), volumesFree: { ok: true, path: '/var/lib/docker', bytes: 1500, device: 1 }, backupsFree: { ok: true, path: '/srv', bytes: 1500, device: 1 } } as never });
  assert.equal(tight.short?.by, 600);
});

test('TSDB switchover from 9.1.2: decided once, written into sentry.conf.py exactly as the 21.x/23.6.2 templates render it; undone', async () => {
  const { answersSchema } = await import('../../src/answers/schema.js');
  const { buildView } = await import('../../src/render/view.js');
  const { renderFiles } = await import('../../src/render/files.js');
  const { fullAnswers } = await import('../helpers/cli.js');
  const { tsdbSwitchoverOneOff, optionLines, readSwitchover, withSwitchover, SWITCHOVER_FILE } = await import('../../src/upgrade/one-offs/tsdb.js');
  assert.ok(planPath('9.1.2', '21.5.0').kind === 'ok');
  const p = planPath('9.1.2', '21.5.0');
  if (p.kind === 'ok') assert.ok(p.hops[0].oneOffs.includes('tsdb-switchover'));
  const q = planPath('20.7.0', '21.5.0');
  if (q.kind === 'ok') assert.ok(!q.hops[0].oneOffs.includes('tsdb-switchover'), '20.7.0 reads Snuba already');

  const dir = mkdtempSync(join(tmpdir(), 'tsdb-'));
  const conf = (tag: '21.5.0' | '21.6.3' | '23.6.2', tsdbOptions?: string) => {
    const a = answersSchema.parse({ ...fullAnswers(tag), tag, images: { registry: '' } }) as Answers;
    return renderFiles(buildView(a, 'k'.repeat(50), dir, {}, { tsdbOptions })).find((f) => f.path === 'sentry/sentry.conf.py')!.content;
  };
  const plain = conf('21.5.0');
  mkdirSync(join(dir, 'sentry'));
  mkdirSync(join(dir, '.sentry-onprem/rendered/sentry'), { recursive: true });
  writeFileSync(join(dir, 'sentry/sentry.conf.py'), plain, { mode: 0o600 });
  writeFileSync(join(dir, '.sentry-onprem/rendered/sentry/sentry.conf.py'), plain);
  const step = tsdbSwitchoverOneOff(() => new Date('2026-12-07T00:00:00Z'));
  const r = await step.run({ ...env('9.1.2', '21.5.0'), dir }, noop);
  assert.equal(r.done, 'Redis TSDB read until 2027-03-07, Snuba after');
  const s = readSwitchover(dir)!;
  assert.equal(s.switchoverTimestamp, Date.parse('2026-12-07T00:00:00Z') / 1000 + 90 * 24 * 3600);
  const patched = readFileSync(join(dir, 'sentry/sentry.conf.py'), 'utf8');
  assert.ok(patched.includes(`\nSENTRY_TSDB_OPTIONS = {"switchover_timestamp": ${s.switchoverTimestamp}}\n`));
  for (const tag of ['21.5.0', '21.6.3', '23.6.2'] as const) {
    const rendered = conf(tag, optionLines(s));
    assert.equal(rendered, withSwitchover(conf(tag), s), `${tag}: the template and the step write the same lines`);
    assert.match(rendered, /SENTRY_TSDB_OPTIONS/);
  }
  assert.equal(patched, conf('21.5.0', optionLines(s)), 'the next render finds the file as it renders it: no change, no conflict');
  assert.equal(readFileSync(join(dir, '.sentry-onprem/rendered/sentry/sentry.conf.py'), 'utf8'), patched);
  // Again: the time is not decided anew, the file not written twice.
  const again = await tsdbSwitchoverOneOff(() => new Date('2027-01-01T00:00:00Z')).run({ ...env('9.1.2', '21.5.0'), dir }, noop);
  assert.match(again.done!, /until 2027-03-07.*had it already/);
  assert.equal(again.undo, undefined);
  await r.undo!(noop);
  assert.ok(!existsSync(join(dir, SWITCHOVER_FILE)));
});

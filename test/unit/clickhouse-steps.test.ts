/**
 * The ClickHouse step-by-step one-off against a fake engine that refuses a skipped version step the way a real
 * server does: the chain for the version found, the copy before the first step, resume from the record after a
 * kill, the undo, the skip for other versions or no data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CLICKHOUSE_21_8_TO_23_3, CLICKHOUSE_23_8_TO_24_8, RECORD, clickhousePlan, runClickhouseSteps, type ClickhouseEngine,
} from '../../src/upgrade/one-offs/clickhouse-steps.js';
import { ONE_OFFS } from '../../src/upgrade/one-offs/index.js';
import { oneOffsFor } from '../../src/upgrade/hops.js';

const STEPS = ['19.17', '20.3', '21.8', '22.8', '23.3', '23.8', '24.8', '25.3'];
const minor = (v: string) => v.split('.').slice(0, 2).join('.');

/** Volumes as maps of files; the server "converts" data by stamping its version, refusing a skipped step. */
function fakeEngine(initial: string | undefined, opts: { failAt?: string } = {}) {
  const vols = new Map<string, Map<string, string>>();
  if (initial) vols.set('ch', new Map([['stamp', initial]]));
  const calls: string[] = [];
  const e: ClickhouseEngine = {
    async readFile(s, n) { return vols.get(s)?.get(n); },
    async appendLine(s, n, l) { const v = vols.get(s)!; v.set(n, `${v.get(n) ?? ''}${l}\n`); },
    async serverVersion(image, s) {
      const version = image.split(':')[1];
      calls.push(`start ${version}`);
      if (opts.failAt === version) return { log: 'simulated crash' };
      const v = vols.get(s)!;
      const written = v.get('stamp')!;
      const gap = STEPS.indexOf(minor(version)) - STEPS.indexOf(minor(written));
      if (gap < 0 || gap > 1) return { log: `Code: 722. Cannot start ClickHouse ${version} on data last written by ${written}` };
      v.set('stamp', version);
      return { version, log: '' };
    },
    async isCompleteCopy(c) { return vols.get(c)?.get('complete') === 'yes'; },
    async copy(s, c) { calls.push(`copy ${s} ${c}`); vols.set(c, new Map([...vols.get(s)!, ['complete', 'yes']])); },
    async restore(c, s) { calls.push(`restore ${c} ${s}`); const m = new Map(vols.get(c)!); m.delete('complete'); vols.set(s, m); },
    async remove(c) { calls.push(`remove ${c}`); vols.delete(c); },
    async ensureImage() {},
    async hasData(s) { return vols.has(s); },
  };
  return { e, vols, calls };
}

const input = { id: 'clickhouse-21.8-to-23.3', chain: CLICKHOUSE_21_8_TO_23_3, fromImage: 'altinity/clickhouse-server:21.8.13.1.altinitystable', source: 'ch', copy: 'ch.before-24.8.0', registry: { registry: '' } } as const;
const say = () => undefined;

test('21.8 data: copy first, then 22.8 and 23.3 started on it in order, each recorded; the undo puts the copy back; finish drops it', async () => {
  const f = fakeEngine('21.8.13.1.altinitystable');
  const r = await runClickhouseSteps(input, f.e, say);
  assert.match(r.done!, /21\.8\.13\.1\.altinitystable -> 22\.8\.15\.25\.altinitystable -> 23\.3\.19\.33\.altinitystable/);
  assert.deepEqual(f.calls, ['start 21.8.13.1.altinitystable', 'copy ch ch.before-24.8.0', 'start 22.8.15.25.altinitystable', 'start 23.3.19.33.altinitystable']);
  assert.equal(f.vols.get('ch')!.get('stamp'), '23.3.19.33.altinitystable');
  assert.equal(f.vols.get('ch')!.get(RECORD), '22.8.15.25.altinitystable\n23.3.19.33.altinitystable\n');
  // 24.8.0's own 23.8 may start on it now (one step), and a 23.8 start on the 21.8 copy would have been refused.
  assert.equal((await f.e.serverVersion('x:23.8.11.29.altinitystable', 'ch.before-24.8.0')).version, undefined);
  await r.undo!(say);
  assert.equal(f.vols.get('ch')!.get('stamp'), '21.8.13.1.altinitystable');
  assert.equal(f.vols.get('ch')!.has(RECORD), false);
  await r.finish!();
  assert.equal(f.vols.has('ch.before-24.8.0'), false);
});

test('a run killed after 22.8 resumes from the record: no second copy, no new start of the old release, only 23.3', async () => {
  const f = fakeEngine('21.8.13.1.altinitystable', { failAt: '23.3.19.33.altinitystable' });
  await assert.rejects(runClickhouseSteps(input, f.e, say), /ClickHouse 23\.3\.19\.33\.altinitystable did not start on the data \(no answer\): simulated crash/);
  assert.equal(f.vols.get('ch')!.get(RECORD), '22.8.15.25.altinitystable\n');
  const again = fakeEngine(undefined);
  again.vols.set('ch', f.vols.get('ch')!);
  again.vols.set('ch.before-24.8.0', f.vols.get('ch.before-24.8.0')!);
  const r = await runClickhouseSteps(input, again.e, say);
  assert.deepEqual(again.calls, ['start 23.3.19.33.altinitystable']);
  assert.match(r.done!, /22\.8\.15\.25\.altinitystable -> 23\.3\.19\.33\.altinitystable/);
  assert.ok(r.undo, 'the copy of the first run is the undo');
  // A third run: every step recorded, nothing started.
  const third = fakeEngine(undefined);
  third.vols.set('ch', again.vols.get('ch')!);
  const r3 = await runClickhouseSteps(input, third.e, say);
  assert.deepEqual(third.calls, []);
  assert.match(r3.done!, /23\.3\.19\.33/);
});

test('data at another version (already 23.8, or 20.3) or no data: nothing started beyond the version check, nothing copied', async () => {
  for (const v of ['23.8.11.29.altinitystable', '20.3.9.70']) {
    const f = fakeEngine(v);
    const r = await runClickhouseSteps({ ...input, fromImage: `x:${v}` }, f.e, say);
    assert.match(r.skipped!, new RegExp(`data at ${v.replace(/\./g, '\\.')}: no step`));
    assert.deepEqual(f.calls, [`start ${v}`]);
  }
  const none = fakeEngine(undefined);
  assert.deepEqual(await runClickhouseSteps(input, none.e, say), { skipped: 'no ClickHouse data yet' });
  assert.deepEqual(none.calls, []);
});

test('the old server refusing its own data stops the hop before any copy or step, naming the server log', async () => {
  const f = fakeEngine('25.3.6.10034.altinitystable');
  await assert.rejects(runClickhouseSteps(input, f.e, say), /did not start on its data: Code: 722/);
  assert.deepEqual(f.calls, ['start 21.8.13.1.altinitystable']);
});

test('plans: 23.8 -> 24.8 (the 26.5.1 hop); 24.8.0 arrives with the 21.8 chain; the steps are the one-off images, through the registry', async () => {
  assert.deepEqual(clickhousePlan(CLICKHOUSE_23_8_TO_24_8, { version: '23.8.11.29.altinitystable', recorded: [] }).steps, ['altinity/clickhouse-server:24.8.14.10459.altinitystable']);
  assert.deepEqual(clickhousePlan(CLICKHOUSE_21_8_TO_23_3, { version: '21.8.12.29.altinitydev.arm', recorded: [] }).steps, CLICKHOUSE_21_8_TO_23_3.steps);
  const images = ONE_OFFS['clickhouse-21.8-to-23.3'].images!({ images: { registry: 'mirror.example:5000' } } as never);
  assert.deepEqual(images, ['mirror.example:5000/altinity/clickhouse-server:22.8.15.25.altinitystable', 'mirror.example:5000/altinity/clickhouse-server:23.3.19.33.altinitystable']);
  assert.deepEqual(oneOffsFor('23.11.0', '24.8.0')[0], 'clickhouse-21.8-to-23.3');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HARD_STOPS, SUPPORTED_TAGS } from '../../src/catalog.js';
import { formatPath, hopTags, planPath, OFFICIAL_RULES, type PathRules } from '../../src/upgrade/plan-path.js';
import { oneOffsFor } from '../../src/upgrade/hops.js';
import { OFFICIAL_TAGS } from '../../src/upgrade/known-tags.js';

const STOPS = ['9.1.2', '21.5.0', '21.6.3', '23.6.2', '23.11.0', '24.8.0', '25.5.1', '26.5.1'];

/** The official rules, but as if this tool could install every official release (to test the path alone). */
const ALL: PathRules = {
  ...OFFICIAL_RULES,
  supported: OFFICIAL_TAGS,
  arrivals: Object.fromEntries(OFFICIAL_TAGS.map((t) => [t, { from: '9.1.2', oneOffs: [] }])),
};

test('the hard stops are the official ones, in order, and every one is an official tag', () => {
  assert.deepEqual(HARD_STOPS, STOPS);
  for (const s of STOPS) assert.ok(OFFICIAL_TAGS.includes(s), s);
});

test('9.1.2 -> 20.7.0 is one supported hop with the file-storage move and the postgres check', () => {
  const p = planPath('9.1.2', '20.7.0');
  assert.equal(p.kind, 'ok');
  if (p.kind !== 'ok') return;
  assert.deepEqual(p.path, ['9.1.2', '20.7.0']);
  assert.deepEqual(p.hops, [{ from: '9.1.2', to: '20.7.0', oneOffs: ['file-storage-to-data-files', 'postgres-9.5-to-9.6'] }]);
});

test('from 9.1.2 to each hard stop: every earlier stop is a hop, none is skipped', () => {
  for (let k = 1; k < STOPS.length; k++) {
    const p = planPath('9.1.2', STOPS[k], ALL);
    assert.equal(p.kind, 'ok', STOPS[k]);
    if (p.kind === 'ok') {
      assert.deepEqual(p.path, STOPS.slice(0, k + 1), `to ${STOPS[k]}`);
      assert.equal(p.hops.length, k);
      for (const [i, h] of p.hops.entries()) assert.deepEqual([h.from, h.to], [STOPS[i], STOPS[i + 1]]);
    }
  }
});

test('past the last hard stop: every stop, then the target', () => {
  const p = planPath('9.1.2', '26.8.0', ALL);
  assert.equal(p.kind, 'ok');
  if (p.kind === 'ok') assert.deepEqual(p.path, [...STOPS, '26.8.0']);
});

test('from each hard stop: the next stop is one hop; one release past it needs the stop first', () => {
  for (let k = 0; k + 1 < STOPS.length; k++) {
    assert.deepEqual(hopTags(STOPS[k], STOPS[k + 1], HARD_STOPS), [STOPS[k], STOPS[k + 1]]);
    const after = OFFICIAL_TAGS[OFFICIAL_TAGS.indexOf(STOPS[k + 1]) + 1];
    assert.deepEqual(hopTags(STOPS[k], after, HARD_STOPS), [STOPS[k], STOPS[k + 1], after], `${STOPS[k]} -> ${after}`);
  }
});

test('between two stops no extra hop; a release just before a stop goes straight to it', () => {
  assert.deepEqual(hopTags('21.6.3', '23.6.1', HARD_STOPS), ['21.6.3', '23.6.1']);
  assert.deepEqual(hopTags('21.5.1', '21.6.3', HARD_STOPS), ['21.5.1', '21.6.3']);
  assert.deepEqual(hopTags('20.7.0', '23.11.0', HARD_STOPS), ['20.7.0', '21.5.0', '21.6.3', '23.6.2', '23.11.0']);
  assert.deepEqual(hopTags('23.6.2', '24.8.0', HARD_STOPS), ['23.6.2', '23.11.0', '24.8.0']);
  // compared as versions, not strings: 9 < 10 < 20
  assert.deepEqual(hopTags('9.1.2', '10.0.1', HARD_STOPS), ['9.1.2', '10.0.1']);
});

test('same tag: nothing to do', () => {
  for (const t of SUPPORTED_TAGS) assert.deepEqual(planPath(t, t), { kind: 'same', path: [t] });
});

test('downgrade is refused with the path and a way back', () => {
  const p = planPath('20.7.0', '9.1.2');
  assert.equal(p.kind, 'refused');
  if (p.kind !== 'refused') return;
  assert.equal(p.reason, 'downgrade');
  assert.deepEqual(p.path, ['20.7.0', '9.1.2']);
  assert.match(p.message, /downgrade/);
  assert.match(p.hint, /restore/);
  assert.equal(planPath('26.5.1', '26.5.0', ALL).kind, 'refused');
});

test('unknown tags are refused before any other rule', () => {
  for (const t of ['20.7.3', '9.1.3', 'latest', '', '20.7', '20.7.0.1', 'v20.7.0', '99.1.0', '8.22.0', ' 20.7.0']) {
    const p = planPath('9.1.2', t);
    assert.equal(p.kind, 'refused', JSON.stringify(t));
    if (p.kind === 'refused') {
      assert.equal(p.reason, 'unknown-tag', JSON.stringify(t));
      assert.deepEqual(p.missing, [t]);
    }
  }
  // unknown even when it would be a downgrade
  const d = planPath('20.7.0', '1.0.0');
  assert.equal(d.kind === 'refused' && d.reason, 'unknown-tag');
});

test('the road past 24.8.0: refused with the full path and the hops this version cannot run yet', () => {
  const p = planPath('9.1.2', '26.8.0');
  assert.equal(p.kind, 'refused');
  if (p.kind !== 'refused') return;
  assert.equal(p.reason, 'unsupported');
  assert.deepEqual(p.path, ['9.1.2', '21.5.0', '21.6.3', '23.6.2', '23.11.0', '24.8.0', '25.5.1', '26.5.1', '26.8.0']);
  assert.deepEqual(p.missing, [], 'every release on the road is one this tool installs');
  assert.match(p.message, /-> 26\.8\.0 needs 24\.8\.0 -> 25\.5\.1, 25\.5\.1 -> 26\.5\.1, 26\.5\.1 -> 26\.8\.0, which/);
  assert.doesNotMatch(p.message, /needs .*(9\.1\.2 -> 21\.5\.0|21\.5\.0 -> 21\.6\.3|21\.6\.3 -> 23\.6\.2|23\.6\.2 -> 23\.11\.0|23\.11\.0 -> 24\.8\.0)/, 'the hops that run are not named as missing');
});

test('an official release this tool does not carry, without a stop in between', () => {
  const p = planPath('9.1.2', '20.7.1');
  assert.equal(p.kind === 'refused' && p.reason, 'unsupported');
  if (p.kind === 'refused') assert.deepEqual([p.path, p.missing], [['9.1.2', '20.7.1'], ['20.7.1']]);
  const q = planPath('20.7.0', '21.6.1');
  assert.equal(q.kind === 'refused' && q.reason, 'unsupported');
  if (q.kind === 'refused') assert.deepEqual([q.path, q.missing], [['20.7.0', '21.5.0', '21.6.1'], ['21.6.1']]);
});

test('a supported pair without an arrival entry, or from too old a release, is not a hop', () => {
  const noArrival: PathRules = { ...OFFICIAL_RULES, arrivals: {} };
  assert.equal(planPath('9.1.2', '20.7.0', noArrival).kind, 'refused');
  const tooOld: PathRules = { ...OFFICIAL_RULES, arrivals: { '20.7.0': { from: '10.0.0', oneOffs: [] } } };
  const p = planPath('9.1.2', '20.7.0', tooOld);
  assert.equal(p.kind === 'refused' && p.reason, 'unsupported');
});

test('adding a release is adding data: 21.5.0 and 21.6.3 supported make 9.1.2 -> 21.6.3 two hops', () => {
  const more: PathRules = {
    ...OFFICIAL_RULES,
    supported: [...SUPPORTED_TAGS, '21.5.0', '21.6.3'],
    arrivals: {
      ...OFFICIAL_RULES.arrivals,
      '21.5.0': { from: '9.1.2', oneOffs: [{ id: 'file-storage-to-data-files', onlyFromBefore: '10.0.0' }] },
      '21.6.3': { from: '21.5.0', oneOffs: [] },
    },
  };
  const p = planPath('9.1.2', '21.6.3', more);
  assert.equal(p.kind, 'ok');
  if (p.kind === 'ok') assert.deepEqual(p.hops, [
    { from: '9.1.2', to: '21.5.0', oneOffs: ['file-storage-to-data-files'] },
    { from: '21.5.0', to: '21.6.3', oneOffs: [] },
  ]);
  const q = planPath('20.7.0', '21.5.0', more);
  assert.equal(q.kind, 'ok');
  if (q.kind === 'ok') assert.deepEqual(q.hops[0].oneOffs, [], 'the file-storage move is only for hops from before 10.0.0');
});

test('a hop whose official one-off work is not implemented is refused, and the work is named', () => {
  // 23.6.2 and 24.8.0: their one-off steps (PostgreSQL 9.6 -> 14, ClickHouse one version at a time, KRaft) run.
  const p = planPath('21.6.3', '23.6.2');
  assert.equal(p.kind, 'ok');
  if (p.kind === 'ok') assert.deepEqual(p.hops, [{ from: '21.6.3', to: '23.6.2', oneOffs: ['zookeeper-log-volume', 'postgres-9.6-to-14'] }]);
  const q = planPath('23.11.0', '24.8.0');
  assert.equal(q.kind, 'ok');
  if (q.kind === 'ok') assert.deepEqual(q.hops, [{ from: '23.11.0', to: '24.8.0', oneOffs: ['clickhouse-21.8-to-23.3', 'kafka-zookeeper-to-kraft'] }]);
  // The same hop with work left undone in its release data is refused, and the work is named.
  const undone: PathRules = { ...OFFICIAL_RULES, arrivals: { ...OFFICIAL_RULES.arrivals, '24.8.0': { from: '23.11.0', oneOffs: [], unimplemented: ['ClickHouse data 21.8 -> 23.8'] } } };
  const r = planPath('23.11.0', '24.8.0', undone);
  assert.equal(r.kind === 'refused' && r.reason, 'unsupported');
  if (r.kind === 'refused') assert.match(r.message, /23\.11\.0 -> 24\.8\.0: ClickHouse data 21\.8 -> 23\.8/);
});

/** The official rules with the hops that wait only for their end-to-end run taken as run. */
const PROVEN: PathRules = {
  ...OFFICIAL_RULES,
  arrivals: Object.fromEntries(
    Object.entries(OFFICIAL_RULES.arrivals).flatMap(([t, a]) => (a ? [[t, { ...a, unimplemented: (a.unimplemented ?? []).filter((w) => !/^an end-to-end run/.test(w)) }]] : [])),
  ),
};

test('every hop from 9.1.2 and 20.7.0 to 24.8.0 has run end to end and plans; the hop into 25.5.1 is refused and says why', () => {
  for (const from of ['9.1.2', '20.7.0']) {
    const p = planPath(from, '24.8.0');
    assert.equal(p.kind, 'ok', `${from} -> 24.8.0: ${p.kind === 'refused' ? p.message : ''}`);
    if (p.kind === 'ok') assert.deepEqual(p.path, [from, '21.5.0', '21.6.3', '23.6.2', '23.11.0', '24.8.0']);
  }
  const next = planPath('24.8.0', '25.5.1');
  assert.equal(next.kind === 'refused' && next.reason, 'unsupported');
  if (next.kind === 'refused') assert.match(next.message, /needs 24\.8\.0 -> 25\.5\.1, which this version of sentry-onprem cannot run yet; not implemented yet: 24\.8\.0 -> 25\.5\.1: no upgrade into Sentry 25\.5\.1 is described yet \(its release data has no arrival\)/);
});

test('23.6.2 -> 23.11.0 is one hop without one-off work (ClickHouse 20.3 -> 21.8 is the base image of its local build), run now', () => {
  const p = planPath('23.6.2', '23.11.0');
  assert.equal(p.kind, 'ok');
  if (p.kind === 'ok') assert.deepEqual(p.hops, [{ from: '23.6.2', to: '23.11.0', oneOffs: [] }]);
  const q = planPath('23.6.2', '24.8.0');
  assert.equal(q.kind, 'ok', 'the road from 23.6.2 to 24.8.0 is two hops');
  const r = planPath('23.6.2', '25.5.1', PROVEN);
  assert.equal(r.kind === 'refused' && r.reason, 'unsupported', 'the hop to 25.5.1 is not described');
});

test('one-offs by source release', () => {
  assert.deepEqual(oneOffsFor('9.1.2', '20.7.0'), ['file-storage-to-data-files', 'postgres-9.5-to-9.6']);
  assert.deepEqual(oneOffsFor('10.0.0', '20.7.0'), ['postgres-9.5-to-9.6']);
  assert.deepEqual(oneOffsFor('9.1.2', '9.1.2'), []);
});

test('21.5.0 is one hop from 9.1.2 (file store move, Postgres 9.5 -> 9.6, the TSDB switchover) and from 20.7.0 (whose Postgres is 9.6 already: that step finds nothing to do)', () => {
  const p = planPath('9.1.2', '21.5.0', PROVEN);
  assert.equal(p.kind, 'ok');
  if (p.kind === 'ok') assert.deepEqual(p.hops, [{ from: '9.1.2', to: '21.5.0', oneOffs: ['file-storage-to-data-files', 'postgres-9.5-to-9.6', 'tsdb-switchover'] }]);
  const q = planPath('20.7.0', '21.5.0', PROVEN);
  assert.equal(q.kind, 'ok');
  if (q.kind === 'ok') assert.deepEqual(q.hops, [{ from: '20.7.0', to: '21.5.0', oneOffs: ['postgres-9.5-to-9.6'] }]);
});

test('21.6.3 is one hop from 21.5.0 only: from 9.1.2 or 20.7.0 the path stops at 21.5.0 first', () => {
  const p = planPath('9.1.2', '21.6.3', PROVEN);
  assert.equal(p.kind, 'ok');
  if (p.kind === 'ok') assert.deepEqual(p.hops, [
    { from: '9.1.2', to: '21.5.0', oneOffs: ['file-storage-to-data-files', 'postgres-9.5-to-9.6', 'tsdb-switchover'] },
    { from: '21.5.0', to: '21.6.3', oneOffs: [] },
  ]);
  const q = planPath('20.7.0', '21.6.3', PROVEN);
  assert.equal(q.kind, 'ok');
  if (q.kind === 'ok') assert.deepEqual(q.path, ['20.7.0', '21.5.0', '21.6.3']);
});

test('formatPath marks stops and releases not supported yet', () => {
  assert.equal(formatPath(['9.1.2', '20.7.0']), '9.1.2 -> 20.7.0');
  assert.equal(formatPath(['20.7.0', '21.5.0', '21.6.3']), '20.7.0 -> 21.5.0 (hard stop) -> 21.6.3');
  assert.equal(formatPath(['21.6.3', '23.6.2', '23.11.0']), '21.6.3 -> 23.6.2 (hard stop) -> 23.11.0');
  assert.equal(formatPath(['24.8.0', '25.5.1', '26.0.0']), '24.8.0 -> 25.5.1 (hard stop) -> 26.0.0 (not supported yet)');
});

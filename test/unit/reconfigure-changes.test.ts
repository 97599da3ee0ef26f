import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeContainerChanges } from '../../src/commands/reconfigure.js';

const snap = (rows: Array<[string, string, string]>) => new Map(rows.map(([s, id, at]) => [s, { id, startedAt: at }]));

test('reconfigure names recreated, restarted and untouched services', () => {
  const before = snap([['web', 'a', 't1'], ['worker', 'b', 't1'], ['postgres', 'c', 't1'], ['old', 'd', 't1']]);
  const after = snap([['web', 'a2', 't2'], ['worker', 'b', 't2'], ['postgres', 'c', 't1'], ['new', 'e', 't2']]);
  const r = describeContainerChanges(before, after);
  assert.equal(r.changed, true);
  assert.deepEqual(r.lines, ['recreated: web', 'restarted: worker', 'created: new', 'removed: old', 'untouched: postgres']);
});

test('reconfigure says nothing changed when every container kept its id and start time', () => {
  const s = snap([['web', 'a', 't1'], ['postgres', 'c', 't1']]);
  assert.equal(describeContainerChanges(s, snap([['web', 'a', 't1'], ['postgres', 'c', 't1']])).changed, false);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { minimumsFor } from '../../src/catalog.js';
import { decideCpu } from '../../checks/cpu.js';

test('releases without a CPU minimum pass with any count and say so', () => {
  const v = decideCpu(1, minimumsFor('20.7.0').cpus, '20.7.0');
  assert.equal(v.status, 'pass');
  assert.equal(v.required, 'no CPU minimum for 20.7.0');
});

test('exactly the minimum passes, one under fails (21.2.0 needs 2)', () => {
  const min = minimumsFor('21.2.0').cpus;
  assert.equal(min, 2);
  assert.equal(decideCpu(2, min, '21.2.0').status, 'pass');
  const v = decideCpu(1, min, '21.2.0');
  assert.equal(v.status, 'fail');
  assert.equal(v.found, '1 CPU');
  assert.match(v.remedy!, /at least 2 CPUs/);
});

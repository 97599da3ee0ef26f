import { test } from 'node:test';
import assert from 'node:assert/strict';
import { minimumsFor } from '../../src/catalog.js';
import { decideMemory } from '../../checks/memory.js';

const MB = 1024 * 1024;

for (const tag of ['9.1.2', '20.7.0']) {
  const min = minimumsFor(tag);
  const bytes = (mb: number) => Math.ceil(mb * MB);

  test(`${tag}: exactly the minimum (${min.ramMb} MB) passes`, () => {
    assert.equal(decideMemory(bytes(min.ramMb), min).status, 'pass');
  });
  test(`${tag}: 1 MB under is a warning that says it is within the tolerance`, () => {
    const v = decideMemory(bytes(min.ramMb - 1), min);
    assert.equal(v.status, 'warn');
    assert.match(v.found, /1 MB \(< 0\.1 %\) under the minimum, within the 5 % tolerance/);
    assert.ok(v.remedy);
  });
  test(`${tag}: 1 byte under is still a warning, not a pass`, () => {
    assert.equal(decideMemory(min.ramMb * MB - 1, min).status, 'warn');
  });
  test(`${tag}: 5 % under is a warning`, () => {
    assert.equal(decideMemory(bytes(min.ramMb * 0.95), min).status, 'warn');
  });
  test(`${tag}: 6 % under fails and names the minimum`, () => {
    const v = decideMemory(bytes(min.ramMb * 0.94), min);
    assert.equal(v.status, 'fail');
    assert.match(v.found, /under the minimum/);
    assert.match(v.remedy!, new RegExp(`${min.ramMb} MB`));
  });
  test(`${tag}: just over 5 % under fails`, () => {
    assert.equal(decideMemory(Math.ceil(min.ramMb * 0.95 * MB) - MB, min).status, 'fail');
  });
}

test('the 11 MB case of getsentry/self-hosted#1711 (3789 of 3800 MB) is a warning, not a failure', () => {
  assert.equal(decideMemory(3789 * MB, { ramMb: 3800 }).status, 'warn');
});

test('under the recommended (soft) minimum but over the hard one warns', () => {
  const v = decideMemory(5000 * MB, { ramMb: 3800, ramSoftMb: 7800 });
  assert.equal(v.status, 'warn');
  assert.match(v.found, /recommended 7800 MB/);
});

test('reports the bytes the engine gave, for scripts', () => {
  assert.deepEqual(decideMemory(25276502016, minimumsFor('20.7.0')).data, { memTotalBytes: 25276502016, minimumMb: 2400 });
});

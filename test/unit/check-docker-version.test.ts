import { test } from 'node:test';
import assert from 'node:assert/strict';
import { minimumsFor } from '../../src/catalog.js';
import { decideDockerVersion } from '../../checks/docker-version.js';

test('minimums per tag are the official ones (Compose for 9.1.2 raised to what this tool runs, with the reason)', () => {
  assert.deepEqual([minimumsFor('9.1.2').docker, minimumsFor('9.1.2').compose, minimumsFor('9.1.2').ramMb], ['17.05.0', '1.23.0', 3072]);
  assert.match(minimumsFor('9.1.2').composeWhy!, /config --hash.*1\.23\.0.*1\.17\.0/);
  assert.deepEqual([minimumsFor('20.7.0').docker, minimumsFor('20.7.0').compose, minimumsFor('20.7.0').ramMb], ['17.05.0', '1.23.0', 2400]);
  assert.equal(minimumsFor('20.7.0').sse42, true);
  assert.equal(minimumsFor('9.1.2').sse42, false);
});

test('exactly the minimum passes, in the forms engines print it', () => {
  assert.equal(decideDockerVersion('17.05.0', '17.05.0').status, 'pass');
  assert.equal(decideDockerVersion('17.05.0-ce', '17.05.0').status, 'pass');
  assert.equal(decideDockerVersion('20.10.24+dfsg1', '17.05.0').status, 'pass');
  assert.equal(decideDockerVersion('19.03.6', '19.03.6').status, 'pass');
});

test('one patch under fails and says what to install', () => {
  const v = decideDockerVersion('17.04.9', '17.05.0');
  assert.equal(v.status, 'fail');
  assert.equal(v.remedy, 'Upgrade Docker Engine to 17.05.0 or newer.');
  assert.equal(decideDockerVersion('19.03.5', '19.03.6').status, 'fail');
});

test('a release candidate of the minimum is not the minimum', () => {
  assert.equal(decideDockerVersion('17.05.0-ce-rc1', '17.05.0').status, 'fail');
});

test('a version that is not a release number warns instead of guessing', () => {
  assert.equal(decideDockerVersion('dev', '17.05.0').status, 'warn');
});

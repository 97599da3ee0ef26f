import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toSemver } from '../../src/engine/parse-version.js';

const cases: Array<[string, string | null]> = [
  ['20.10.24+dfsg1', '20.10.24'], // Debian's docker.io
  ['28.2.2', '28.2.2'],
  ['17.05.0-ce', '17.5.0'], // an edition, not a pre-release
  ['17.05.0-ce-rc1', '17.5.0-rc1'],
  ['19.03.8', '19.3.8'],
  ['26.1.3-1', '26.1.3'], // distro revision
  ['24.0.7-0ubuntu2~22.04.1', '24.0.7'],
  ['v2.0.0-rc.3', '2.0.0-rc.3'],
  ['1.25.0-rc4', '1.25.0-rc4'],
  ['2.0.0-beta.6', '2.0.0-beta.6'],
  ['20.10', '20.10.0'],
  ['dev', null],
  ['', null],
];

for (const [input, expected] of cases) {
  test(`toSemver(${JSON.stringify(input)}) = ${expected}`, () => assert.equal(toSemver(input), expected));
}

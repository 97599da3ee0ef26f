import { test } from 'node:test';
import assert from 'node:assert/strict';
import semver from 'semver';
import { compareSemver, semverGte, toSemver } from '../../src/engine/parse-version.js';

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

// The comparison the checks use, against the semver package (the reference implementation) over every
// pair drawn from versions the tools print and the edges of semver's pre-release rules.
test('semverGte and compareSemver agree with the semver package on every pair', () => {
  const versions = [
    '0.0.0', '1.17.0', '1.23.0', '1.29.2', '2.0.0', '2.0.0-rc.1', '2.0.0-rc.3', '2.0.0-rc.10', '2.0.0-beta', '2.0.0-beta.2',
    '2.0.0-alpha', '2.0.0-alpha.1', '2.0.0-alpha.beta', '2.0.0-1', '2.0.0-2', '2.0.0-10', '2.0.1', '2.5.0', '2.10.0',
    '2.24.6', '2.26.1', '17.5.0', '18.9.0', '19.3.0', '20.10.24', '20.10.5', '24.0.0-dev',
  ];
  let compared = 0;
  for (const a of versions) {
    for (const b of versions) {
      assert.equal(compareSemver(a, b), semver.compare(a, b), `${a} vs ${b}`);
      assert.equal(semverGte(a, b), semver.gte(a, b), `${a} >= ${b}`);
      compared++;
    }
  }
  assert.equal(compared, versions.length ** 2);
  // what toSemver makes of the printed forms compares the same way too
  for (const [printed, min, expected] of [
    ['20.10.24+dfsg1', '17.05.0', true],
    ['17.05.0-ce', '17.05.0', true],
    ['17.04.0-ce', '17.05.0', false],
    ['v2.0.0-rc.3', '2.0.0', false],
    ['2.26.1-4', '2.26.1', true],
  ] as const) {
    assert.equal(semverGte(toSemver(printed)!, toSemver(min)!), expected, `${printed} >= ${min}`);
  }
  assert.throws(() => compareSemver('1.2', '1.2.0'), /not a semver version/);
});

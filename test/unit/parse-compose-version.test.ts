import { test } from 'node:test';
import assert from 'node:assert/strict';
import { semverGte } from '../../src/engine/parse-version.js';
import { isMissingPluginOutput, parseComposeVersion } from '../../src/engine/parse-compose-version.js';

// Real outputs of `docker-compose --version`, `docker compose version` and `--short`, including the
// ones install.sh's sed misread (getsentry/self-hosted#1132, #1550).
const cases: Array<[string, string, string, number]> = [
  ['docker-compose version 1.29.2, build 5becea4c', '1.29.2', '1.29.2', 1],
  ['docker-compose version 1.29.2, build unknown\n', '1.29.2', '1.29.2', 1],
  ['docker-compose version 1.17.0, build ac53b73', '1.17.0', '1.17.0', 1],
  ['Docker Compose version v2.0.1', '2.0.1', 'v2.0.1', 2],
  ['Docker Compose version 2.5.0', '2.5.0', '2.5.0', 2],
  ['Docker Compose version 2.26.1-4\n', '2.26.1', '2.26.1-4', 2],
  ['v2.0.0-rc.3', '2.0.0-rc.3', 'v2.0.0-rc.3', 2],
  ['2.24.6-1', '2.24.6', '2.24.6-1', 2],
  ['2.26.1-4', '2.26.1', '2.26.1-4', 2],
  ['Docker Compose version v2.0.0-beta.6', '2.0.0-beta.6', 'v2.0.0-beta.6', 2],
  ['{"version":"v2.24.6"}', '2.24.6', 'v2.24.6', 2],
];

for (const [output, version, printed, major] of cases) {
  test(`parses ${JSON.stringify(output)}`, () => {
    assert.deepEqual(parseComposeVersion(output), { version, printed, major });
  });
}

test('the full `docker-compose version` output gives compose, not docker-py, version', () => {
  const out = 'docker-compose version 1.29.2, build unknown\ndocker-py version: 5.0.3\nCPython version: 3.11.2\nOpenSSL version: OpenSSL 3.0.22 25 Aug 2026\n';
  assert.equal(parseComposeVersion(out)?.version, '1.29.2');
});

test('`docker compose --version` without the plugin prints the Docker version: never read as Compose', () => {
  assert.equal(parseComposeVersion('Docker version 28.2.2, build e6534b4'), null);
  assert.equal(parseComposeVersion('Docker version 20.10.24+dfsg1, build 297e128'), null);
  assert.equal(parseComposeVersion(''), null);
});

test('v2 answers compare as the versions they are, not as install.sh ver() garbage', () => {
  assert.ok(semverGte(parseComposeVersion('Docker Compose version v2.0.1')!.version, '1.28.0'));
  assert.ok(semverGte(parseComposeVersion('Docker Compose version 2.5.0')!.version, '1.24.1'));
  // a release candidate is older than its release, but newer than every v1
  assert.ok(!semverGte(parseComposeVersion('v2.0.0-rc.3')!.version, '2.0.0'));
  assert.ok(semverGte(parseComposeVersion('v2.0.0-rc.3')!.version, '1.29.2'));
  // a Debian revision is the release itself
  assert.ok(semverGte(parseComposeVersion('2.24.6-1')!.version, '2.24.6'));
});

test('recognises the docker CLI saying it has no compose plugin (exit 125 "unknown flag", exit 1 "not a docker command")', () => {
  assert.ok(isMissingPluginOutput("unknown flag: --short\nSee 'docker --help'."));
  assert.ok(isMissingPluginOutput("docker: 'compose' is not a docker command.\nSee 'docker --help'"));
  assert.ok(isMissingPluginOutput("docker: unknown command: docker compose\n\nRun 'docker --help' for more information"));
  assert.ok(!isMissingPluginOutput('Cannot connect to the Docker daemon at unix:///var/run/docker.sock.'));
});

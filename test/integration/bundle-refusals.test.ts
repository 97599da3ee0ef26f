/**
 * What a bundle cannot carry is refused before anything is written, by the CLI as users run it: LDAP
 * (`ldap.enabled`: the Sentry build installs python-ldap's build packages with apt-get) for `bundle create`,
 * `install --bundle` and `upgrade --bundle`, exit 2 naming the answer and the reason; and images pinned by
 * registry digest unless `images.digests: drop` (docker load restores no registry digest).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { ensureBuilt, fullAnswers, minimalAnswers, removeDir, runCli, tempDir, writeAnswers } from '../helpers/cli.js';

ensureBuilt();

const LDAP_REASON = /ldap\.enabled: `(bundle create|install --bundle|upgrade --bundle)` cannot build the Sentry image with LDAP from a bundle: that build installs python-ldap's build packages \(gcc, libldap2-dev, libsasl2-dev, libssl-dev\) with apt-get from a Debian mirror/;

test('LDAP with a bundle: bundle create, install --bundle and upgrade --bundle exit 2 naming ldap.enabled and apt-get; nothing written', () => {
  const root = tempDir();
  try {
    const answers = writeAnswers(join(root, 'answers.yml'), fullAnswers('20.7.0'));
    const made = runCli(['bundle', 'create', '--tag', '20.7.0', '--answers', answers, '-o', join(root, 'ldap.bundle')]);
    assert.equal(made.code, 2, made.stderr);
    assert.match(made.stderr, LDAP_REASON);
    assert.match(made.stderr, /Set ldap\.enabled: false for the offline install/);

    const dir = join(root, 'install');
    mkdirSync(dir);
    const inst = runCli(['install', '--dir', dir, '--answers', answers, '--bundle', join(root, 'any.bundle'), '--yes']);
    assert.equal(inst.code, 2, inst.stderr);
    assert.match(inst.stderr, LDAP_REASON);
    assert.deepEqual(readdirSync(dir), [], 'install wrote nothing');

    // An install whose saved answers enable LDAP.
    const up = join(root, 'installed');
    mkdirSync(up);
    writeFileSync(join(up, 'sentry-onprem.yml'), yaml.dump({ ...fullAnswers('9.1.2'), admin: { email: 'admin@example.com' } }));
    const upg = runCli(['upgrade', '--dir', up, '--tag', '20.7.0', '--bundle', join(root, 'any.bundle'), '--yes']);
    assert.equal(upg.code, 2, upg.stderr);
    assert.match(upg.stderr, LDAP_REASON);
    assert.deepEqual(readdirSync(up), ['sentry-onprem.yml'], 'upgrade wrote nothing');
    // Without LDAP the answers pass this point (bundle create then needs the images: another test's part).
    assert.deepEqual(readdirSync(root).sort(), ['answers.yml', 'install', 'installed']);
  } finally {
    removeDir(root);
  }
});

const PINNED = /images\.digests: `(bundle create|install --bundle)` cannot use chrislusf\/seaweedfs:4\.40_large_disk@sha256:d07aa1dae03c[0-9a-f]+ pinned by registry digest: docker load restores an image's name, tag and id but not its registry digest/;

test('digest-pinned images with a bundle: bundle create and install --bundle exit 2 naming images.digests and the image unless digests: drop; nothing written', () => {
  const root = tempDir();
  try {
    const answers = writeAnswers(join(root, 'answers.yml'), { ...minimalAnswers('26.8.0'), profile: 'errors-only' });
    const made = runCli(['bundle', 'create', '--tag', '26.8.0', '--answers', answers, '-o', join(root, 'pinned.bundle')]);
    assert.equal(made.code, 2, made.stderr);
    assert.match(made.stderr, PINNED);
    assert.match(made.stderr, /Set images: \{digests: drop\}/);
    const dir = join(root, 'install');
    mkdirSync(dir);
    const inst = runCli(['install', '--dir', dir, '--answers', answers, '--bundle', join(root, 'any.bundle'), '--yes']);
    assert.equal(inst.code, 2, inst.stderr);
    assert.match(inst.stderr, PINNED);
    assert.deepEqual(readdirSync(dir), [], 'install wrote nothing');
    // With digests: drop the same answers pass this check (and fail later, at the bundle file that is not there).
    const dropped = writeAnswers(join(root, 'dropped.yml'), { ...minimalAnswers('26.8.0'), profile: 'errors-only', images: { digests: 'drop' } });
    const on = runCli(['install', '--dir', dir, '--answers', dropped, '--bundle', join(root, 'any.bundle'), '--yes']);
    assert.doesNotMatch(on.stderr, /images\.digests/);
    assert.equal(on.code, 3, on.stderr);
    assert.deepEqual(readdirSync(root).sort(), ['answers.yml', 'dropped.yml', 'install']);
  } finally {
    removeDir(root);
  }
});

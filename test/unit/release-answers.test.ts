/**
 * Answers the newer releases need: `profile` (refused with the reason by a release without profiles), a
 * registry prefix per registry (every registry of the release mapped), the errors-only minimums, and the
 * release an answers file without a tag installs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answersSchema } from '../../src/answers/schema.js';
import { releaseAnswerProblems } from '../../src/answers/release-limits.js';
import { imagesFor, mirroredName, pulledImages } from '../../src/render/images.js';
import { minimumsFor } from '../../src/catalog.js';
import { DEFAULT_TAG, RELEASES, registriesOf } from '../../src/releases/index.js';
import { profileOf } from '../../src/render/view.js';

const base = { url: 'https://sentry.example.com', admin: { email: 'a@example.com', password: 'pw' } };

test('profile: feature-complete or errors-only; the release default when absent; refused by releases without profiles', () => {
  assert.equal(profileOf(answersSchema.parse({ ...base, tag: '26.8.0' })), 'feature-complete');
  assert.equal(profileOf(answersSchema.parse({ ...base, tag: '26.8.0', profile: 'errors-only' })), 'errors-only');
  assert.equal(profileOf(answersSchema.parse({ ...base, tag: '20.7.0' })), '');
  assert.equal(answersSchema.safeParse({ ...base, tag: '26.8.0', profile: 'minimal' }).success, false);
  assert.deepEqual(releaseAnswerProblems('26.8.0', { profile: 'errors-only' }), []);
  const [p] = releaseAnswerProblems('9.1.2', { profile: 'feature-complete' });
  assert.equal(p.path, 'profile');
  assert.match(p.expected, /Sentry 9\.1\.2 has no Compose profiles/);
});

test('images.registry: a prefix keeps the registry host in the path; a mapping replaces each host by its prefix', () => {
  assert.deepEqual(registriesOf(RELEASES['26.8.0']).sort(), ['docker.io', 'ghcr.io', 'registry.gitlab.com']);
  assert.deepEqual(registriesOf(RELEASES['20.7.0']), ['docker.io']);
  const one = imagesFor('26.8.0', 'm:5000/all');
  assert.equal(one.snuba, 'm:5000/all/ghcr.io/getsentry/snuba:26.8.0');
  assert.equal(one.postgres, 'm:5000/all/library/postgres:14.23-bookworm');
  const map = { 'docker.io': 'hub.local/dh', 'ghcr.io': 'hub.local/gh', 'registry.gitlab.com': '' };
  const each = imagesFor('26.8.0', map);
  assert.equal(each.snuba, 'hub.local/gh/getsentry/snuba:26.8.0');
  assert.equal(each.redis, 'hub.local/dh/valkey/valkey:8.1.9-alpine');
  assert.equal(each.memcached, 'hub.local/dh/library/memcached:1.6.45-alpine');
  assert.equal(each.smtp, 'registry.gitlab.com/egos-tech/smtp');
  assert.ok(pulledImages('26.8.0', map).every((i) => i.startsWith('hub.local/') || i.startsWith('registry.gitlab.com/')));
  // Helper images the installer runs go the same way.
  assert.equal(mirroredName('tianon/postgres-upgrade:9.6-to-14', map), 'hub.local/dh/tianon/postgres-upgrade:9.6-to-14');
  assert.equal(mirroredName('ghcr.io/maxmind/geoipupdate:v6.1.0', map), 'hub.local/gh/maxmind/geoipupdate:v6.1.0');
  // Old answers (one prefix, or none) still parse and mean what they meant.
  assert.equal(answersSchema.parse({ ...base, tag: '20.7.0', images: { registry: 'm:5000/p' } }).images.registry, 'm:5000/p');
  assert.equal(imagesFor('20.7.0', 'm:5000/p').postgres, 'm:5000/p/library/postgres:9.6');
});

test('images.registry mapping: every registry the release pulls from must be mapped; extra hosts are kept for later releases', () => {
  const [p] = releaseAnswerProblems('26.8.0', { images: { registry: { 'docker.io': 'hub.local/dh' } } });
  assert.equal(p.path, 'images.registry');
  assert.match(p.expected, /missing: registry\.gitlab\.com, ghcr\.io/);
  assert.deepEqual(releaseAnswerProblems('20.7.0', { images: { registry: { 'docker.io': 'a.b/c', 'ghcr.io': '' } } }), []);
  assert.equal(answersSchema.safeParse({ ...base, images: { registry: { 'not a host': 'x' } } }).success, false);
  assert.equal(answersSchema.safeParse({ ...base, images: { registry: { 'ghcr.io': 'https://x' } } }).success, false);
});

test('minimums: 26.8.0 asks 14000 MB / 4 CPUs and Compose 2.32.2 (v2 only); errors-only 7000 MB / 2 CPUs', () => {
  const fc = minimumsFor('26.8.0');
  assert.equal(fc.ramMb, 14000);
  assert.equal(fc.cpus, 4);
  assert.equal(fc.compose, '2.32.2');
  assert.equal(fc.composeV1, false);
  assert.deepEqual(minimumsFor('26.8.0', 'feature-complete'), fc);
  const eo = minimumsFor('26.8.0', 'errors-only');
  assert.equal(eo.ramMb, 7000);
  assert.equal(eo.cpus, 2);
  assert.equal(eo.compose, '2.32.2');
  // Releases before the profiles have no errors-only minimums.
  assert.deepEqual(minimumsFor('20.7.0', 'errors-only'), minimumsFor('20.7.0'));
});

test('an answers file without a tag installs the release it always installed', () => {
  assert.equal(DEFAULT_TAG, '20.7.0');
  assert.equal(answersSchema.parse(base).tag, '20.7.0');
});

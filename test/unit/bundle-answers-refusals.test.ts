import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refuseLdapWithBundle, refusePinnedWithBundle } from '../../src/bundle/answers.js';
import { UserError, EXIT } from '../../src/errors.js';
import { installImages } from '../../src/bundle/needed-images.js';
import { imagesAnswers } from '../../src/bundle/answers.js';

test('refuseLdapWithBundle: ldap.enabled true is exit 2 naming the answer, apt-get and the command; off or absent passes', () => {
  assert.throws(
    () => refuseLdapWithBundle({ ldap: { enabled: true } }, 'install --bundle'),
    (e: unknown) => e instanceof UserError && e.exitCode === EXIT.usage && /^ldap\.enabled: `install --bundle` .*apt-get from a Debian mirror/.test(e.message),
  );
  for (const ok of [{}, { ldap: { enabled: false } }, { ldap: 'x' }, undefined]) assert.doesNotThrow(() => refuseLdapWithBundle(ok as never, 'bundle create'));
});

test('refusePinnedWithBundle: 26.8.0 keeps seaweedfs pinned unless digests: drop; the refusal names images.digests and each pinned image', () => {
  const kept = installImages(imagesAnswers({ tag: '26.8.0' })).map((i) => i.name);
  const pinned = kept.filter((n) => n.includes('@sha256:'));
  assert.deepEqual(pinned.map((n) => n.split('@')[0]), ['chrislusf/seaweedfs:4.40_large_disk']);
  assert.throws(
    () => refusePinnedWithBundle(kept, 'bundle create'),
    (e: unknown) => e instanceof UserError && e.exitCode === EXIT.usage && e.message.startsWith('images.digests: `bundle create` cannot use chrislusf/seaweedfs:4.40_large_disk@sha256:') && /not its registry digest/.test(e.message),
  );
  assert.doesNotThrow(() => refusePinnedWithBundle(kept.map((n) => n.replace(/@sha256:[0-9a-f]{64}$/, '')), 'install --bundle'));
  assert.doesNotThrow(() => refusePinnedWithBundle(installImages(imagesAnswers({ tag: '9.1.2' })).map((i) => i.name), 'install --bundle'));
});

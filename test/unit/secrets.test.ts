import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateSecret, readSecrets, redact, SECRET_ALPHABET, writeSecrets } from '../../src/secrets.js';
import { render } from '../../src/commands/render.js';
import { UserError } from '../../src/errors.js';
import { minimalAnswers, removeDir, tempDir, writeAnswers } from '../helpers/cli.js';

test('the secret alphabet is safe in .env, Compose interpolation, YAML and Python quotes', () => {
  for (const ch of ['$', "'", '"', '\\', '`', '#', ' ', '\n']) assert.ok(!SECRET_ALPHABET.includes(ch), `alphabet holds ${JSON.stringify(ch)}`);
  assert.equal(new Set(SECRET_ALPHABET).size, SECRET_ALPHABET.length, 'no duplicate characters (they would skew the distribution)');
  assert.ok(SECRET_ALPHABET.length >= 48);
});

test('generateSecret: 50 characters, all from the alphabet', () => {
  for (let i = 0; i < 200; i++) {
    const s = generateSecret(50);
    assert.equal(s.length, 50);
    for (const ch of s) assert.ok(SECRET_ALPHABET.includes(ch), `unexpected ${ch}`);
  }
  assert.equal(generateSecret().length, 50, 'the default length is 50');
});

test('generateSecret: uses the CSPRNG, not Math.random (a constant Math.random changes nothing)', (t) => {
  t.mock.method(Math, 'random', () => 0);
  const seen = new Set<string>();
  for (let i = 0; i < 100; i++) seen.add(generateSecret(50));
  assert.equal(seen.size, 100);
  const source = readFileSync(new URL('../../src/secrets.ts', import.meta.url), 'utf8');
  assert.match(source, /from 'node:crypto'/);
  assert.doesNotMatch(source, /Math\.random/);
});

test('generateSecret: every character of the alphabet is used, roughly uniformly', () => {
  const counts = new Map<string, number>();
  const n = 2000;
  for (let i = 0; i < n; i++) for (const ch of generateSecret(50)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  assert.equal(counts.size, SECRET_ALPHABET.length);
  const expected = (n * 50) / SECRET_ALPHABET.length;
  for (const [ch, c] of counts) assert.ok(Math.abs(c - expected) < expected * 0.25, `${ch}: ${c} vs ~${expected}`);
});

test('writeSecrets: mode 0600 in a 0700 directory, and readSecrets refuses a file others can read', () => {
  const dir = tempDir();
  try {
    const file = join(dir, 'state', 'secrets.json');
    writeSecrets(file, { secretKey: 'k'.repeat(50), mailPassword: '' });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'state')).mode & 0o777, 0o700);
    assert.deepEqual(readSecrets(file), { secretKey: 'k'.repeat(50) }, 'empty values are not stored');
    chmodSync(file, 0o644);
    assert.throws(() => readSecrets(file), (e) => e instanceof UserError && /readable by other users/.test(e.message));
  } finally {
    removeDir(dir);
  }
});

test('redact replaces every secret, longest first, and leaves the list it is given in its order', () => {
  const values = ['secret', 'secret-long'];
  assert.equal(redact('a=secret-long b=secret', values), 'a=<redacted> b=<redacted>');
  assert.deepEqual(values, ['secret', 'secret-long']);
});

test('render twice: the secret key is made once and never regenerated; secrets.json stays 0600', async (t) => {
  t.mock.method(process.stderr, 'write', () => true);
  const dir = tempDir();
  try {
    const answers = writeAnswers(join(dir, 'answers.yml'), minimalAnswers('20.7.0'));
    const install = join(dir, 'install');
    assert.equal(await render({ dir: install, answers, yes: true }), 0);
    const file = join(install, '.sentry-onprem', 'secrets.json');
    const first = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(first.secretKey.length, 50);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(readFileSync(join(install, 'sentry', 'config.yml'), 'utf8').includes(first.secretKey));

    // A changed answer re-renders files, but the key stays.
    writeAnswers(answers, { ...minimalAnswers('20.7.0'), timezone: 'Europe/Paris' });
    assert.equal(await render({ dir: install, answers, yes: true }), 0);
    const second = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(second.secretKey, first.secretKey);
    assert.equal(statSync(file).mode & 0o777, 0o600);

    // Switching the release keeps it too (9.1.2 reads it from .env).
    writeAnswers(answers, minimalAnswers('9.1.2'));
    assert.equal(await render({ dir: install, answers, yes: true, force: true }), 0);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).secretKey, first.secretKey);
    assert.match(readFileSync(join(install, '.env'), 'utf8'), new RegExp(`^SENTRY_SECRET_KEY=${first.secretKey.replace(/[()*+^]/g, '\\$&')}$`, 'm'));
  } finally {
    removeDir(dir);
  }
});

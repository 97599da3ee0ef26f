import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCheckAnswers } from '../../checks/read-answers.js';
import { AnswersError, UserError } from '../../src/errors.js';

const file = (text: string) => {
  const f = join(mkdtempSync(join(tmpdir(), 'answers-')), 'answers.yml');
  writeFileSync(f, text);
  return f;
};

test('no answers file: ports 80 and 443, no tag', async () => {
  assert.deepEqual(await readCheckAnswers(undefined), { ports: { http: 80, https: 443 } });
});

test('reads tag and ports; missing ports keep their defaults', async () => {
  assert.deepEqual(await readCheckAnswers(file('tag: 9.1.2\nports:\n  http: 8080\n')), { tag: '9.1.2', ports: { http: 8080, https: 443 } });
});

test('reads the profile (errors-only has smaller minimums); another value is a usage error naming the field', async () => {
  assert.equal((await readCheckAnswers(file('tag: 26.8.0\nprofile: errors-only\n'))).profile, 'errors-only');
  await assert.rejects(readCheckAnswers(file('profile: all\n')), (err: AnswersError) => {
    assert.equal(err.exitCode, 2);
    assert.deepEqual(err.problems.map((p) => p.path), ['profile']);
    return true;
  });
});

test('TLS off: no https port to check (nginx publishes none)', async () => {
  assert.deepEqual((await readCheckAnswers(file('tls:\n  mode: "off"\nports: {http: 8000}\n'))).ports, { http: 8000, https: undefined });
});

test('bad ports are usage errors that name the field', async () => {
  await assert.rejects(readCheckAnswers(file('ports:\n  http: 70000\n  https: "x"\n')), (err: AnswersError) => {
    assert.equal(err.exitCode, 2);
    assert.deepEqual(err.problems.map((p) => p.path), ['ports.http', 'ports.https']);
    return true;
  });
});

test('unreadable or invalid YAML is a usage error, not a stack trace', async () => {
  await assert.rejects(readCheckAnswers('/nonexistent/answers.yml'), (err: UserError) => err.exitCode === 2 && /ENOENT/.test(err.message));
  await assert.rejects(readCheckAnswers(file('ports: [unclosed\n')), (err: UserError) => err.exitCode === 2 && /not valid YAML/.test(err.message));
});

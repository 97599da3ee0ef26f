import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { check } from '../../src/commands/check.js';
import { AnswersError } from '../../src/errors.js';

// Only the argument validation: it happens before the engine or the host is looked at.
const sink = () => Object.assign(new Writable({ write: (_c, _e, cb) => cb() }), { isTTY: false }) as unknown as NodeJS.WriteStream;

test('an unknown --tag is exit 2 naming the field', async () => {
  await assert.rejects(check({ tag: '21.1.0' }, sink(), sink()), (err: AnswersError) => {
    assert.equal(err.exitCode, 2);
    assert.deepEqual(err.problems.map((p) => p.path), ['--tag']);
    assert.match(err.message, /--tag: got "21\.1\.0"; expected one of 9\.1\.2, 20\.7\.0/);
    return true;
  });
});

test('an unknown --skip-check id is exit 2 listing the ids', async () => {
  await assert.rejects(check({ skipCheck: ['memroy'] }, sink(), sink()), (err: AnswersError) => {
    assert.equal(err.exitCode, 2);
    assert.match(err.message, /--skip-check: got "memroy"; expected one of docker-daemon, docker-version, compose, memory/);
    return true;
  });
});

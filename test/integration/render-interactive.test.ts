/**
 * The interactive answers, on a real pseudo-terminal: the installed command asks each question, refuses
 * a bad answer in place and asks again, masks the password, saves the answers (without the password)
 * and renders; a re-run offers the saved answers as defaults, so pressing Enter throughout changes
 * nothing; Ctrl-C at a prompt is exit 130 with nothing written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { CLI, ensureBuilt, removeDir, snapshot, snapshotDiff, tempDir } from '../helpers/cli.js';
import { runOnPty, type PtyStep } from '../helpers/pty.js';
import { requireReaders } from '../helpers/readers.js';

ensureBuilt();

const PASSWORD = 'Typed-Passw0rd-at-the-prompt';
const UP = '\x1b[A';
const ENTER = '\r';
const BACKSPACE = '\x7f';

function interactiveEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm', COLUMNS: '120', LINES: '40' };
  delete env.CI; // CI in the environment means "never ask"
  delete env.SENTRY_ONPREM_DEBUG;
  return env;
}

function renderOnPty(dir: string, steps: PtyStep[]) {
  return runOnPty([process.execPath, CLI, 'render', '--dir', dir], steps, { cwd: dir, env: interactiveEnv(), timeoutSeconds: 60 });
}

test('a first render on a terminal asks, re-asks a bad answer, masks the password, saves and renders', (t) => {
  if (!requireReaders(t, 'python3')) return;
  const dir = tempDir();
  try {
    const run = renderOnPty(dir, [
      { expect: 'Sentry release', send: UP + ENTER }, // from the default (newest) to 9.1.2
      { expect: 'URL users open', send: 'https://sentry.example.test' + ENTER },
      { expect: 'Admin email', send: 'not-an-email' + ENTER },
      { expect: 'an email address', send: BACKSPACE.repeat('not-an-email'.length) + 'admin@example.test' + ENTER },
      { expect: 'Admin password', send: PASSWORD + ENTER },
      { expect: 'Time zone', send: 'Europe/Berlin' + ENTER },
      { expect: 'TLS certificate', send: ENTER }, // self-signed, the default for an https URL
      { expect: 'SMTP host', send: ENTER },
    ]);
    assert.equal(run.unmatched, null, `a prompt never appeared; the screen was:\n${run.screen}`);
    assert.equal(run.code, 0, run.screen);
    assert.ok(!run.screen.includes(PASSWORD), 'the password was echoed');
    assert.match(run.screen, /\*{8,}/, 'the password is shown masked');

    const saved = yaml.load(readFileSync(join(dir, 'sentry-onprem.yml'), 'utf8')) as Record<string, any>;
    assert.equal(saved.tag, '9.1.2');
    assert.equal(saved.url, 'https://sentry.example.test');
    assert.equal(saved.admin.email, 'admin@example.test');
    assert.equal(saved.timezone, 'Europe/Berlin');
    assert.equal(saved.tls.mode, 'self-signed');
    assert.ok(!readFileSync(join(dir, 'sentry-onprem.yml'), 'utf8').includes(PASSWORD), 'the password is in the saved answers');
    assert.equal(statSync(join(dir, 'sentry-onprem.yml')).mode & 0o777, 0o600);
    const secrets = JSON.parse(readFileSync(join(dir, '.sentry-onprem', 'secrets.json'), 'utf8'));
    assert.equal(secrets.adminPassword, PASSWORD);
    assert.equal(statSync(join(dir, '.sentry-onprem', 'secrets.json')).mode & 0o777, 0o600);
    for (const f of ['docker-compose.yml', 'sentry/config.yml', 'sentry/sentry.conf.py', 'nginx/sentry.conf']) assert.ok(existsSync(join(dir, f)), `${f} rendered`);
    assert.match(readFileSync(join(dir, 'docker-compose.yml'), 'utf8'), /sentry:9\.1/);

    // The re-run: every question pre-filled with what was saved; Enter throughout; nothing is written.
    const before = snapshot(dir);
    const again = renderOnPty(dir, [
      { expect: 'Sentry release', send: ENTER },
      { expect: 'URL users open.*sentry\\.example\\.test', send: ENTER },
      { expect: 'Admin email.*admin@example\\.test', send: ENTER },
      { expect: 'Time zone.*Europe/Berlin', send: ENTER },
      { expect: 'TLS certificate', send: ENTER },
      { expect: 'SMTP host', send: ENTER },
    ]);
    assert.equal(again.unmatched, null, `a prompt never appeared (or was not pre-filled); the screen was:\n${again.screen}`);
    assert.equal(again.code, 0, again.screen);
    assert.doesNotMatch(again.screen, /Admin password/, 'the saved password is asked for again');
    assert.deepEqual(snapshotDiff(before, snapshot(dir)), []);
  } finally {
    removeDir(dir);
  }
});

test('Ctrl-C at a prompt: "Cancelled.", exit 130, nothing written', (t) => {
  if (!requireReaders(t, 'python3')) return;
  const dir = tempDir();
  try {
    const run = renderOnPty(dir, [
      { expect: 'Sentry release', send: ENTER },
      { expect: 'URL users open', send: 'https://sentry.example.test' + ENTER },
      { expect: 'Admin email', send: '\x03' },
    ]);
    assert.equal(run.unmatched, null, run.screen);
    assert.equal(run.code, 130, run.screen);
    assert.match(run.screen, /Cancelled\./);
    assert.doesNotMatch(run.screen, /^\s+at /m, 'a stack trace was printed');
    assert.deepEqual([...snapshot(dir).keys()], []);
  } finally {
    removeDir(dir);
  }
});

/**
 * Bad answers through the real CLI: every case exits 2, names the field, and writes nothing: a fresh
 * install dir is not even created, an existing one stays byte-identical (contents, modes, mtimes).
 * Without --yes and without a TTY nothing is asked: missing answers are listed, all at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, minimalAnswers, removeDir, render, runCli, snapshot, snapshotDiff, tempDir, writeAnswers } from '../helpers/cli.js';
import { makeCert } from '../helpers/certs.js';
import { requireReaders } from '../helpers/readers.js';

ensureBuilt();

type Answers = Record<string, any>;
interface Case {
  name: string;
  field: string;
  answers?: (base: Answers, certs: Certs) => Answers;
  flags?: string[];
  /** What the problem line must also say. */
  says?: RegExp;
}
interface Certs {
  good: { cert: string; key: string };
  other: { cert: string; key: string };
  expired: { cert: string; key: string };
  future: { cert: string; key: string };
  wrongHost: { cert: string; key: string };
  notPem: string;
  dir: string;
}

const set = (a: Answers, path: string, v: unknown): Answers => {
  const c = structuredClone(a);
  const keys = path.split('.');
  let cur = c;
  for (const k of keys.slice(0, -1)) cur = cur[k] ??= {};
  cur[keys[keys.length - 1]] = v;
  return c;
};
const files = (a: Answers, cert: string, key: string) => set(a, 'tls', { mode: 'files', cert, key });

const LONG_EMAIL = 'a'.repeat(64) + '@example.com';

const CASES: Case[] = [
  { name: 'admin email without @', field: 'admin.email', answers: (a) => set(a, 'admin.email', 'admin.example.com') },
  { name: 'admin email without @ (flag)', field: 'admin.email', flags: ['--admin-email', 'nobody'] },
  { name: 'mail.from without @', field: 'mail.from', answers: (a) => set(a, 'mail.from', 'sentry') },
  { name: 'ftp url', field: 'url', answers: (a) => set(a, 'url', 'ftp://sentry.example.com') },
  { name: 'url without a host', field: 'url', answers: (a) => set(a, 'url', 'https://') },
  { name: 'url that is a bare host name', field: 'url', answers: (a) => set(a, 'url', 'sentry.example.com') },
  { name: 'url with a newline in the host', field: 'url', answers: (a) => set(a, 'url', 'https://sentry.exa\nmple.com') },
  { name: 'url (flag) not http', field: 'url', flags: ['--url', 'file:///etc/passwd'] },
  { name: 'port 0', field: 'ports.http', answers: (a) => set(a, 'ports.http', 0) },
  { name: 'port 65536', field: 'ports.https', answers: (a) => set(a, 'ports.https', 65536) },
  { name: 'port 70000 (flag)', field: 'ports.http', flags: ['--http-port', '70000'] },
  { name: 'port that is not a number (flag)', field: 'ports.https', flags: ['--https-port', '44x'] },
  { name: 'the same port twice', field: 'ports.https', answers: (a) => set(a, 'ports', { http: 8080, https: 8080 }) },
  { name: 'unknown tag', field: 'tag', answers: (a) => set(a, 'tag', '10.0.0') },
  { name: 'unknown tag (flag)', field: 'tag', flags: ['--tag', 'latest'] },
  { name: 'time zone that is not IANA', field: 'timezone', answers: (a) => set(a, 'timezone', 'Central European Time') },
  { name: 'time zone abbreviation', field: 'timezone', answers: (a) => set(a, 'timezone', 'PST') },
  { name: 'unknown zone (flag)', field: 'timezone', flags: ['--timezone', 'Europe/Atlantis'] },
  { name: 'workers 0', field: 'web.workers', answers: (a) => set(a, 'web.workers', 0) },
  { name: 'workers -1', field: 'web.workers', answers: (a) => set(a, 'web.workers', -1) },
  { name: 'tls files: cert missing', field: 'tls.cert', answers: (a, c) => files(a, join(c.dir, 'absent.pem'), c.good.key) },
  { name: 'tls files: key missing', field: 'tls.key', answers: (a, c) => files(a, c.good.cert, join(c.dir, 'absent.pem')) },
  { name: 'tls files: cert unreadable (a directory)', field: 'tls.cert', answers: (a, c) => files(a, c.dir, c.good.key) },
  { name: 'tls files: key unreadable (a directory)', field: 'tls.key', answers: (a, c) => files(a, c.good.cert, c.dir) },
  { name: 'tls files: cert that is not PEM', field: 'tls.cert', answers: (a, c) => files(a, c.notPem, c.good.key) },
  { name: 'tls files: key that is not PEM', field: 'tls.key', answers: (a, c) => files(a, c.good.cert, c.notPem) },
  { name: 'tls files: key of another certificate', field: 'tls.key', answers: (a, c) => files(a, c.good.cert, c.other.key) },
  { name: 'tls files: expired certificate', field: 'tls.cert', answers: (a, c) => files(a, c.expired.cert, c.expired.key) },
  { name: 'tls files: certificate not yet valid', field: 'tls.cert', answers: (a, c) => files(a, c.future.cert, c.future.key) },
  { name: "tls files: certificate for another host than the url's", field: 'tls.cert', answers: (a, c) => files(a, c.wrongHost.cert, c.wrongHost.key) },
  { name: 'tls off with an https url', field: 'tls.mode', flags: ['--tls', 'off'] },
  { name: 'plugin --index-url', field: 'plugins.0', answers: (a) => set(a, 'plugins', ['--index-url x']) },
  { name: 'plugin -e .', field: 'plugins.0', answers: (a) => set(a, 'plugins', ['-e .']) },
  { name: 'plugin URL', field: 'plugins.1', answers: (a) => set(a, 'plugins', ['sentry-plugins', 'http://x/y.whl']) },
  { name: 'plugin with a shell command', field: 'plugins.0', answers: (a) => set(a, 'plugins', ['foo; rm -rf /']) },
  { name: 'plugin (flag) option', field: 'plugins.0', flags: ['--plugin', '--extra-index-url=http://evil'] },
  { name: 'newline in the mail host', field: 'mail.host', answers: (a) => set(a, 'mail.host', 'smtp\nRCPT TO:<x@example.com>') },
  { name: 'newline in the ldap server', field: 'ldap.server', answers: (a) => set(a, 'ldap.server', 'ldap://ldap\n.example.com') },
  { name: 'bell character in mail.username', field: 'mail.username', answers: (a) => set(a, 'mail.username', 'user\x07') },
  { name: 'escape sequence in mail.subjectPrefix', field: 'mail.subjectPrefix', answers: (a) => set(a, 'mail.subjectPrefix', '\x1b[31m[Sentry]') },
  { name: 'NUL in ldap.bindDn', field: 'ldap.bindDn', answers: (a) => set(a, 'ldap.bindDn', 'cn=a\x00b') },
  { name: 'DEL in the admin password', field: 'admin.password', answers: (a) => set(a, 'admin.password', 'pass\x7fword') },
  { name: 'unknown answer (typo)', field: 'mail.hots', answers: (a) => set(a, 'mail.hots', 'smtp') },
  // Well-formed, but longer than Sentry's user table holds (auth_user.email is varchar(75)).
  { name: 'admin email of 76 characters', field: 'admin.email', answers: (a) => set(a, 'admin.email', LONG_EMAIL), says: /at most 75 characters \(Sentry \S+ stores it in auth_user\.email/ },
  { name: 'admin email of 76 characters (flag)', field: 'admin.email', flags: ['--admin-email', LONG_EMAIL], says: /at most 75 characters/ },
  // `password: 1000` in the YAML file: a number, not text.
  { name: 'admin password YAML reads as a number', field: 'admin.password', answers: (a) => set(a, 'admin.password', 1000), says: /YAML read the value as a number: put it in quotes/ },
  { name: 'mail.username YAML reads as true/false', field: 'mail.username', answers: (a) => set(a, 'mail.username', true), says: /YAML read the value as true\/false: put it in quotes/ },
];

function runCase(c: Case, dir: string, root: string, certs: Certs, base: Answers) {
  const args = ['render', '--dir', dir, '--yes'];
  if (c.answers) args.push('--answers', writeAnswers(join(root, `bad-${Math.random().toString(36).slice(2)}.yml`), c.answers(base, certs)));
  else args.push('--answers', writeAnswers(join(root, 'base.yml'), base));
  return runCli([...args, ...(c.flags ?? [])]);
}

test('bad answers: exit 2, the field named, nothing written (fresh dir not created; existing install byte-identical)', (t) => {
  if (!requireReaders(t, 'openssl')) return;
  const root = tempDir();
  try {
    const certDir = join(root, 'certs');
    const good = makeCert(certDir, 'good', { host: 'sentry.example.com' });
    const certs: Certs = {
      good,
      other: makeCert(certDir, 'other', { host: 'sentry.example.com' }),
      expired: makeCert(certDir, 'expired', { host: 'sentry.example.com', start: '20200101000000Z', end: '20200201000000Z' }),
      future: makeCert(certDir, 'future', { host: 'sentry.example.com', start: '20990101000000Z', end: '20991231000000Z' }),
      wrongHost: makeCert(certDir, 'wrong-host', { host: 'other.example.org' }),
      notPem: join(certDir, 'not.pem'),
      dir: join(certDir, 'a-directory'),
    };
    writeFileSync(certs.notPem, 'this is not PEM\n');
    mkdirSync(certs.dir);

    for (const tag of ['9.1.2', '20.7.0'] as const) {
      const base = { ...minimalAnswers(tag), ldap: { enabled: false } };
      // The good certificate is accepted: the refusals below are about the one thing each case changes.
      const goodRoot = join(root, `good-${tag}`);
      const okRun = render(goodRoot, writeAnswers(join(root, `good-${tag}.yml`), files(base, good.cert, good.key)));
      assert.equal(okRun.code, 0, okRun.stderr);

      const existing = join(root, `existing-${tag}`);
      const first = render(existing, writeAnswers(join(root, `existing-${tag}.yml`), base));
      assert.equal(first.code, 0, first.stderr);
      const before = snapshot(existing);

      for (const c of CASES) {
        for (const [where, dir] of [
          ['fresh', join(root, `fresh-${tag}`, 'install')],
          ['existing', existing],
        ] as const) {
          const r = runCase(c, dir, root, certs, base);
          const what = `${tag} ${c.name} (${where} dir)`;
          assert.equal(r.code, 2, `${what}: exit ${r.code}\n${r.stderr}`);
          assert.match(r.stderr, new RegExp(`^  - ${c.field.replace(/\./g, '\\.')}: `, 'm'), `${what}: field not named:\n${r.stderr}`);
          if (c.says) assert.match(r.stderr, new RegExp(`^  - ${c.field.replace(/\./g, '\\.')}: .*${c.says.source}`, 'm'), `${what}: the reason is not given:\n${r.stderr}`);
          assert.match(r.stderr, /Nothing was written/);
          assert.equal(r.stdout, '', `${what}: printed to stdout`);
          if (where === 'fresh') assert.equal(existsSync(join(root, `fresh-${tag}`)), false, `${what}: created ${dir}`);
          else assert.deepEqual(snapshotDiff(before, snapshot(existing)), [], `${what}: the install changed`);
        }
      }
    }
  } finally {
    removeDir(root);
  }
});

test('without --yes and without a TTY nothing is asked: every missing answer is listed, exit 2, nothing written', () => {
  const root = tempDir();
  try {
    const dir = join(root, 'install');
    for (const args of [
      ['render', '--dir', dir],
      ['render', '--dir', dir, '--yes'],
      ['render', '--dir', dir, '--answers', writeAnswers(join(root, 'partial.yml'), { tag: '9.1.2', admin: {} })],
    ]) {
      const started = Date.now();
      const r = runCli(args, { input: 'https://typed.example.com\nadmin@example.com\n' });
      assert.ok(Date.now() - started < 20_000, 'returned without waiting for input');
      assert.equal(r.code, 2, r.stderr);
      for (const field of ['url', 'admin.email', 'admin.password']) assert.match(r.stderr, new RegExp(`^  - ${field.replace('.', '\\.')}: missing`, 'm'), `${field} not listed:\n${r.stderr}`);
      assert.match(r.stderr, /^error: 3 answers missing or invalid/m);
      assert.doesNotMatch(r.stdout + r.stderr, /\?|typed\.example\.com/, 'no question was asked and stdin was not read');
      assert.equal(existsSync(dir), false);
    }
  } finally {
    removeDir(root);
  }
});

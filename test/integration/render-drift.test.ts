/**
 * Drift between renders, through the real CLI: a user's edit survives a re-render with changed answers;
 * a conflicting edit stops the render (exit 1, the diff shown, nothing written); --force overwrites after
 * a timestamped backup; unchanged answers write nothing; --dry-run prints a unified diff, writes nothing
 * and never prints a secret.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, fullAnswers, removeDir, render, snapshot, snapshotDiff, tempDir, writeAnswers } from '../helpers/cli.js';

ensureBuilt();

const ADMIN_PW = 'Admin-Passw0rd-xyz';
const MAIL_PW = 'Mail-Passw0rd-abc';
const LDAP_PW = 'Ldap-Bind-Passw0rd-def';

function answers(tag: '9.1.2' | '20.7.0', over: Record<string, any> = {}): Record<string, any> {
  const a = fullAnswers(tag) as Record<string, any>;
  a.admin.password = ADMIN_PW;
  a.mail.password = MAIL_PW;
  a.ldap.bindPassword = LDAP_PW;
  for (const [path, v] of Object.entries(over)) {
    const keys = path.split('.');
    let cur = a;
    for (const k of keys.slice(0, -1)) cur = cur[k];
    cur[keys[keys.length - 1]] = v;
  }
  return a;
}

function secretsOf(install: string): string[] {
  const s = JSON.parse(readFileSync(join(install, '.sentry-onprem', 'secrets.json'), 'utf8'));
  return [s.secretKey, ADMIN_PW, MAIL_PW, LDAP_PW, s.adminPassword, s.mailPassword, s.ldapBindPassword].filter(Boolean);
}

function assertNoSecret(output: string, secrets: string[], what: string) {
  for (const s of secrets) assert.ok(!output.includes(s), `${what} printed a secret (${s.slice(0, 3)}...)`);
}

const edit = (file: string, from: RegExp, to: string) => {
  const text = readFileSync(file, 'utf8');
  assert.match(text, from);
  writeFileSync(file, text.replace(from, to));
};

for (const tag of ['9.1.2', '20.7.0'] as const) {
  test(`${tag}: an edit survives a re-render; a conflict stops it; --force backs up; unchanged answers write nothing`, () => {
    const root = tempDir();
    try {
      const install = join(root, 'install');
      const file = writeAnswers(join(root, 'answers.yml'), answers(tag));
      assert.equal(render(install, file).code, 0);
      const conf = join(install, 'sentry', 'sentry.conf.py');
      const compose = join(install, 'docker-compose.yml');

      // 1. The user's edits (a setting appended, a compose comment) survive a change of answers.
      writeFileSync(conf, readFileSync(conf, 'utf8') + '\n# my own setting\nSENTRY_BEACON = False\n');
      edit(compose, /^(  postgres:\n)/m, '$1    # pinned by ops\n');
      writeAnswers(file, answers(tag, { timezone: 'America/New_York', 'web.workers': 7 }));
      const r1 = render(install, file);
      assert.equal(r1.code, 0, r1.stderr);
      assert.match(r1.stderr, /merge\s+sentry\/sentry\.conf\.py/);
      const merged = readFileSync(conf, 'utf8');
      assert.match(merged, /^SENTRY_BEACON = False$/m, 'the appended setting survived');
      assert.match(merged, /^SENTRY_DEFAULT_TIME_ZONE = u'America\/New_York'$/m, 'the new answer is in');
      assert.match(merged, /'workers': 7,/);
      assert.match(readFileSync(compose, 'utf8'), /# pinned by ops/);

      // 2. Unchanged answers: nothing is written, not even an mtime.
      const settled = snapshot(install);
      const r2 = render(install, file);
      assert.equal(r2.code, 0, r2.stderr);
      assert.match(r2.stderr, /nothing to change/);
      assert.deepEqual(snapshotDiff(settled, snapshot(install)), []);

      // 3. A conflicting edit: the user changed the very line the new answers change.
      edit(conf, /^SENTRY_DEFAULT_TIME_ZONE = .*$/m, "SENTRY_DEFAULT_TIME_ZONE = 'Asia/Tokyo'  # ops");
      writeAnswers(file, answers(tag, { timezone: 'Europe/Madrid' }));
      const blocked = snapshot(install);
      const r3 = render(install, file);
      assert.equal(r3.code, 1, r3.stderr);
      assert.match(r3.stderr, /sentry\/sentry\.conf\.py changed since the last render/);
      assert.match(r3.stderr, /--force/);
      assert.match(r3.stdout, /^--- a\/sentry\/sentry\.conf\.py/m);
      assert.match(r3.stdout, /Asia\/Tokyo/, 'the diff shows the user side');
      assert.match(r3.stdout, /Europe\/Madrid/, 'the diff shows the new render');
      assertNoSecret(r3.stdout + r3.stderr, secretsOf(install), 'a conflict report');
      assert.deepEqual(snapshotDiff(blocked, snapshot(install)), [], 'a conflict writes nothing (not the answers, not other files)');

      // 4. --force: overwritten, after a timestamped backup of the user's version (0600: it may hold secrets).
      const edited = readFileSync(conf, 'utf8');
      const r4 = render(install, file, '--force');
      assert.equal(r4.code, 0, r4.stderr);
      const backups = readdirSync(join(install, 'sentry')).filter((f) => f.startsWith('sentry.conf.py.bak-'));
      assert.equal(backups.length, 1, `backups: ${backups}`);
      assert.match(backups[0], /^sentry\.conf\.py\.bak-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$/);
      assert.equal(readFileSync(join(install, 'sentry', backups[0]), 'utf8'), edited);
      assert.equal(statSync(join(install, 'sentry', backups[0])).mode & 0o077, 0);
      assert.match(r4.stderr, /backup\s+.*sentry\.conf\.py\.bak-/);
      const forced = readFileSync(conf, 'utf8');
      assert.match(forced, /^SENTRY_DEFAULT_TIME_ZONE = u'Europe\/Madrid'$/m);
      assert.doesNotMatch(forced, /Asia\/Tokyo/);
      assertNoSecret(r4.stdout + r4.stderr, secretsOf(install), 'a forced render');
    } finally {
      removeDir(root);
    }
  });

  test(`${tag}: --dry-run prints a unified diff, writes nothing, and never prints a secret`, () => {
    const root = tempDir();
    try {
      const install = join(root, 'install');
      const file = writeAnswers(join(root, 'answers.yml'), answers(tag));

      // On a fresh directory: everything would be created (and the key generated), nothing is.
      const fresh = render(install, file, '--dry-run');
      assert.equal(fresh.code, 0, fresh.stderr);
      assert.equal(existsSync(install), false, 'a dry run created the install dir');
      assert.match(fresh.stdout, /^--- \/dev\/null\t?$/m);
      assert.match(fresh.stdout, /^\+\+\+ b\/sentry\/config\.yml\t?$/m);
      assert.match(fresh.stdout, /^@@ -0,0 \+1,\d+ @@$/m);
      assert.match(fresh.stdout, /<redacted>/, 'secret values are shown redacted');
      assert.match(fresh.stderr, /would generate the secret key/);
      assertNoSecret(fresh.stdout + fresh.stderr, [ADMIN_PW, MAIL_PW, LDAP_PW], 'a fresh dry run');
      // The key it would have generated appears nowhere either: every config line with it is redacted.
      const keyLine = tag === '9.1.2' ? /^\+SENTRY_SECRET_KEY=(.*)$/m : /^\+system\.secret-key: (.*)$/m;
      assert.equal(fresh.stdout.match(keyLine)?.[1], tag === '9.1.2' ? '<redacted>' : '"<redacted>"');

      assert.equal(render(install, file).code, 0);
      const secrets = secretsOf(install);
      const before = snapshot(install);

      // Changed answers, including the passwords: a diff, no write, no secret (old or new) printed.
      const NEW_MAIL_PW = 'New-Mail-Passw0rd-ghi';
      const NEW_LDAP_PW = 'New-Ldap-Passw0rd-jkl';
      writeAnswers(file, answers(tag, { 'mail.password': NEW_MAIL_PW, 'ldap.bindPassword': NEW_LDAP_PW, 'mail.username': 'new-user', timezone: 'Asia/Kolkata' }));
      const dry = render(install, file, '--dry-run');
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /^--- a\/sentry\/config\.yml\t?$/m);
      assert.match(dry.stdout, /^\+\+\+ b\/sentry\/config\.yml\t?$/m);
      assert.match(dry.stdout, /^-mail\.username: "sentry-mailer"$/m);
      assert.match(dry.stdout, /^\+mail\.username: "new-user"$/m);
      assert.match(dry.stdout, /^\+SENTRY_DEFAULT_TIME_ZONE = u'Asia\/Kolkata'$/m);
      assert.match(dry.stdout, /^@@ /m);
      assert.match(dry.stderr, /dry run: nothing was written/);
      assertNoSecret(dry.stdout + dry.stderr, [...secrets, NEW_MAIL_PW, NEW_LDAP_PW], 'a dry run');
      assert.deepEqual(snapshotDiff(before, snapshot(install)), [], 'a dry run wrote something');

      // The diff is a real unified diff: git applies it (a change far from any secret, so nothing is redacted).
      writeAnswers(file, answers(tag, { timezone: 'Asia/Kolkata', 'web.workers': 9 }));
      const plain = render(install, file, '--dry-run');
      assert.equal(plain.code, 0, plain.stderr);
      assert.doesNotMatch(plain.stdout, /<redacted>/);
      const patchFile = join(root, 'change.diff');
      writeFileSync(patchFile, plain.stdout);
      const check = spawnSync('git', ['apply', '--check', '--verbose', patchFile], { cwd: install, encoding: 'utf8' });
      assert.equal(check.status, 0, `git apply --check refused the dry-run diff:\n${check.stderr}`);
      assert.match(check.stderr, /sentry\/sentry\.conf\.py/);
      assert.deepEqual(snapshotDiff(before, snapshot(install)), []);

      // Unchanged answers: an empty diff.
      writeAnswers(file, answers(tag));
      const same = render(install, file, '--dry-run');
      assert.equal(same.code, 0);
      assert.equal(same.stdout, '');
      assert.match(same.stderr, /dry run: nothing to change/);
      assert.deepEqual(snapshotDiff(before, snapshot(install)), []);
    } finally {
      removeDir(root);
    }
  });
}

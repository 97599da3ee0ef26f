import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateAnswers } from '../../src/answers/load.js';
import { AnswersError, EXIT } from '../../src/errors.js';
import yaml from 'js-yaml';
import { RELEASES, SUPPORTED_TAGS } from '../../src/catalog.js';
import { isCronSchedule, isEmail, isHostName, isPipRequirement, isTimeZone, parseUrl } from '../../src/answers/validators.js';

const base = () => ({ url: 'https://sentry.example.com', admin: { email: 'admin@example.com', password: 'pw-123456' } });

function withAnswer(path: string, value: unknown, from: Record<string, any> = base()): Record<string, any> {
  const copy = structuredClone(from);
  const keys = path.split('.');
  let cur = copy;
  for (const k of keys.slice(0, -1)) cur = cur[k] ??= {};
  cur[keys[keys.length - 1]] = value;
  return copy;
}

function problemsOf(input: unknown): AnswersError {
  try {
    validateAnswers(input, '/nonexistent-install-dir');
  } catch (err) {
    assert.ok(err instanceof AnswersError, `expected AnswersError, got ${err}`);
    return err;
  }
  assert.fail('the answers were accepted');
}

function assertRefused(input: unknown, field: string) {
  const err = problemsOf(input);
  assert.equal(err.exitCode, EXIT.usage);
  assert.ok(
    err.problems.some((p) => p.path === field),
    `expected a problem for ${field}, got ${JSON.stringify(err.problems)}`,
  );
  assert.match(err.message, new RegExp(`- ${field.replace(/\./g, '\\.')}:`));
}

test('the baseline answers are valid (so every refusal below is caused by its one change)', () => {
  const { answers, adminPassword } = validateAnswers(base(), '/nonexistent-install-dir');
  assert.equal(answers.tag, '20.7.0');
  assert.equal(adminPassword, 'pw-123456');
});

const CASES: Array<[string, string, unknown]> = [
  ['admin email without @', 'admin.email', 'admin.example.com'],
  ['admin email with a space', 'admin.email', 'ad min@example.com'],
  ['mail.from without @', 'mail.from', 'sentry'],
  ['ftp url', 'url', 'ftp://sentry.example.com'],
  ['url without scheme', 'url', 'sentry.example.com'],
  ['url without host', 'url', 'https://'],
  ['url with a bad host', 'url', 'https://exa_mple..com'],
  ['url with user info', 'url', 'https://user:pw@sentry.example.com'],
  ['url with a query', 'url', 'https://sentry.example.com/?a=b'],
  ['url with a space', 'url', 'https://sentry.example.com/a b'],
  ['javascript url', 'url', 'javascript:alert(1)'],
  ['port 0', 'ports.http', 0],
  ['port 65536', 'ports.https', 65536],
  ['negative port', 'ports.http', -80],
  ['fractional port', 'ports.http', 80.5],
  ['port as text', 'ports.http', 'eighty'],
  ['unknown tag', 'tag', '9.1.3'],
  ['tag of an official release not supported yet', 'tag', '21.6.1'],
  ['time zone that does not exist', 'timezone', 'Mars/Olympus_Mons'],
  ['UTC offset instead of a zone', 'timezone', 'UTC+2'],
  ['path instead of a zone', 'timezone', '../../etc/passwd'],
  ['zone with a newline', 'timezone', 'Europe/Berlin\n'],
  ['zero workers', 'web.workers', 0],
  ['negative workers', 'web.workers', -2],
  ['fractional workers', 'web.workers', 1.5],
  ['plugin: index option', 'plugins.0', '--index-url x'],
  ['plugin: editable install', 'plugins.0', '-e .'],
  ['plugin: URL', 'plugins.0', 'http://x/y.whl'],
  ['plugin: shell injection', 'plugins.0', 'foo; rm -rf /'],
  ['plugin: direct reference', 'plugins.0', 'foo @ https://x/foo.whl'],
  ['plugin: local path', 'plugins.0', './foo.whl'],
  ['plugin: two lines', 'plugins.0', 'foo\nbar'],
  ['plugin: hash option', 'plugins.0', 'foo==1 --hash=sha256:00'],
  ['newline in the url host', 'url', 'https://sentry\n.example.com'],
  ['newline in the mail host', 'mail.host', 'smtp\nRCPT TO:<x@example.com>'],
  ['mail host that is not a host name', 'mail.host', 'smtp server'],
  ['control character in mail.username', 'mail.username', 'a\x07b'],
  ['NUL in ldap.bindDn', 'ldap.bindDn', 'cn=x\x00'],
  ['C1 control (NEL) in mail.subjectPrefix', 'mail.subjectPrefix', '[S]\u0085'],
  ['line separator in ldap.userDn', 'ldap.userDn', 'ou=a\u2028ou=b'],
  ['carriage return in the admin password', 'admin.password', 'pw\r'],
  ['tab in mail.password', 'mail.password', 'a\tb'],
  ['escape in the url', 'url', 'https://sentry.example.com/\x1b[2J'],
  ['unknown field', 'admin.emial', 'x@example.com'],
  ['tls off for an https url', 'tls.mode', 'off'],
  ['bad tls mode', 'tls.mode', 'letsencrypt'],
  ['ldap server that is not an LDAP URI', 'ldap.server', 'http://ldap.example.com'],
  ['bad cron schedule', 'cleanup.schedule', '0 3 * *'],
  ['bad registry prefix', 'images.registry', 'https://mirror.example.com'],
  ['buffer size too small', 'web.bufferSize', 1024],
];

for (const [name, field, value] of CASES) {
  test(`refused with exit 2 and the field named: ${name}`, () => {
    assertRefused(withAnswer(field.replace(/\.0$/, ''), field.endsWith('.0') ? [value] : value), field);
  });
}

test('the same port twice is refused on ports.https', () => {
  assertRefused(withAnswer('ports', { http: 8080, https: 8080 }), 'ports.https');
});

test('LDAP on: the user DN and a filter with %(user)s are required', () => {
  assertRefused(withAnswer('ldap', { enabled: true, userFilter: '(uid=%(user)s)' }), 'ldap.userDn');
  assertRefused(withAnswer('ldap', { enabled: true, userDn: 'ou=people,dc=x', userFilter: '(uid=*)' }), 'ldap.userFilter');
});

test('an LDAP filter must survive the %-formatting django-auth-ldap applies to it', () => {
  assertRefused(withAnswer('ldap', { enabled: true, userDn: 'ou=p', userFilter: '(&(uid=%(user)s)(x=100%))' }), 'ldap.userFilter');
  assertRefused(withAnswer('ldap', { enabled: true, userDn: 'ou=p', userFilter: '(&(uid=%(user)s)(x=%s))' }), 'ldap.userFilter');
  assertRefused(withAnswer('ldap', { enabled: true, userDn: 'ou=p', userFilter: '(&(uid=%(user)s)(x=%(other)s))' }), 'ldap.userFilter');
  const ok = validateAnswers(withAnswer('ldap', { enabled: true, userDn: 'ou=p', userFilter: '(&(uid=%(user)s)(x=100%%))' }), '/x');
  assert.equal(ok.answers.ldap.userFilter, '(&(uid=%(user)s)(x=100%%))');
});

test('missing required answers are all listed at once', () => {
  const err = problemsOf({});
  assert.deepEqual(err.problems.map((p) => p.path).sort(), ['admin.email', 'admin.password', 'url']);
  const err2 = problemsOf({ admin: {} });
  assert.deepEqual(err2.problems.map((p) => p.path).sort(), ['admin.email', 'admin.password', 'url']);
});

test('a refused secret is never echoed back', () => {
  const err = problemsOf(withAnswer('admin.password', 'top-secret\x07'));
  assert.doesNotMatch(err.message, /top-secret/);
  const err2 = problemsOf(withAnswer('mail.password', 'mail-secret\x07'));
  assert.doesNotMatch(err2.message, /mail-secret/);
});

test('text that YAML reads as a number or a boolean: the problem says so and to quote it; a secret is not echoed', () => {
  const doc = yaml.load('url: https://sentry.example.com\nadmin: {email: admin@example.com, password: 1e3}\nmail: {username: true}\n', { schema: yaml.CORE_SCHEMA });
  const err = problemsOf(doc);
  assert.equal(err.exitCode, EXIT.usage);
  const byPath = Object.fromEntries(err.problems.map((p) => [p.path, p]));
  assert.match(byPath['admin.password'].expected, /YAML read the value as a number: put it in quotes/);
  assert.equal(byPath['admin.password'].given, '(hidden)');
  assert.doesNotMatch(err.message, /1000|1e3/);
  assert.match(byPath['mail.username'].expected, /YAML read the value as true\/false: put it in quotes/);
  // Quoted, the same text is accepted.
  const quoted = yaml.load('url: https://sentry.example.com\nadmin: {email: admin@example.com, password: "1e3"}\n', { schema: yaml.CORE_SCHEMA });
  assert.equal(validateAnswers(quoted, '/nonexistent-install-dir').adminPassword, '1e3');
  // A number where a number is expected gets no such hint; a missing text answer neither.
  assert.doesNotMatch(problemsOf(withAnswer('ports.http', 0)).message, /YAML read/);
  assert.doesNotMatch(problemsOf({ url: 'https://sentry.example.com', admin: { password: 'x' } }).message, /YAML read/);
});

test("admin.email: refused when longer than the release's user table holds (75 characters), for every release", () => {
  const at = '@example.com';
  for (const tag of SUPPORTED_TAGS) {
    assert.deepEqual(RELEASES[tag].answerLimits['admin.email'].map((l) => `${l.column}:${l.max}`), ['auth_user.email:75', 'auth_user.username:128']);
    const fits = 'a'.repeat(75 - at.length) + at;
    assert.equal(validateAnswers(withAnswer('tag', tag, withAnswer('admin.email', fits)), '/x').answers.admin.email, fits);
    const long = 'a'.repeat(76 - at.length) + at;
    assert.ok(isEmail(long), 'the long address is well-formed: only its length is refused');
    assertRefused(withAnswer('tag', tag, withAnswer('admin.email', long)), 'admin.email');
    const err = problemsOf(withAnswer('tag', tag, withAnswer('admin.email', long)));
    assert.match(err.message, new RegExp(`admin\\.email: got "a+@example\\.com"; expected at most 75 characters \\(Sentry ${tag.replace(/\./g, '\\.')} stores it in auth_user\\.email, varchar\\(75\\)\\); it has 76`));
    // Characters as PostgreSQL counts them: 75 non-BMP characters fit, though JavaScript counts 150 units.
    const wide = '\u{1F600}'.repeat(75 - at.length) + at;
    assert.equal(validateAnswers(withAnswer('tag', tag, withAnswer('admin.email', wide)), '/x').answers.admin.email, wide);
  }
  // Listed together with the schema's own problems (every problem at once).
  const both = problemsOf(withAnswer('ports.http', 0, withAnswer('admin.email', 'a'.repeat(70) + at)));
  assert.deepEqual(both.problems.map((p) => p.path).sort(), ['admin.email', 'ports.http']);
});

test('tls.mode defaults to self-signed for an https url and to off for an http one', () => {
  assert.equal(validateAnswers(base(), '/x').answers.tls.mode, 'self-signed');
  assert.equal(validateAnswers(withAnswer('url', 'http://sentry.example.com'), '/x').answers.tls.mode, 'off');
  assert.equal(validateAnswers(withAnswer('tls.mode', 'self-signed', withAnswer('url', 'http://s.example.com')), '/x').answers.tls.mode, 'self-signed');
});

test('validators: accept what is valid', () => {
  for (const e of ['a@example.com', 'first.last+tag@sub.example.co.uk', 'root@localhost']) assert.ok(isEmail(e), e);
  for (const h of ['smtp', 'mail.example.com', '127.0.0.1', '::1', 'xn--bcher-kva.example']) assert.ok(isHostName(h), h);
  for (const u of ['https://sentry.example.com', 'http://10.0.0.5:9000', 'https://[::1]:8443/', 'https://sentry.example.com/sentry']) assert.ok(parseUrl(u), u);
  for (const z of ['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5']) assert.ok(isTimeZone(z), z);
  for (const r of ['sentry-plugins', 'sentry-plugins==9.1.2', 'foo[bar,baz]>=1.0,<2', 'a.b_c-d~=1.2']) assert.ok(isPipRequirement(r), r);
  for (const c of ['0 3 * * *', '*/15 0-6 1,15 jan-jun mon-fri', '0 0 * * 7']) assert.ok(isCronSchedule(c), c);
});

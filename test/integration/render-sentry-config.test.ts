/**
 * sentry/config.yml read by PyYAML and sentry/sentry.conf.py executed by python3 (against the stand-in
 * sentry.conf.server in test/fixtures), with the container environment that compose resolves for `web`.
 * Every value must equal the answer it came from.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, fullAnswers, minimalAnswers, removeDir, render, tempDir, writeAnswers } from '../helpers/cli.js';
import { composeConfig, envMap, pythonSyntax, pyyamlLoad, requireReaders, sentryConf } from '../helpers/readers.js';

ensureBuilt();

type Tag = '9.1.2' | '20.7.0';
const TLS_SETTINGS = ['SECURE_PROXY_SSL_HEADER', 'USE_X_FORWARDED_HOST', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SOCIAL_AUTH_REDIRECT_IS_HTTPS'];

function renderInstall(answers: Record<string, any>): { root: string; install: string; secretKey: string } {
  const root = tempDir();
  const install = join(root, 'install');
  const r = render(install, writeAnswers(join(root, 'answers.yml'), answers));
  assert.equal(r.code, 0, r.stderr);
  const secretKey = JSON.parse(readFileSync(join(install, '.sentry-onprem', 'secrets.json'), 'utf8')).secretKey;
  return { root, install, secretKey };
}

/** What config.yml must hold for these answers (after PyYAML). */
function expectedConfigYml(tag: Tag, a: Record<string, any>, secretKey: string): Record<string, unknown> {
  const host = new URL(a.url).hostname;
  const mail = a.mail ?? {};
  const out: Record<string, unknown> = {
    'mail.backend': mail.backend === 'dummy' ? 'dummy' : mail.useSsl ? 'django_smtp_ssl.SSLEmailBackend' : 'smtp',
    'mail.host': mail.host ?? 'smtp',
    'mail.port': mail.port ?? 25,
    'mail.username': mail.username ?? '',
    'mail.password': mail.password ?? '',
    'mail.use-tls': mail.useTls ?? false,
    'mail.from': mail.from ?? `sentry@${host}`,
    'mail.subject-prefix': mail.subjectPrefix ?? '[Sentry] ',
    'system.url-prefix': a.url.replace(/\/+$/, ''),
  };
  if (tag === '20.7.0') {
    Object.assign(out, {
      'system.secret-key': secretKey,
      'system.internal-url-prefix': 'http://web:9000',
      'filestore.backend': 'filesystem',
      'filestore.options': { location: '/data/files' },
      'dsym.cache-path': '/data/dsym-cache',
      'releasefile.cache-path': '/data/releasefile-cache',
      'symbolicator.enabled': true,
      'symbolicator.options': { url: 'http://symbolicator:3021' },
      'transaction-events.force-disable-internal-project': true,
      'slack.legacy-app': false,
    });
  }
  return out;
}

function checkSentryConf(tag: Tag, a: Record<string, any>, install: string, secretKey: string) {
  const file = join(install, 'sentry', 'sentry.conf.py');
  const syntax = pythonSyntax(file);
  assert.equal(syntax.ok, true, `not Python 3.4 syntax: ${syntax.error}`);
  assert.ok(syntax.ascii || syntax.declaresEncoding, 'non-ASCII bytes without an encoding declaration');

  const compose = composeConfig(install, 2);
  assert.equal(compose.code, 0, compose.stderr);
  const env = envMap(compose.config.services.web.environment);
  const s = sentryConf(file, env);

  assert.equal(s.SENTRY_DEFAULT_TIME_ZONE, a.timezone ?? 'UTC');
  assert.equal(s.SENTRY_WEB_OPTIONS.workers, a.web?.workers ?? s.SENTRY_WEB_OPTIONS.workers);
  assert.ok(Number.isInteger(s.SENTRY_WEB_OPTIONS.workers) && s.SENTRY_WEB_OPTIONS.workers >= 1);
  assert.equal(s.SENTRY_WEB_OPTIONS['buffer-size'], a.web?.bufferSize ?? 32768);
  assert.equal(s.SENTRY_WEB_HOST, '0.0.0.0');
  assert.equal(s.SENTRY_WEB_PORT, 9000);

  if (tag === '9.1.2') {
    assert.equal(s.SENTRY_OPTIONS['system.secret-key'], secretKey, 'the key reaches Sentry 9.1.2 through .env and env_file');
  } else {
    assert.equal(s.SENTRY_OPTIONS['system.event-retention-days'], a.retention?.days ?? 90, 'retention.days reaches the Sentry option');
    assert.deepEqual(s.KAFKA_CLUSTERS.default['bootstrap.servers'], 'kafka:9092');
  }

  if (new URL(a.url).protocol === 'https:') {
    assert.deepEqual(s.SECURE_PROXY_SSL_HEADER, ['HTTP_X_FORWARDED_PROTO', 'https']);
    assert.equal(s.__types__.SECURE_PROXY_SSL_HEADER, 'tuple');
    for (const k of TLS_SETTINGS.slice(1)) assert.equal(s[k], true, k);
  } else {
    for (const k of TLS_SETTINGS) assert.equal(k in s, false, `${k} is set for an http url`);
  }

  const ldap = a.ldap ?? {};
  if (ldap.enabled) {
    assert.equal(s.AUTH_LDAP_SERVER_URI, ldap.server);
    assert.equal(s.AUTH_LDAP_BIND_DN, ldap.bindDn);
    assert.equal(s.AUTH_LDAP_BIND_PASSWORD, ldap.bindPassword);
    assert.equal(s.AUTH_LDAP_USER_SEARCH.__class__, 'LDAPSearch');
    assert.deepEqual(s.AUTH_LDAP_USER_SEARCH.__dict__, { base_dn: ldap.userDn, scope: 2, filterstr: ldap.userFilter, attrlist: null });
    assert.ok(ldap.userFilter.includes('%(user)s'));
    assert.equal(s.__ldap_filter_for_alice__, ldap.userFilter.replace('%(user)s', 'alice').replace(/%%/g, '%'));
    const groupClass = { groupOfUniqueNames: 'GroupOfUniqueNamesType', groupOfNames: 'GroupOfNamesType', posixGroup: 'PosixGroupType', activeDirectory: 'ActiveDirectoryGroupType' }[
      (ldap.groupType ?? 'groupOfUniqueNames') as string
    ];
    assert.equal(s.AUTH_LDAP_GROUP_TYPE.__class__, groupClass);
    assert.equal(s.AUTH_LDAP_DEFAULT_SENTRY_ORGANIZATION, ldap.defaultOrganization ?? 'sentry');
    assert.equal(s.__types__.AUTHENTICATION_BACKENDS, 'tuple');
    assert.equal(s.AUTHENTICATION_BACKENDS.at(-1), 'sentry_ldap_auth.backend.SentryLdapBackend');
  } else {
    assert.deepEqual(Object.keys(s).filter((k) => k.startsWith('AUTH_LDAP')), []);
    assert.ok(!s.AUTHENTICATION_BACKENDS.includes('sentry_ldap_auth.backend.SentryLdapBackend'));
  }
}

const VARIANTS: Array<[string, (tag: Tag) => Record<string, any>]> = [
  ['full answers, https, LDAP on', fullAnswers],
  ['minimal answers, http', (tag) => minimalAnswers(tag, 'http://sentry.example.com')],
  ['minimal answers, https', (tag) => minimalAnswers(tag)],
  [
    'mail over SSL, dummy-free, posix groups, %% in the LDAP filter',
    (tag) => ({
      ...fullAnswers(tag),
      mail: { host: '192.0.2.25', port: 465, useSsl: true, username: 'u', password: 'p' },
      ldap: { ...(fullAnswers(tag).ldap as object), groupType: 'posixGroup', userFilter: '(&(uid=%(user)s)(quota=100%%))' },
      web: { workers: 1 },
      retention: { days: 365 },
    }),
  ],
  ['dummy mail backend, active directory', (tag) => ({ ...fullAnswers(tag), mail: { backend: 'dummy' }, ldap: { ...(fullAnswers(tag).ldap as object), groupType: 'activeDirectory' } })],
];

for (const tag of ['9.1.2', '20.7.0'] as const) {
  for (const [name, make] of VARIANTS) {
    test(`${tag}, ${name}: PyYAML reads config.yml, python3 runs sentry.conf.py; values equal the answers`, (t) => {
      if (!requireReaders(t, 'python3', 'pyyaml', 'compose-v2')) return;
      const a = make(tag);
      const { root, install, secretKey } = renderInstall(a);
      try {
        const doc = pyyamlLoad(join(install, 'sentry', 'config.yml'));
        assert.deepEqual(doc, expectedConfigYml(tag, a, secretKey));
        checkSentryConf(tag, a, install, secretKey);
      } finally {
        removeDir(root);
      }
    });
  }
}

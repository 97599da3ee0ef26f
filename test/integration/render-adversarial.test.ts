/**
 * Hostile values in every free-text answer: each one either round-trips exactly through the real
 * readers (PyYAML for config.yml and the saved answers, python3 for sentry.conf.py, compose v1/v2 for
 * the paths in docker-compose.yml) or is refused up front: exit 2, the field named, nothing written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, cpSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureBuilt, minimalAnswers, removeDir, render, tempDir, writeAnswers } from '../helpers/cli.js';
import { composeConfig, pythonSyntax, pyyamlLoad, requireReaders, sentryConf } from '../helpers/readers.js';
import { NASTY } from '../helpers/values.js';

ensureBuilt();

const EXTRA = [
  'a'.repeat(300) + 'é'.repeat(300) + '😀'.repeat(300),
  "\\'; import os; os.system('id') #",
  '"; DROP TABLE users; --',
  '\\u00e9 \\U0001F600 \\N{DASH}',
  "u'' b'' r'' f'{x}'",
  '%(user)s %(foo)s',
  ':foo:bar:',
  '../../etc/passwd',
  '*.* ?[]',
];

const VALUES = [...NASTY, ...EXTRA];

type Fields = Record<string, string>;

/** The answer of each free-text field, built around the hostile value. */
function fieldsFor(v: string): Fields {
  return {
    'mail.username': v,
    'mail.password': v,
    'mail.subjectPrefix': v,
    'mail.from': `${v}@example.com`,
    'mail.host': v,
    'admin.email': `${v}@example.com`,
    'admin.password': v,
    'ldap.bindDn': v,
    'ldap.bindPassword': v,
    'ldap.userDn': v,
    'ldap.userFilter': `(&(uid=%(user)s)(description=${v}))`,
    url: `https://sentry.example.com/${v}`,
    'storage.dataDir': `./data ${v}`,
    'tls.cert': `./certs ${v}/cert.pem`,
    'tls.key': `./certs ${v}/key.pem`,
  };
}

const DEFAULTS: Fields = {
  'mail.username': 'u',
  'mail.password': 'p',
  'mail.subjectPrefix': '[Sentry] ',
  'mail.from': 'sentry@example.com',
  'mail.host': 'smtp',
  'admin.email': 'admin@example.com',
  'admin.password': 'pw-123456',
  'ldap.bindDn': 'cn=x',
  'ldap.bindPassword': 'ldap-pw',
  'ldap.userDn': 'ou=people',
  'ldap.userFilter': '(uid=%(user)s)',
  url: 'https://sentry.example.com',
  'storage.dataDir': './data',
  'tls.cert': './certs/cert.pem',
  'tls.key': './certs/key.pem',
};

function answersOf(tag: '9.1.2' | '20.7.0', f: Fields): Record<string, any> {
  const a: Record<string, any> = { ...minimalAnswers(tag), ldap: { enabled: true }, storage: { mode: 'bind' }, tls: { mode: 'files' }, mail: {} };
  for (const [path, value] of Object.entries(f)) {
    const keys = path.split('.');
    let cur = a;
    for (const k of keys.slice(0, -1)) cur = cur[k] ??= {};
    cur[keys[keys.length - 1]] = value;
  }
  return a;
}

/** One certificate for the url's host (made once per run in certDir), copied wherever an answer points. */
let certDir: string | undefined;
function placeCert(root: string, certPath: string, keyPath: string): boolean {
  try {
    mkdirSync(resolve(root, 'install', certPath, '..'), { recursive: true });
    mkdirSync(resolve(root, 'install', keyPath, '..'), { recursive: true });
    cpSync(join(certDir!, 'cert.pem'), resolve(root, 'install', certPath));
    cpSync(join(certDir!, 'key.pem'), resolve(root, 'install', keyPath));
    return true;
  } catch {
    return false; // a name the file system cannot hold (too long): the answer cannot point at a real file
  }
}

function refusedFields(stderr: string, fields: string[]): string[] {
  return fields.filter((f) => new RegExp(`^  - ${f.replace(/\./g, '\\.')}: `, 'm').test(stderr));
}

for (const tag of ['20.7.0', '9.1.2'] as const) {
  test(`${tag}: hostile values round-trip exactly through PyYAML, python3 and compose, or are refused with exit 2`, (t) => {
    if (!requireReaders(t, 'python3', 'pyyaml', 'compose-v1', 'compose-v2', 'openssl')) return;
    const root0 = tempDir();
    certDir = root0;
    try {
      // A real certificate for sentry.example.com, made once (tls.mode files is checked against it).
      const mk = render(join(root0, 'mk'), writeAnswers(join(root0, 'mk.yml'), minimalAnswers(tag)));
      assert.equal(mk.code, 0, mk.stderr);
      cpSync(join(root0, 'mk', 'tls', 'cert.pem'), join(root0, 'cert.pem'));
      cpSync(join(root0, 'mk', 'tls', 'key.pem'), join(root0, 'key.pem'));

      let accepted = 0;
      let refused = 0;
      for (const v of VALUES) {
        const label = JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...(${v.length})` : v);
        const root = tempDir();
        try {
          const install = join(root, 'install');
          const fields = fieldsFor(v);
          const answersFile = join(root, 'answers.yml');

          // 1. Everything hostile at once: what is refused is named, and nothing is written. File checks
          //    (tls.cert/key) run once the rest is valid, so a refusal can take more than one round.
          let ok: Fields = { ...fields };
          placeCert(root, ok['tls.cert'], ok['tls.key']);
          for (let round = 0; ; round++) {
            const r = render(install, writeAnswers(answersFile, answersOf(tag, ok)));
            if (r.code === 0) break;
            assert.equal(r.code, 2, `${label}: exit ${r.code}\n${r.stderr}`);
            assert.ok(round < 3, `${label}: still refused after ${round} rounds:\n${r.stderr}`);
            const named = refusedFields(r.stderr, Object.keys(fields));
            assert.ok(named.length > 0, `${label}: exit 2 without naming a field:\n${r.stderr}`);
            assert.ok(named.every((f) => ok[f] === fields[f]), `${label}: a replaced (plain) value was refused:\n${r.stderr}`);
            assert.equal(existsSync(join(install, 'docker-compose.yml')), false, `${label}: files were written`);
            assert.equal(existsSync(join(install, '.sentry-onprem')), false, `${label}: state was written`);
            refused += named.length;
            // 2. The rest must be accepted: replace only the named fields.
            for (const f of named) ok[f] = DEFAULTS[f];
            if (named.includes('tls.cert') || named.includes('tls.key')) {
              ok['tls.cert'] = DEFAULTS['tls.cert'];
              ok['tls.key'] = DEFAULTS['tls.key'];
            }
            placeCert(root, ok['tls.cert'], ok['tls.key']);
          }
          accepted += Object.values(ok).filter((x, i) => x === Object.values(fields)[i]).length;

          // config.yml through PyYAML
          const cfg = pyyamlLoad(join(install, 'sentry', 'config.yml')) as Record<string, unknown>;
          assert.equal(cfg['mail.username'], ok['mail.username'], `${label}: mail.username`);
          assert.equal(cfg['mail.password'], ok['mail.password'], `${label}: mail.password`);
          assert.equal(cfg['mail.subject-prefix'], ok['mail.subjectPrefix'], `${label}: mail.subjectPrefix`);
          assert.equal(cfg['mail.from'], ok['mail.from'], `${label}: mail.from`);
          assert.equal(cfg['mail.host'], ok['mail.host'], `${label}: mail.host`);
          assert.equal(cfg['system.url-prefix'], ok.url.replace(/\/+$/, ''), `${label}: url`);

          // sentry.conf.py through python3
          const py = join(install, 'sentry', 'sentry.conf.py');
          const syntax = pythonSyntax(py);
          assert.ok(syntax.ok, `${label}: ${syntax.error}`);
          assert.ok(syntax.ascii, `${label}: non-ASCII bytes in sentry.conf.py`);
          const s = sentryConf(py, { SENTRY_SECRET_KEY: 'k'.repeat(50), SENTRY_REDIS_HOST: 'redis' });
          assert.equal(s.AUTH_LDAP_BIND_DN, ok['ldap.bindDn'], `${label}: ldap.bindDn`);
          assert.equal(s.AUTH_LDAP_BIND_PASSWORD, ok['ldap.bindPassword'], `${label}: ldap.bindPassword`);
          assert.equal(s.AUTH_LDAP_USER_SEARCH.__dict__.base_dn, ok['ldap.userDn'], `${label}: ldap.userDn`);
          assert.equal(s.AUTH_LDAP_USER_SEARCH.__dict__.filterstr, ok['ldap.userFilter'], `${label}: ldap.userFilter`);
          assert.equal(s.__ldap_filter_error__, undefined, `${label}: the filter breaks django-auth-ldap: ${s.__ldap_filter_error__}`);

          // The saved answers through PyYAML; the passwords only in secrets.json.
          const saved = pyyamlLoad(join(install, 'sentry-onprem.yml')) as Record<string, any>;
          assert.equal(saved.admin.email, ok['admin.email'], `${label}: saved admin.email`);
          assert.equal(saved.mail.username, ok['mail.username'], `${label}: saved mail.username`);
          assert.equal(saved.ldap.userFilter, ok['ldap.userFilter'], `${label}: saved ldap.userFilter`);
          assert.equal(saved.url, ok.url, `${label}: saved url`);
          assert.equal(saved.storage.dataDir, ok['storage.dataDir'], `${label}: saved storage.dataDir`);
          assert.equal(saved.admin.password, undefined);
          const secrets = JSON.parse(readFileSync(join(install, '.sentry-onprem', 'secrets.json'), 'utf8'));
          assert.equal(secrets.adminPassword, ok['admin.password'], `${label}: admin.password`);
          assert.equal(secrets.mailPassword ?? '', ok['mail.password'], `${label}: mail.password kept`);
          assert.equal(secrets.ldapBindPassword ?? '', ok['ldap.bindPassword'], `${label}: ldap.bindPassword kept`);

          // Paths in docker-compose.yml through compose v1 and v2.
          for (const version of [1, 2] as const) {
            const c = composeConfig(install, version);
            assert.equal(c.code, 0, `${label}: compose v${version} refused the file:\n${c.stderr}`);
            const pg = c.config.services.postgres.volumes;
            const pgSource = typeof pg[0] === 'string' ? pg[0].split(':')[0] : pg.find((x: any) => x.target === '/var/lib/postgresql/data')?.source;
            assert.equal(pgSource, join(resolve(install, ok['storage.dataDir']), 'sentry-postgres'), `${label}: compose v${version} storage.dataDir`);
            const nginxVols = c.config.services.nginx.volumes;
            const certSource = nginxVols.map((x: any) => (typeof x === 'string' ? { source: x.split(':')[0], target: x.split(':')[1] } : x)).find((x: any) => x.target === '/etc/nginx-tls/cert.pem')?.source;
            assert.equal(certSource, resolve(install, ok['tls.cert']), `${label}: compose v${version} tls.cert`);
          }

          // Re-rendering the same answers changes nothing: the hostile values survive their own round trip.
          const again = render(install, answersFile);
          assert.equal(again.code, 0, again.stderr);
          assert.match(again.stderr, /nothing to change/, `${label}: a second render rewrote files:\n${again.stderr}`);
        } finally {
          removeDir(root);
        }
      }
      t.diagnostic(`${VALUES.length} hostile values: ${accepted} field values accepted and round-tripped, ${refused} refused with exit 2`);
      assert.ok(accepted > VALUES.length * 5, 'most hostile values are accepted somewhere (the test is not just watching refusals)');
    } finally {
      removeDir(root0);
    }
  });
}

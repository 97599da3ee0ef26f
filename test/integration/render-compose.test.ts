/**
 * docker-compose.yml + .env read by compose v1 (`docker-compose config`) and v2 (`docker compose config
 * --format json`): both accept them, and the services, images, commands (and depends_on) equal the
 * official releases' tables in sentry-onpremise-reference.md §2.1 (9.1.2) and §2.3 (20.7.0), except the
 * documented differences: 9.1.2 gets an `nginx` service, and its sentry services use the image
 * `sentry-onpremise-local` built from ./sentry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, fullAnswers, minimalAnswers, removeDir, render, tempDir, writeAnswers, writeFixedSecrets } from '../helpers/cli.js';
import { composeConfig, envMap, requireReaders } from '../helpers/readers.js';
import { SECRET_ALPHABET } from '../../src/secrets.js';

ensureBuilt();

// ---- The tables, copied from sentry-onpremise-reference.md (columns: service, image / build, command, depends_on) ----

const S_DEPS_912 = ['redis', 'postgres', 'memcached', 'smtp'];
const TABLE_912: Array<[string, string, string, string[]]> = [
  ['smtp', 'tianon/exim4', '—', []],
  ['memcached', 'memcached:1.5-alpine', '—', []],
  ['redis', 'redis:3.2-alpine', '—', []],
  ['postgres', 'postgres:9.5', '—', []],
  ['web', '(build .)', '—', S_DEPS_912],
  ['cron', '(build .)', '`run cron`', S_DEPS_912],
  ['worker', '(build .)', '`run worker`', S_DEPS_912],
];

const S_DEPS_2070 = ['redis', 'postgres', 'memcached', 'smtp', 'snuba-api', 'snuba-consumer', 'snuba-outcomes-consumer', 'snuba-sessions-consumer', 'snuba-transactions-consumer', 'snuba-replacer', 'symbolicator', 'kafka'];
const N_DEPS_2070 = ['redis', 'clickhouse', 'kafka'];
const TABLE_2070: Array<[string, string, string, string[]]> = [
  ['smtp', 'tianon/exim4', '—', []],
  ['memcached', 'memcached:1.5-alpine', '—', []],
  ['redis', 'redis:5.0-alpine', '—', []],
  ['postgres', 'postgres:9.6', '—', []],
  ['zookeeper', 'confluentinc/cp-zookeeper:5.5.0', '—', []],
  ['kafka', 'confluentinc/cp-kafka:5.5.0', '—', ['zookeeper']],
  ['clickhouse', 'yandex/clickhouse-server:19.17', '—', []],
  ['snuba-api', 'getsentry/snuba:$SENTRY_VERSION', '—', N_DEPS_2070],
  ['snuba-consumer', 'getsentry/snuba:$SENTRY_VERSION', '`consumer --storage events --auto-offset-reset=latest --max-batch-time-ms 750`', N_DEPS_2070],
  ['snuba-outcomes-consumer', 'getsentry/snuba:$SENTRY_VERSION', '`consumer --storage outcomes_raw --auto-offset-reset=earliest --max-batch-time-ms 750`', N_DEPS_2070],
  ['snuba-sessions-consumer', 'getsentry/snuba:$SENTRY_VERSION', '`consumer --storage sessions_raw --auto-offset-reset=latest --max-batch-time-ms 750`', N_DEPS_2070],
  ['snuba-transactions-consumer', 'getsentry/snuba:$SENTRY_VERSION', '`consumer --storage transactions --auto-offset-reset=latest --max-batch-time-ms 750`', N_DEPS_2070],
  ['snuba-replacer', 'getsentry/snuba:$SENTRY_VERSION', '`replacer --storage events --auto-offset-reset=latest --max-batch-size 3`', N_DEPS_2070],
  ['snuba-cleanup', 'snuba-cleanup-onpremise-local (build ./cron FROM getsentry/snuba:$SENTRY_VERSION)', '`"*/5 * * * * gosu snuba snuba cleanup --dry-run False"`', N_DEPS_2070],
  ['symbolicator', 'getsentry/symbolicator:$SYMBOLICATOR_VERSION', '`run -c /etc/symbolicator/config.yml`', []],
  ['symbolicator-cleanup', 'symbolicator-cleanup-onpremise-local (build ./cron FROM getsentry/symbolicator:$SYMBOLICATOR_VERSION)', '`"55 23 * * * gosu symbolicator symbolicator cleanup"`', []],
  ['web', 'sentry-onpremise-local (build ./sentry)', '—', S_DEPS_2070],
  ['cron', 'sentry-onpremise-local (build ./sentry)', '`run cron`', S_DEPS_2070],
  ['worker', 'sentry-onpremise-local (build ./sentry)', '`run worker`', S_DEPS_2070],
  ['ingest-consumer', 'sentry-onpremise-local (build ./sentry)', '`run ingest-consumer --all-consumer-types`', S_DEPS_2070],
  ['post-process-forwarder', 'sentry-onpremise-local (build ./sentry)', '`run post-process-forwarder --commit-batch-size 1`', S_DEPS_2070],
  ['sentry-cleanup', 'sentry-cleanup-onpremise-local (build ./cron FROM sentry-onpremise-local)', '`"0 0 * * * gosu sentry sentry cleanup --days $SENTRY_EVENT_RETENTION_DAYS"`', S_DEPS_2070],
  ['nginx', 'nginx:1.16', '—', ['web', 'relay']],
  ['relay', 'getsentry/relay:$SENTRY_VERSION', '—', ['kafka', 'redis']],
];

/** The documented differences of this tool's 9.1.2 layout from the official one. */
function table912WithDifferences(): Array<[string, string, string, string[]]> {
  return [
    ...TABLE_912.map(([s, img, cmd, deps]): [string, string, string, string[]] => [s, img === '(build .)' ? 'sentry-onpremise-local (build ./sentry)' : img, cmd, deps]),
    ['nginx', 'nginx:1.16', '—', ['web']],
  ];
}

// ---- Reading the tables and the compose output ----

interface Expected {
  image: string;
  build?: { context: string; base?: string };
  command: string[] | null;
  deps: string[];
}

/** POSIX-shell-like split, as compose splits a string `command`. */
function shlexSplit(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === "'" || ch === '"') {
      const end = s.indexOf(ch, i + 1);
      if (end < 0) throw new Error(`unbalanced quote in ${s}`);
      cur += s.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

function expectedFrom(rows: Array<[string, string, string, string[]]>, vars: Record<string, string>, registry: string): Map<string, Expected> {
  const sub = (s: string) => s.replace(/\$([A-Z_]+)/g, (_m, k: string) => {
    assert.ok(k in vars, `no value for $${k}`);
    return vars[k];
  });
  const mirror = (image: string) => (!registry || image.endsWith('-onpremise-local') ? image : `${registry}/${image.includes('/') ? image : `library/${image}`}`);
  const out = new Map<string, Expected>();
  for (const [service, imageCol, commandCol, deps] of rows) {
    const built = imageCol.match(/^(\S+) \(build (\S+)(?: FROM (\S+))?\)$/);
    const e: Expected = built
      ? { image: built[1], build: { context: built[2], base: built[3] && mirror(sub(built[3])) }, command: null, deps }
      : { image: mirror(sub(imageCol)), command: null, deps };
    if (commandCol !== '—') e.command = shlexSplit(sub(commandCol.replace(/^`|`$/g, '')));
    out.set(service, e);
  }
  return out;
}

function dotenv(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = line.match(/^([A-Z_][A-Z0-9_]*)=(.*)$/);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

const depsOf = (d: unknown): string[] => (Array.isArray(d) ? d : Object.keys((d as object) ?? {})).slice().sort();
const commandOf = (c: unknown): string[] | null => (c == null ? null : Array.isArray(c) ? c : shlexSplit(String(c)));
const buildArg = (args: unknown, name: string): string | undefined => {
  if (Array.isArray(args)) {
    const hit = args.find((a: string) => a.startsWith(`${name}=`));
    return hit?.slice(name.length + 1);
  }
  const v = (args as Record<string, unknown> | undefined)?.[name];
  return v == null ? undefined : String(v);
};

function checkAgainstTable(config: any, expected: Map<string, Expected>, install: string, reader: string) {
  const services = config.services as Record<string, any>;
  assert.deepEqual(Object.keys(services).sort(), [...expected.keys()].sort(), `${reader}: the set of services`);
  for (const [name, e] of expected) {
    const s = services[name];
    assert.equal(s.image, e.image, `${reader}: image of ${name}`);
    assert.deepEqual(commandOf(s.command), e.command, `${reader}: command of ${name}`);
    assert.deepEqual(depsOf(s.depends_on), e.deps.slice().sort(), `${reader}: depends_on of ${name}`);
    if (e.build) {
      assert.ok(s.build, `${reader}: ${name} is built`);
      const context = typeof s.build === 'string' ? s.build : s.build.context;
      assert.equal(context, join(install, e.build.context), `${reader}: build context of ${name}`);
      if (e.build.base) assert.equal(buildArg(s.build.args, 'BASE_IMAGE'), e.build.base, `${reader}: base image of ${name}`);
    } else {
      assert.equal(s.build, undefined, `${reader}: ${name} is pulled, not built`);
    }
  }
}

for (const tag of ['9.1.2', '20.7.0'] as const) {
  for (const [variant, answers] of [
    ['minimal answers', minimalAnswers(tag)],
    ['full answers (registry mirror, LDAP, plugins)', fullAnswers(tag)],
    ['http only, bind-mounted storage', { ...minimalAnswers(tag, 'http://10.1.2.3:9000'), storage: { mode: 'bind', dataDir: './data' }, retention: { days: 7 } }],
  ] as const) {
    test(`${tag}, ${variant}: compose v1 and v2 accept the file and .env; services, images, commands equal the reference table`, (t) => {
      if (!requireReaders(t, 'compose-v1', 'compose-v2')) return;
      const root = tempDir();
      try {
        const install = join(root, 'install');
        const r = render(install, writeAnswers(join(root, 'answers.yml'), answers));
        assert.equal(r.code, 0, r.stderr);
        const env = dotenv(join(install, '.env'));
        const a = answers as Record<string, any>;
        assert.equal(env.SENTRY_EVENT_RETENTION_DAYS, String(a.retention?.days ?? 90));
        if (tag === '20.7.0') assert.equal(env.SENTRY_VERSION, '20.7.0');

        const rows = tag === '9.1.2' ? table912WithDifferences() : TABLE_2070;
        const expected = expectedFrom(rows, env, a.images?.registry ?? '');

        const v1 = composeConfig(install, 1);
        assert.equal(v1.code, 0, `docker-compose config failed:\n${v1.stderr}`);
        checkAgainstTable(v1.config, expected, install, 'compose v1');

        const v2 = composeConfig(install, 2);
        assert.equal(v2.code, 0, `docker compose config failed:\n${v2.stderr}`);
        checkAgainstTable(v2.config, expected, install, 'compose v2');
        assert.equal(v2.config.name, tag === '9.1.2' ? 'onpremise' : 'sentry_onpremise', 'the project name comes from .env');

        // Published ports: only nginx, as answered.
        const ports = v2.config.services.nginx.ports.map((p: any) => `${p.published}:${p.target}`);
        const https = new URL(a.url).protocol === 'https:' || a.tls?.mode === 'self-signed';
        assert.deepEqual(ports, [`${a.ports?.http ?? 80}:80`, ...(https ? [`${a.ports?.https ?? 443}:443`] : [])]);
        for (const [name, s] of Object.entries(v2.config.services as Record<string, any>)) if (name !== 'nginx') assert.equal(s.ports, undefined, `${name} publishes no port`);

        if (a.storage?.mode === 'bind') {
          const pg = v2.config.services.postgres.volumes.find((v: any) => v.target === '/var/lib/postgresql/data');
          assert.equal(pg.type, 'bind');
          assert.equal(pg.source, join(install, 'data', 'sentry-postgres'));
        }
      } finally {
        removeDir(root);
      }
    });
  }
}

test('9.1.2: a secret key made of every character of the alphabet reaches the containers unchanged (v1 and v2 read .env alike)', (t) => {
  if (!requireReaders(t, 'compose-v1', 'compose-v2')) return;
  const root = tempDir();
  try {
    const install = join(root, 'install');
    const key = (SECRET_ALPHABET + SECRET_ALPHABET).slice(0, 50);
    writeFixedSecrets(install, { secretKey: key });
    const r = render(install, writeAnswers(join(root, 'answers.yml'), minimalAnswers('9.1.2')));
    assert.equal(r.code, 0, r.stderr);
    for (const version of [1, 2] as const) {
      const c = composeConfig(install, version);
      assert.equal(c.code, 0, c.stderr);
      for (const service of ['web', 'cron', 'worker']) {
        assert.equal(envMap(c.config.services[service].environment).SENTRY_SECRET_KEY, key, `compose v${version}, ${service}`);
      }
    }
  } finally {
    removeDir(root);
  }
});

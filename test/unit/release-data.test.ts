/**
 * A release is data: no module outside the data names a release tag; each release's image lists agree
 * with the compose file it renders; and a release that exists only as data (a copy of 20.7.0 under
 * another tag, with other images and its own bootstrap) is rendered and planned by the same code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import yaml from 'js-yaml';
import { answersSchema, type Answers } from '../../src/answers/schema.js';
import { RELEASES, SUPPORTED_TAGS, describeBootstrap, officialName, type ReleaseInfo, type SupportedTag } from '../../src/releases/index.js';
import { buildView } from '../../src/render/view.js';
import { renderFiles } from '../../src/render/files.js';
import { imagesFor, imageEnv, pulledImages, sentryImageFor } from '../../src/render/images.js';
import { mountGroups } from '../../src/install/steps/up.js';
import { oneOffsFor } from '../../src/upgrade/hops.js';
import type { Ctx } from '../../src/install/context.js';
import { fullAnswers, ROOT } from '../helpers/cli.js';

/**
 * Data about the official installer's history, not decisions: the only places a tag may be written.
 * compose/versions.ts holds Compose versions (what a Compose feature needs), not Sentry tags.
 */
const DATA = ['src/releases/', 'src/catalog.ts', 'src/upgrade/known-tags.ts', 'compose/versions.ts'];
const TAG_LITERAL = /(['"`])\d+\.\d+\.\d+\1/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.c?ts$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Block comments, then line comments (not `://` in a url), so prose may still mention releases. */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');

test('no pipeline module names a release tag: every difference lives in src/releases/', () => {
  const files = [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'checks')), ...sources(join(ROOT, 'compose'))].filter((f) => !DATA.some((d) => f.startsWith(d)));
  assert.ok(files.length > 100, `only ${files.length} source files found`);
  const hits: string[] = [];
  for (const f of files) {
    code(readFileSync(join(ROOT, f), 'utf8'))
      .split('\n')
      .forEach((line, i) => {
        if (TAG_LITERAL.test(line)) hits.push(`${f}:${i + 1}: ${line.trim()}`);
      });
  }
  assert.deepEqual(hits, [], 'move these into the release data');
});

test('the scan would catch a tag comparison', () => {
  assert.ok(TAG_LITERAL.test(code("if (a.tag !== '9.1.2') {")));
  assert.ok(TAG_LITERAL.test(code('const t = "20.7.0"; // why')));
  assert.ok(!TAG_LITERAL.test(code("// official 9.1.2 reads '9.1.2'")));
});

function parse(tag: string): Answers {
  // No registry mirror: the compose file names the official images.
  return answersSchema.parse({ ...fullAnswers('20.7.0'), tag: SUPPORTED_TAGS.includes(tag as SupportedTag) ? tag : '20.7.0', images: { registry: '' } }) as Answers;
}

type Service = { image?: string; build?: { args?: string[] } };
function composeOf(tag: string): Record<string, Service> {
  const a = { ...parse(tag), tag: tag as SupportedTag };
  const files = renderFiles(buildView(a, 'k'.repeat(50), '/srv/sentry'));
  const compose = files.find((f) => f.path === 'docker-compose.yml')!;
  return (yaml.load(compose.content) as { services: Record<string, Service> }).services;
}

for (const tag of SUPPORTED_TAGS) {
  test(`${tag}: the release's image lists are the images its compose file runs and builds`, () => {
    const r = RELEASES[tag];
    const services = composeOf(tag);
    const images = imagesFor(tag, '');
    const byService = new Map<string, string>();
    for (const i of r.images) for (const s of i.services) byService.set(s, officialName(i));
    for (const b of r.builtImages) for (const s of b.services) byService.set(s, b.image);
    assert.deepEqual([...byService.keys()].sort(), Object.keys(services).sort(), 'every compose service, and only those, has its image in the data');
    for (const [name, s] of Object.entries(services)) assert.equal(s.image, byService.get(name), `image of ${name}`);
    for (const b of r.builtImages) {
      const base = 'built' in b.base ? b.base.built : images[b.base.pulled];
      const args = services[b.service].build?.args ?? [];
      assert.ok(args.some((x) => x.endsWith(`=${base}`)), `${b.service} builds ${b.image} from ${base}: ${args.join(' ')}`);
      if ('built' in b.base) assert.ok(r.builtImages.findIndex((x) => x.image === base) < r.builtImages.indexOf(b), `${base} is built before ${b.image}`);
    }
    assert.equal(sentryImageFor(tag, ''), services.web.image);
    for (const c of ['snuba', 'relay', 'symbolicator'] as const) {
      assert.equal(r.components[c], r.images.some((i) => i.key === c), `components.${c} says whether ${tag} runs ${c}`);
    }
  });
}

test('a release added only as data is rendered and planned by the same code', () => {
  const base = RELEASES['20.7.0'];
  const tag = '99.1.0';
  const fake: ReleaseInfo = {
    ...base,
    tag: tag as SupportedTag,
    projectName: 'sentry-self-hosted',
    images: base.images.map((i) =>
      i.key === 'snuba' || i.key === 'relay' ? { ...i, image: i.image.replace(/:.*/, `:${tag}`), registry: 'ghcr.io', env: { name: `${i.key.toUpperCase()}_IMAGE`, holds: 'image' } } : i,
    ),
    bootstrap: [{ kind: 'snuba-bootstrap', commands: [['bootstrap', '--no-migrate', '--force'], ['migrations', 'migrate', '--force']] }, { kind: 'relay-credentials', uid: 10001 }],
    arrival: { from: '20.7.0', oneOffs: [] },
  };
  const all = RELEASES as Record<string, ReleaseInfo>;
  all[tag] = fake;
  try {
    const a = { ...parse('20.7.0'), tag: tag as SupportedTag };
    const view = buildView(a, 'k'.repeat(50), '/srv/sentry');
    const files = renderFiles(view);
    assert.deepEqual(files.map((f) => f.path), base.files.map((f) => f.path));
    const text = (p: string) => files.find((f) => f.path === p)!.content;
    assert.match(text('docker-compose.yml'), /image: "ghcr\.io\/getsentry\/snuba:99\.1\.0"/);
    assert.match(text('.env'), /^COMPOSE_PROJECT_NAME=sentry-self-hosted$/m);
    assert.match(text('.env'), /^SNUBA_IMAGE=ghcr\.io\/getsentry\/snuba:99\.1\.0$/m);
    assert.match(text('.env'), /^RELAY_IMAGE=ghcr\.io\/getsentry\/relay:99\.1\.0$/m);
    assert.deepEqual(imageEnv(tag as SupportedTag, 'mirror.example:5000'), [
      { name: 'SENTRY_VERSION', value: '20.7.0' },
      { name: 'SNUBA_IMAGE', value: `mirror.example:5000/ghcr.io/getsentry/snuba:${tag}` },
      { name: 'RELAY_IMAGE', value: `mirror.example:5000/ghcr.io/getsentry/relay:${tag}` },
      { name: 'SYMBOLICATOR_VERSION', value: 'eac35a6058c7749bdf20ed219a377e49e02d0b76' },
    ]);
    assert.ok(pulledImages(tag as SupportedTag, '').includes(`ghcr.io/getsentry/relay:${tag}`));
    const groups = mountGroups({ answers: a, layout: { dir: '/srv/sentry' } } as unknown as Ctx);
    assert.deepEqual(Object.keys(groups), ['sentry', 'nginx', 'relay', 'symbolicator']);
    assert.deepEqual(groups.nginx.files, ['/srv/sentry/nginx/nginx.conf', '/srv/sentry/nginx/sentry.conf', '/srv/sentry/tls/cert.pem', '/srv/sentry/tls/key.pem']);
    assert.equal(describeBootstrap(fake.bootstrap), 'bootstrap: snuba bootstrap --no-migrate --force, snuba migrations migrate --force, Relay credentials when missing');
    assert.deepEqual(oneOffsFor('20.7.0', tag, { [tag]: fake.arrival }), []);
  } finally {
    delete all[tag];
  }
});

test('the bootstrap plan of each release is worded from its actions', () => {
  assert.equal(
    describeBootstrap(RELEASES['23.11.0'].bootstrap),
    'bootstrap: an empty geoip/GeoLite2-City.mmdb when missing, Relay credentials when missing, snuba bootstrap --no-migrate --force, snuba migrations migrate --force, ' +
      'Kafka topics ingest-attachments, ingest-transactions, ingest-events, ingest-replay-recordings, profiles, ingest-occurrences, ingest-metrics, ingest-performance-metrics when missing',
  );
  assert.equal(describeBootstrap(RELEASES['9.1.2'].bootstrap), 'no bootstrap');
  assert.equal(describeBootstrap(RELEASES['20.7.0'].bootstrap), 'bootstrap: snuba bootstrap --force, Relay credentials when missing');
  assert.equal(
    describeBootstrap(RELEASES['21.5.0'].bootstrap),
    'bootstrap: an empty geoip/GeoLite2-City.mmdb when missing, snuba bootstrap --no-migrate --force, snuba migrations migrate --force, Kafka topics ingest-attachments, ingest-transactions, ingest-events when missing, Relay credentials when missing',
  );
  assert.equal(
    describeBootstrap(RELEASES['26.8.0'].bootstrap),
    'bootstrap: Relay credentials when missing, seaweedfs buckets nodestore, profiles when missing, snuba bootstrap --force, wait for postgres, pgbouncer healthy',
  );
  assert.equal(
    describeBootstrap(RELEASES['25.5.1'].bootstrap),
    'bootstrap: sentry/sentry.conf.py must name .PyMemcacheCache, an empty geoip/GeoLite2-City.mmdb when missing, Relay credentials when missing, ' +
      'snuba bootstrap --force, wait for postgres healthy, sentry exec: groupedmessage-constraint',
  );
  assert.equal(
    describeBootstrap(RELEASES['26.5.1'].bootstrap),
    'bootstrap: sentry/sentry.conf.py must name .ReconnectingMemcache, an empty geoip/GeoLite2-City.mmdb when missing, Relay credentials when missing, ' +
      'seaweedfs buckets nodestore when missing, snuba bootstrap --force, seaweedfs buckets profiles when missing, wait for postgres, pgbouncer healthy',
  );
});

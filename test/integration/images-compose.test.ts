/**
 * `sentry-onprem images` against Compose itself: for a rendered install directory, the service images it lists
 * plus the locally built image names are exactly what `docker compose config --images` prints for the
 * directory's .env (its COMPOSE_PROFILES), registry mapping and profile included; and the build bases are the
 * `SENTRY_IMAGE`/`BASE_IMAGE` build arguments Compose resolves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureBuilt, removeDir, render, runCli, tempDir, writeAnswers } from '../helpers/cli.js';
import { COMPOSE_V2_CONFIG, composeConfig, requireReaders } from '../helpers/readers.js';
import { RELEASES, type SupportedTag } from '../../src/catalog.js';

ensureBuilt();

interface Listed {
  name: string;
  uses: Array<{ kind: string; builds?: string }>;
}

function composeImages(dir: string): string[] {
  const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_CONFIG: COMPOSE_V2_CONFIG };
  for (const k of Object.keys(env)) if (/^(COMPOSE_|SENTRY_|DOCKER_HOST)/.test(k)) delete env[k];
  const r = spawnSync('docker', ['compose', 'config', '--images'], { cwd: dir, env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return [...new Set(r.stdout.split('\n').filter(Boolean))].sort();
}

const CASES: Array<{ tag: SupportedTag; extra?: Record<string, unknown> }> = [
  { tag: '9.1.2' },
  { tag: '20.7.0' },
  { tag: '26.8.0' },
  { tag: '26.8.0', extra: { profile: 'errors-only' } },
  { tag: '20.7.0', extra: { images: { registry: 'mirror.example.com:5000/proxy' } } },
  { tag: '26.8.0', extra: { images: { registry: { 'docker.io': 'hub.example.com/d', 'ghcr.io': '', 'registry.gitlab.com': 'gl.example.com' } } } },
];

for (const c of CASES) {
  test(`images --tag ${c.tag} ${JSON.stringify(c.extra ?? {})}: the rendered compose file's images (compose v2 config --images)`, (t) => {
    if (!requireReaders(t, 'compose-v2')) return;
    const root = tempDir();
    try {
      const install = join(root, 'install');
      const answers = { tag: c.tag, url: 'https://sentry.example.com:8443', admin: { email: 'admin@example.com', password: 'pw-pw-pw-pw' }, ports: { http: 8080, https: 8443 }, ...c.extra };
      const file = writeAnswers(join(root, 'answers.yml'), answers);
      const r = render(install, file);
      assert.equal(r.code, 0, r.stderr);
      const listed = runCli(['images', '--tag', c.tag, '--answers', file, '--json']);
      assert.equal(listed.code, 0, listed.stderr);
      const out = JSON.parse(listed.stdout) as { release: string; images: Listed[] };
      assert.equal(out.release, c.tag);
      const services = out.images.filter((i) => i.uses.some((u) => u.kind === 'service')).map((i) => i.name);
      const built = RELEASES[c.tag].builtImages.map((b) => b.image);
      assert.deepEqual([...new Set([...services, ...built])].sort(), composeImages(install));

      // Every build base is what Compose passes to the build that starts FROM it.
      const cfg = composeConfig(install, 2);
      assert.equal(cfg.code, 0, cfg.stderr);
      const args = Object.values(cfg.config.services as Record<string, { build?: { args?: Record<string, string> } }>).flatMap((s) => Object.values(s.build?.args ?? {}));
      for (const base of out.images.filter((i) => i.uses.some((u) => u.kind === 'build-base'))) {
        assert.ok(args.includes(base.name), `${base.name} is no build argument of the compose file: ${JSON.stringify(args)}`);
      }
    } finally {
      removeDir(root);
    }
  });
}

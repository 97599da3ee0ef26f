/**
 * `sentry-onprem install` of each hard stop that has no end-to-end file of its own (21.5.0, 21.6.3, 23.6.2,
 * 23.11.0, 25.5.1, 26.5.1), on the real engine with Compose v2 and the stand-in images under the official
 * names. Per release: a fresh install exits 0; every service of the rendered compose file (active profile)
 * runs and every one with a healthcheck is healthy; `/_health/` is 200 through the vhost with the rendered
 * certificate; the admin is in auth_user; the install reports each bootstrap action of the release's data
 * and ran the release's migrations command; no one-off container is left; a no-op re-run changes nothing;
 * then everything is removed. The 25.x/26.x releases run errors-only (the CI budget: half the containers),
 * with `--skip-check cpu` wherever the release asks for more CPUs than the engine has.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  assertAllHealthy, assertMigrated, assertNoopRerun, assertVhostAndAdmin, bootstrapReports, composeEnv, docker, engineReachable, fixture, runCli, SHORT_HEALTHCHECKS, teardown,
} from './harness.js';
import { RELEASES, minimumsFor, type SupportedTag } from '../../src/catalog.js';
import type { Profile } from '../../src/releases/types.js';

before(() => {
  if (!engineReachable() && process.env.CI) throw new Error('no Docker engine: .ci/run must start dockerd before the tests');
});
const skip = !engineReachable() && !process.env.CI ? 'no Docker engine (run .ci/run)' : false;

// The healthcheck timings of the releases that read them from `.env` (23.6.2 on), shorter from the
// environment as Compose allows: the same checks, run sooner (stand-in heartbeats every 5 s).
const env = { ...composeEnv('v2'), ...SHORT_HEALTHCHECKS };
const ports = { http: 18640, https: 18641 };

interface Case {
  tag: SupportedTag;
  profile?: Profile;
  /** More answers (26.x: the S3 nodestore as a plugin, which the release otherwise installs from GitHub). */
  extra?: string;
}

const CASES: Case[] = [
  { tag: '21.5.0' },
  { tag: '21.6.3' },
  { tag: '23.6.2' },
  { tag: '23.11.0' },
  { tag: '25.5.1', profile: 'errors-only' },
  { tag: '26.5.1', profile: 'errors-only', extra: 'plugins: [sentry-nodestore-s3==1.0.0]' },
];

const engineCpus = () => Number(docker(['info', '--format', '{{.NCPU}}']).trim());

for (const { tag, profile, extra = '' } of CASES) {
  test(`install ${tag}${profile ? ` ${profile}` : ''} with compose v2: every service running and healthy, vhost, admin, the release's install steps; a no-op re-run`, { skip, timeout: 8 * 60_000 }, async () => {
    const release = RELEASES[tag];
    const project = release.projectName;
    const volumes = release.externalVolumes;
    const fx = fixture(tag, ports, [extra, profile ? `profile: ${profile}` : ''].join('\n'));
    const args = (minimumsFor(tag, profile).cpus ?? 0) > engineCpus() ? ['--skip-check', 'cpu'] : [];
    teardown(fx.dir, 'v2', project, volumes);
    try {
      const first = await runCli(['install', '--dir', fx.dir, '--answers', fx.answersFile, '--yes', ...args], env);
      assert.equal(first.code, 0, `install failed:\n${first.stderr.slice(-5000)}`);
      assert.match(first.stderr, /using docker compose/);
      assert.doesNotMatch(first.stderr, /Pulling|pull access/, 'the install pulled an image');
      for (const re of bootstrapReports(tag, profile)) assert.match(first.stderr, re, `the install did not report ${re}`);

      // 21.x's installer waits for the vhost only: its healthchecks (21.6.3: every 30 s) may still be starting.
      const { services, checked, running } = assertAllHealthy(fx.dir, project, profile, 90_000);
      assert.ok(services.length >= 20, `only ${services.length} services`);
      await assertVhostAndAdmin(fx.dir, project, ports.https);
      assertMigrated(tag, project);

      const second = await assertNoopRerun(fx.dir, project, args, env);
      assert.ok(second.ms <= 0.05 * first.ms, `no-op re-run ${second.ms} ms > 0.05 x ${first.ms} ms`);
      console.log(`# ${tag}: install ${(first.ms / 1000).toFixed(1)} s, no-op ${(second.ms / 1000).toFixed(1)} s (${running} containers, ${checked.length} healthchecks${profile ? `, ${profile}` : ''})`);
    } finally {
      teardown(fx.dir, 'v2', project, volumes);
      rmSync(dirname(fx.dir), { recursive: true, force: true });
    }
  });
}

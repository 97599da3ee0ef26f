/**
 * The bootstrap action that needs no engine: the sentry.conf.py cache check (install/check-memcached-backend.sh),
 * run through the bootstrap step with the 24.8.0 release data. It refuses before any other action asks the engine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapStep } from '../../src/install/steps/bootstrap.js';
import { RELEASES } from '../../src/releases/index.js';
import { UserError, EXIT } from '../../src/errors.js';
import type { Ctx } from '../../src/install/context.js';

const FILE_CHECK = RELEASES['24.8.0'].bootstrap.find((a) => a.kind === 'file-check')!;

/** A dry-run context: nothing is changed. */
function ctxFor(dir: string): Ctx {
  return {
    answers: { tag: '24.8.0', images: { registry: '' } },
    layout: { dir },
    state: { builds: {} },
    dryRun: true,
    plan: undefined,
  } as unknown as Ctx;
}

function installDir(conf: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bootstrap-actions-'));
  mkdirSync(join(dir, 'sentry'));
  writeFileSync(join(dir, 'sentry/sentry.conf.py'), conf);
  return dir;
}

test('24.8.0 declares the memcached backend check as the official installer does it', () => {
  assert.deepEqual({ ...FILE_CHECK, why: undefined }, { kind: 'file-check', file: 'sentry/sentry.conf.py', require: '.PyMemcacheCache', refuse: '.MemcachedCache', why: undefined });
});

test('a sentry.conf.py still naming MemcachedCache stops the install with exit 3 and the reason', async () => {
  const dir = installDir('CACHES = {"default": {"BACKEND": "django.core.cache.backends.memcached.MemcachedCache"}}\n');
  try {
    await assert.rejects(bootstrapStep.run(ctxFor(dir), () => undefined), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.equal(e.exitCode, EXIT.prerequisite);
      assert.match(e.message, /sentry\/sentry\.conf\.py names \.MemcachedCache: .*PyMemcacheCache/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

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

test('kafka-topics: lists the topics, creates only the missing ones, and records them; a second run has nothing to do', async () => {
  const tag = '23.11.0' as const;
  const action = RELEASES[tag].bootstrap.find((a) => a.kind === 'kafka-topics');
  assert.ok(action && action.kind === 'kafka-topics', `${tag} creates its Kafka topics (install/create-kafka-topics.sh)`);
  assert.deepEqual(action.topics, ['ingest-attachments', 'ingest-transactions', 'ingest-events', 'ingest-replay-recordings', 'profiles', 'ingest-occurrences', 'ingest-metrics', 'ingest-performance-metrics']);
  const real = RELEASES[tag].bootstrap;
  const calls: string[][] = [];
  const runner = {
    async run(args: string[]) {
      calls.push(args);
      return { exitCode: 0, output: '', stdout: args.includes('--list') ? '__consumer_offsets\ningest-events\nprofiles\n' : '' };
    },
  };
  const ctx = { answers: { tag, images: { registry: '' } }, layout: { dir: tmpdir() }, state: { builds: {} }, dryRun: false, runner } as unknown as Ctx;
  (RELEASES[tag] as { bootstrap: typeof real }).bootstrap = [action];
  try {
    const r = await bootstrapStep.run(ctx, () => undefined);
    assert.deepEqual(calls[0], ['run', '--rm', '-T', 'kafka', 'kafka-topics', '--list', '--bootstrap-server', 'kafka:9092']);
    const created = calls.slice(1).map((c) => c[c.indexOf('--topic') + 1]);
    assert.deepEqual(created, action.topics.filter((t) => t !== 'ingest-events' && t !== 'profiles'));
    for (const c of calls.slice(1)) assert.deepEqual(c.slice(0, 6), ['run', '--rm', '-T', 'kafka', 'kafka-topics', '--create']);
    assert.match(JSON.stringify(r), /kafka topics ingest-attachments/);
    assert.deepEqual(ctx.state.kafkaTopics, action.topics);
    calls.length = 0;
    await bootstrapStep.run(ctx, () => undefined);
    assert.deepEqual(calls, [], 'recorded topics are not listed again');
  } finally {
    (RELEASES[tag] as { bootstrap: typeof real }).bootstrap = real;
  }
});

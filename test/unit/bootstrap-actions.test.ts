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

test('kafka-topics (install/create-kafka-topics.sh): lists the broker, creates only the missing topics, then records them', async () => {
  const all = RELEASES as Record<string, (typeof RELEASES)['21.5.0']>;
  const tag = '99.3.0';
  const action = RELEASES['21.5.0'].bootstrap.find((a) => a.kind === 'kafka-topics')!;
  assert.deepEqual(action, { kind: 'kafka-topics', service: 'kafka', bootstrapServer: 'kafka:9092', topics: ['ingest-attachments', 'ingest-transactions', 'ingest-events'] });
  all[tag] = { ...RELEASES['21.5.0'], tag: tag as '21.5.0', bootstrap: [action] };
  const calls: string[][] = [];
  const runner = {
    async run(args: string[]) {
      calls.push(args);
      return { exitCode: 0, output: '', stdout: args.includes('--list') ? '__consumer_offsets\ningest-events\n' : '' };
    },
  };
  const ctx = { answers: { tag, images: { registry: '' } }, layout: { dir: '/nonexistent' }, state: { builds: {} }, dryRun: false, runner } as unknown as Ctx;
  try {
    const r = await bootstrapStep.run(ctx, () => undefined);
    const kafka = ['run', '--rm', '-T', 'kafka', 'kafka-topics', '--bootstrap-server', 'kafka:9092'];
    assert.deepEqual(calls, [
      [...kafka, '--list'],
      [...kafka, '--create', '--topic', 'ingest-attachments'],
      [...kafka, '--create', '--topic', 'ingest-transactions'],
    ]);
    assert.match(JSON.stringify(r), /kafka topics ingest-attachments, ingest-transactions/);
    assert.deepEqual(ctx.state.kafkaTopics, ['ingest-attachments', 'ingest-transactions', 'ingest-events']);
    // Recorded: the next run asks the broker nothing.
    calls.length = 0;
    const again = await bootstrapStep.run(ctx, () => undefined);
    assert.deepEqual(calls, []);
    assert.match(JSON.stringify(again), /Kafka topics ingest-attachments, ingest-transactions, ingest-events exist/);
  } finally {
    delete all[tag];
  }
});

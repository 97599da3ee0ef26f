import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPlanned } from '../../src/install/planned-file.js';
import { layoutFor } from '../../src/layout.js';
import type { Ctx } from '../../src/install/context.js';

test('a dry run hashes the planned content of rendered files; a real run reads the disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'planned-'));
  writeFileSync(join(dir, 'req.txt'), 'old\n');
  const plan = { changes: [{ file: { path: 'req.txt', content: 'new\n', mode: 0o644 }, kind: 'update', current: 'old\n', next: 'new\n' }] };
  const ctx = { layout: layoutFor(dir), dryRun: true, plan } as unknown as Ctx;
  assert.equal(String(readPlanned(ctx, join(dir, 'req.txt'))), 'new\n');
  assert.equal(String(readPlanned(ctx, join(dir, 'absent.txt'))), '');
  assert.equal(String(readPlanned({ ...ctx, dryRun: false } as Ctx, join(dir, 'req.txt'))), 'old\n');
});

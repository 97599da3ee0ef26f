import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { applyChanges, planChanges, unifiedDiff } from '../../src/render/apply.js';
import { layoutFor, type Layout } from '../../src/layout.js';
import type { ManagedFile } from '../../src/render/files.js';
import { removeDir, tempDir } from '../helpers/cli.js';

const BASE = ['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6', 'line 7', 'line 8', ''].join('\n');

function put(path: string, text: string) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** An install dir where `f.conf` was rendered as `base` and is now `current` on disk. */
function setup(base: string | undefined, current: string | undefined): { dir: string; layout: Layout } {
  const dir = tempDir();
  const layout = layoutFor(dir);
  if (base !== undefined) put(join(layout.renderedDir, 'f.conf'), base);
  if (current !== undefined) put(join(layout.dir, 'f.conf'), current);
  return { dir, layout };
}

const file = (content: string): ManagedFile => ({ path: 'f.conf', content, mode: 0o644 });
const edit = (text: string, line: number, to: string) => text.split('\n').map((l, i) => (i === line - 1 ? to : l)).join('\n');

function plan(base: string | undefined, current: string | undefined, next: string, force = false) {
  const { dir, layout } = setup(base, current);
  try {
    return planChanges(layout, [file(next)], force)[0];
  } finally {
    removeDir(dir);
  }
}

test('absent file: create', () => {
  const c = plan(undefined, undefined, BASE);
  assert.equal(c.kind, 'create');
  assert.equal(c.next, BASE);
});

test('file equal to the new render: unchanged', () => {
  assert.equal(plan(BASE, BASE, BASE).kind, 'unchanged');
  assert.equal(plan(undefined, BASE, BASE).kind, 'unchanged', 'even without a base copy');
});

test('file untouched since the last render, new render differs: update to the new render', () => {
  const next = edit(BASE, 2, 'line 2 changed by the answers');
  const c = plan(BASE, BASE, next);
  assert.equal(c.kind, 'update');
  assert.equal(c.next, next);
});

test('user edit and a new render on other lines: merge keeps both', () => {
  const mine = edit(BASE, 7, 'line 7 edited by the user');
  const next = edit(BASE, 2, 'line 2 changed by the answers');
  const c = plan(BASE, mine, next);
  assert.equal(c.kind, 'merge');
  assert.equal(c.next, edit(mine, 2, 'line 2 changed by the answers'));
});

test('user edit and an unchanged render: the edit is kept (nothing to write)', () => {
  const mine = edit(BASE, 4, 'line 4 edited by the user');
  assert.equal(plan(BASE, mine, BASE).kind, 'unchanged');
});

test('user edit identical to the new render on the same line: unchanged', () => {
  const both = edit(BASE, 3, 'line 3 agreed');
  assert.equal(plan(BASE, both, both).kind, 'unchanged');
});

test('user edit and a new render on the same line: conflict with both sides shown, unless forced', () => {
  const mine = edit(BASE, 3, 'line 3 by the user');
  const next = edit(BASE, 3, 'line 3 by the answers');
  const c = plan(BASE, mine, next);
  assert.equal(c.kind, 'conflict');
  assert.match(c.conflictText!, /line 3 by the user/);
  assert.match(c.conflictText!, /line 3 by the answers/);
  const diff = unifiedDiff(c, (s) => s);
  assert.match(diff, /^--- a\/f\.conf/m);
  assert.match(diff, /^\+\+\+ b\/f\.conf/m);
  const forced = plan(BASE, mine, next, true);
  assert.equal(forced.kind, 'overwrite');
  assert.equal(forced.next, next);
});

test('a file we never rendered that differs: conflict (never silently replaced), overwrite when forced', () => {
  assert.equal(plan(undefined, 'a file of the user\n', BASE).kind, 'conflict');
  assert.equal(plan(undefined, 'a file of the user\n', BASE, true).kind, 'overwrite');
});

test('applyChanges: refuses a conflict, backs up an overwrite, and keeps the rendered copy as the merge base', () => {
  const mine = edit(BASE, 3, 'line 3 by the user');
  const next = edit(BASE, 3, 'line 3 by the answers');
  const { dir, layout } = setup(BASE, mine);
  try {
    const [conflict] = planChanges(layout, [file(next)]);
    assert.throws(() => applyChanges(layout, [conflict], { containerUid: 999, timestamp: 'T' }), /conflict/);
    assert.equal(readFileSync(join(dir, 'f.conf'), 'utf8'), mine);

    const [overwrite] = planChanges(layout, [file(next)], true);
    const r = applyChanges(layout, [overwrite], { containerUid: 999, timestamp: 'T' });
    assert.deepEqual(r.written, ['f.conf']);
    assert.deepEqual(r.backups, [join(dir, 'f.conf.bak-T')]);
    assert.equal(readFileSync(join(dir, 'f.conf.bak-T'), 'utf8'), mine);
    assert.equal(readFileSync(join(dir, 'f.conf'), 'utf8'), next);
    assert.equal(readFileSync(join(layout.renderedDir, 'f.conf'), 'utf8'), next);
  } finally {
    removeDir(dir);
  }
});

test('applyChanges: a merged file is written, but the base copy is the pure render', () => {
  const mine = edit(BASE, 7, 'line 7 edited by the user');
  const next = edit(BASE, 2, 'line 2 changed');
  const { dir, layout } = setup(BASE, mine);
  try {
    const changes = planChanges(layout, [file(next)]);
    applyChanges(layout, changes, { containerUid: 999, timestamp: 'T' });
    assert.equal(readFileSync(join(dir, 'f.conf'), 'utf8'), edit(mine, 2, 'line 2 changed'));
    assert.equal(readFileSync(join(layout.renderedDir, 'f.conf'), 'utf8'), next);
    assert.equal(statSync(join(layout.renderedDir, 'f.conf')).mode & 0o777, 0o600);
    assert.ok(!existsSync(join(dir, 'f.conf.bak-T')));
  } finally {
    removeDir(dir);
  }
});

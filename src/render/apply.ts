/**
 * Writes rendered files without ever losing a user's edit. The last rendered copy of each file is kept;
 * a file the user changed since is merged three ways (last render, the user's file, the new render).
 * Nothing is written until every file is known to be writable: a conflict stops the whole render.
 */
import { existsSync, readFileSync, statSync, chmodSync, chownSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

// Needed only for an edited file or a printed diff: loaded then, not on every run.
const lazy = createRequire(import.meta.url);
const merge = (...a: Parameters<typeof import('node-diff3').merge>) => (lazy('node-diff3') as typeof import('node-diff3')).merge(...a);
const createTwoFilesPatch = (...a: Parameters<typeof import('diff').createTwoFilesPatch>) =>
  (lazy('diff') as typeof import('diff')).createTwoFilesPatch(...a);
import { writeFileAtomic, ensureDir } from '../fs/atomic.js';
import type { Layout } from '../layout.js';
import type { ManagedFile } from './files.js';

export type ChangeKind = 'create' | 'update' | 'merge' | 'unchanged' | 'conflict' | 'overwrite';

export interface FileChange {
  file: ManagedFile;
  kind: ChangeKind;
  /** What is on disk now (undefined when absent). */
  current?: string;
  /** What will be on disk after the change. */
  next: string;
  /** For conflicts: the merge with conflict markers, to show the user. */
  conflictText?: string;
}

function lines(text: string): string[] {
  return text.split('\n');
}

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

export function planChanges(layout: Layout, files: ManagedFile[], force = false): FileChange[] {
  return files.map((file) => {
    const current = readIfExists(join(layout.dir, file.path));
    const base = readIfExists(join(layout.renderedDir, file.path));
    const next = file.content;
    if (current === undefined) return { file, kind: 'create', next };
    if (current === next) return { file, kind: 'unchanged', current, next };
    if (base !== undefined && current === base) return { file, kind: 'update', current, next };
    // The user edited the file since the last render (or it was never rendered by us).
    if (base !== undefined) {
      const merged = merge(lines(current), lines(base), lines(next));
      if (!merged.conflict) {
        const text = merged.result.join('\n');
        return { file, kind: text === current ? 'unchanged' : 'merge', current, next: text };
      }
      if (force) return { file, kind: 'overwrite', current, next };
      return { file, kind: 'conflict', current, next, conflictText: merged.result.join('\n') };
    }
    if (force) return { file, kind: 'overwrite', current, next };
    return { file, kind: 'conflict', current, next, conflictText: undefined };
  });
}

export function unifiedDiff(change: FileChange, redactor: (s: string) => string): string {
  const before = change.current ?? '';
  const after = change.kind === 'conflict' ? change.conflictText ?? change.next : change.next;
  return redactor(
    createTwoFilesPatch(
      change.current === undefined ? '/dev/null' : `a/${change.file.path}`,
      `b/${change.file.path}`,
      before,
      after,
      '',
      '',
      { context: 3 },
    ),
  );
}

export interface ApplyOptions {
  /** User that reads files holding secrets inside the Sentry containers (they are 0600, owned by it). */
  containerUid: number;
  timestamp: string;
}

/** Writes every change; returns the paths written and the backups made. */
export function applyChanges(layout: Layout, changes: FileChange[], opts: ApplyOptions): { written: string[]; backups: string[] } {
  const written: string[] = [];
  const backups: string[] = [];
  ensureDir(layout.stateDir, 0o700);
  for (const change of changes) {
    const target = join(layout.dir, change.file.path);
    const uid = change.file.containerSecret ? (change.file.ownerUid ?? opts.containerUid) : undefined;
    if (change.kind === 'conflict') throw new Error(`refusing to write ${change.file.path}: unresolved conflict`);
    if (change.kind === 'overwrite') {
      const backup = `${target}.bak-${opts.timestamp}`;
      copyFileSync(target, backup);
      chmodSync(backup, statSync(target).mode & 0o777 & ~0o077);
      backups.push(backup);
    }
    if (change.kind !== 'unchanged') {
      writeFileAtomic(target, change.next, { mode: change.file.mode, uid });
      written.push(change.file.path);
    } else {
      fixMode(target, change.file.mode, uid);
    }
    // The copy the next render merges against is what we rendered, not the merged result.
    const copy = join(layout.renderedDir, change.file.path);
    if (readIfExists(copy) !== change.file.content) writeFileAtomic(copy, change.file.content, { mode: 0o600 });
  }
  return { written, backups };
}

function fixMode(path: string, mode: number, uid?: number): void {
  const st = statSync(path);
  if ((st.mode & 0o777) !== mode) chmodSync(path, mode);
  if (uid !== undefined && st.uid !== uid) {
    try {
      chownSync(path, uid, -1);
    } catch {
      /* not permitted: left as is */
    }
  }
}

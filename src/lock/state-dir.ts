/**
 * The state directory (.sentry-onprem) holds the lock, so who may write there decides who can hold or
 * break it: it is 0700, owned by the user running the command or, when root runs it, by anyone (root may
 * work on an install its owner made). A lock file there may then belong to that owner or to root only.
 */
import { chmodSync, mkdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Layout } from '../layout.js';
import { EXIT, UserError } from '../errors.js';

export interface StateDir {
  /** uids whose lock files are honoured. */
  trusted: (uid: number) => boolean;
  /** Directories made here, so a command that wrote nothing else leaves nothing behind. */
  created: string[];
}

const euid = () => process.geteuid?.() ?? 0;

function mkdirOnce(path: string, mode?: number): boolean {
  try {
    mkdirSync(path, { mode });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

export function prepareStateDir(layout: Layout, warn: (line: string) => void): StateDir {
  const created: string[] = [];
  const first = mkdirSync(layout.dir, { recursive: true });
  for (let p = layout.dir; first !== undefined; p = dirname(p)) {
    created.unshift(p);
    if (p === first || p === dirname(p)) break;
  }
  if (mkdirOnce(layout.stateDir, 0o700)) created.push(layout.stateDir);
  const st = statSync(layout.stateDir);
  const me = euid();
  if (!st.isDirectory()) throw new UserError(`${layout.stateDir} is not a directory`, EXIT.prerequisite, 'sentry-onprem keeps its state and lock there. Move that file away. Nothing was changed.');
  if (st.uid !== me && me !== 0) {
    throw new UserError(`${layout.stateDir} belongs to uid ${st.uid}, but this command runs as uid ${me}`, EXIT.prerequisite, `Run sentry-onprem as uid ${st.uid} (the install's owner) or as root. Nothing was changed.`);
  }
  if (st.mode & 0o077) {
    // Others could write there, so a lock file there proves nothing: from now on only the owner can.
    chmodSync(layout.stateDir, 0o700);
    warn(`${layout.stateDir} was mode ${(st.mode & 0o777).toString(8)}: made it 0700, so no other user can create or remove its lock`);
  }
  const owner = st.uid;
  return { trusted: (uid) => uid === me || uid === 0 || uid === owner, created };
}

/** Removes the directories prepareStateDir made, if nothing else was put in them. */
export function removeIfEmpty(dirs: string[]): void {
  for (const dir of [...dirs].reverse()) {
    try {
      rmdirSync(dir);
    } catch {
      return; // not empty (or gone): it stays
    }
  }
}

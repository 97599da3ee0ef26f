/** One command at a time per install directory: a lock file holding the owner's pid, stale locks taken over. */
import { openSync, writeSync, closeSync, readFileSync, unlinkSync, mkdirSync, linkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';

export type Release = () => void;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Returns a release function, or the pid of the running owner. */
export function tryLock(path: string, what: string): Release | number {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 2; attempt++) {
    // The lock appears with its owner's pid already in it (written to a temporary file, then linked):
    // a second process never sees an empty lock and mistakes it for a stale one.
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    writeSync(fd, `${process.pid} ${what}\n`);
    closeSync(fd);
    try {
      try {
        linkSync(tmp, path);
      } finally {
        unlinkSync(tmp);
      }
      return () => {
        try {
          if (readFileSync(path, 'utf8').startsWith(`${process.pid} `)) unlinkSync(path);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isFinite(owner) && alive(owner)) return owner;
      unlinkSync(path); // stale: its process is gone
    }
  }
  throw new Error(`cannot take the lock ${path}`);
}

/**
 * The one lock of an install directory, shared by install, reconfigure, cleanup and cron: an upgrade
 * must not start while VACUUM FULL rewrites tables, nor two cleanups at once.
 */
export function dirLockPath(dir: string): string {
  return join(tmpdir(), `sentry-onprem-${createHash('sha256').update(dir).digest('hex').slice(0, 16)}.lock`);
}

/** Who holds a lock: the pid and the command written by tryLock, or undefined when it is free. */
export function lockHolder(path: string): { pid: number; what: string } | undefined {
  try {
    const [pid, what = ''] = readFileSync(path, 'utf8').trim().split(' ');
    return { pid: Number(pid), what };
  } catch {
    return undefined;
  }
}

/** One command at a time per install directory: a lock file holding the owner's pid, stale locks taken over. */
import { openSync, writeSync, closeSync, readFileSync, unlinkSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

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
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${process.pid} ${what}\n`);
      closeSync(fd);
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

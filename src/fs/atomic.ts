/** Atomic file writes: a temporary file in the same directory, fsync, then rename over the target. */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync, chmodSync, chownSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface WriteOptions {
  mode?: number;
  /** Owner to give the file (e.g. the user a container reads it as); ignored when not permitted. */
  uid?: number;
}

export function writeFileAtomic(path: string, data: string | Buffer, opts: WriteOptions = {}): void {
  const mode = opts.mode ?? 0o644;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  // Created with the final mode from the start: a secret is never readable by others, not even briefly.
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, typeof data === "string" ? Buffer.from(data) : data);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  try {
    chmodSync(tmp, mode); // umask may have narrowed it
    if (opts.uid !== undefined) {
      try {
        chownSync(tmp, opts.uid, -1);
      } catch {
        /* not root: the caller decides what that means */
      }
    }
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw err;
  }
  try {
    const dfd = openSync(dirname(path), 'r');
    fsyncSync(dfd);
    closeSync(dfd);
  } catch {
    /* directory fsync is best effort on some filesystems */
  }
}

export function ensureDir(path: string, mode = 0o755): void {
  mkdirSync(path, { recursive: true, mode });
  chmodSync(path, mode);
}

/** Atomic file writes: a temporary file in the same directory, fsync, then rename over the target. */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync, chmodSync, chownSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError, EXIT } from '../errors.js';

export interface WriteOptions {
  mode?: number;
  /** Owner to give the file (e.g. the user a container reads it as); ignored when not permitted. */
  uid?: number;
}

/** Directory fsync is not supported by every filesystem; these codes mean "not supported", not "failed". */
const DIR_FSYNC_UNSUPPORTED = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EISDIR', 'EBADF']);

export function writeFileAtomic(path: string, data: string | Buffer, opts: WriteOptions = {}): void {
  const mode = opts.mode ?? 0o644;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const removeTmp = () => {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
  };
  // Created with the final mode from the start: a secret is never readable by others, not even briefly.
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeAll(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    removeTmp();
    throw writeError(path, err);
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
    removeTmp();
    throw writeError(path, err);
  }
  // The rename is durable only once the directory entry is on disk.
  let dfd: number | undefined;
  try {
    dfd = openSync(dirname(path), 'r');
    fsyncSync(dfd);
  } catch (err) {
    if (!DIR_FSYNC_UNSUPPORTED.has((err as NodeJS.ErrnoException).code ?? '')) throw writeError(path, err, 'the file was replaced but may not survive a crash');
  } finally {
    if (dfd !== undefined) closeSync(dfd);
  }
}

/** writeSync may write less than asked (a full disk, a signal): write the rest until all is written. */
function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) {
    const n = writeSync(fd, buf, off, buf.length - off);
    // A write of 0 bytes would loop forever; the kernel reports a full disk as ENOSPC on the next call.
    if (n <= 0) throw Object.assign(new Error('no space left on device (short write)'), { code: 'ENOSPC' });
    off += n;
  }
}

function writeError(path: string, err: unknown, outcome = 'the file was not replaced'): Error {
  const e = err as NodeJS.ErrnoException;
  if (!e?.code) return e;
  const reason = e.code === 'ENOSPC' ? 'no space left on the device' : e.code === 'EDQUOT' ? 'disk quota exceeded' : e.message;
  return new UserError(
    `cannot write ${path}: ${reason} (${e.code}); ${outcome}`,
    EXIT.failure,
    e.code === 'ENOSPC' || e.code === 'EDQUOT' ? `Free space on the filesystem of ${dirname(path)}, then run the command again.` : undefined,
  );
}

export function ensureDir(path: string, mode = 0o755): void {
  mkdirSync(path, { recursive: true, mode });
  chmodSync(path, mode);
}

/**
 * An exclusive lock file. It appears complete (written aside, then hard-linked into place, which fails if
 * the name exists), so nobody ever reads a half-written holder. A lock whose holder is gone, or a file that
 * a user we do not trust put there, is taken over; two processes taking over the same file must not both
 * win, so only the one that creates `<lock>.takeover-<id>` may remove it, and it re-reads the lock first.
 */
import { closeSync, constants, fstatSync, linkSync, lstatSync, openSync, readSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { isLive, newHolder, parseHolder, type Holder } from './holder.js';

export interface Found {
  /** This very file: inode and content. A new lock never has the id of an old one (its nonce differs). */
  id: string;
  uid: number;
  raw: string;
  holder?: Holder;
}

export interface LockPolicy {
  /** May a file owned by this uid hold the lock? */
  trusted: (uid: number) => boolean;
  /** A file we did not trust was removed: said even when the command is quiet. */
  warn: (line: string) => void;
  /** A stale lock was taken over. */
  note: (line: string) => void;
}

export type Acquired = { release: () => void } | { busy: Holder };

/** What the lock file holds now, or undefined when there is none (also when it goes while we read it). */
export function readLock(path: string): Found | undefined {
  let fd: number;
  try {
    // O_NOFOLLOW: a symlink is judged as itself; O_NONBLOCK: a planted FIFO cannot hang us.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code !== 'ELOOP') throw err;
    const st = lstatSync(path, { throwIfNoEntry: false });
    return st && { id: `${st.ino}-symlink`, uid: st.uid, raw: '' };
  }
  try {
    const st = fstatSync(fd);
    const buf = Buffer.alloc(4096);
    const n = st.isFile() ? readSync(fd, buf, 0, buf.length, 0) : 0;
    const raw = buf.subarray(0, n).toString('utf8');
    const id = `${st.ino}-${createHash('sha256').update(raw).digest('hex').slice(0, 16)}`;
    return { id, uid: st.uid, raw, holder: st.isFile() ? parseHolder(raw) : undefined };
  } finally {
    closeSync(fd);
  }
}

/** Creates path holding data, or returns false when it exists. */
function createExclusive(path: string, data: string): boolean {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  writeFileSync(tmp, data, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

function unlinkIfThere(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A directory put where the lock goes (only another user's could be there to take over).
    if (code === 'EISDIR') rmSync(path, { recursive: true, force: true });
    else if (code !== 'ENOENT') throw err;
  }
}

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Removes the lock file `found` (and nothing else) unless another process is already doing so. */
function takeOver(path: string, found: Found, policy: LockPolicy): boolean {
  const marker = `${path}.takeover-${found.id}`;
  if (!createExclusive(marker, JSON.stringify(newHolder('takeover')) + '\n')) {
    const other = readLock(marker);
    // Its creator died between creating it and removing it: the marker is stale in turn.
    if (other && (!policy.trusted(other.uid) || !other.holder || !isLive(other.holder))) takeOver(marker, other, policy);
    else pause(5);
    return false;
  }
  try {
    // Only the creator of the marker removes this file, and it is still the one we judged.
    if (readLock(path)?.id !== found.id) return false;
    unlinkIfThere(path);
    return true;
  } finally {
    unlinkIfThere(marker);
  }
}

export function acquire(path: string, command: string, policy: LockPolicy): Acquired {
  const mine = newHolder(command);
  // Each turn ends with a lock, a live holder, or a change made by another process that is about to finish
  // (a takeover in progress): give a process slowed down by a loaded host the time to finish it.
  for (const until = Date.now() + 30_000; Date.now() < until; ) {
    if (createExclusive(path, JSON.stringify(mine) + '\n')) return { release: () => release(path, mine) };
    const found = readLock(path);
    if (!found) continue; // released between our attempt and our read
    const trusted = policy.trusted(found.uid);
    if (trusted && found.holder && isLive(found.holder)) return { busy: found.holder };
    if (!takeOver(path, found, policy)) continue;
    const h = found.holder;
    if (!trusted) policy.warn(`${path} belonged to uid ${found.uid}, who may not hold this lock: removed it (it said ${JSON.stringify(found.raw.slice(0, 200))})`);
    else policy.note(h ? `took over the lock of sentry-onprem ${h.command} (pid ${h.pid}, since ${h.since}): that process is gone` : `took over ${path}: it named no holder`);
  }
  throw new Error(`cannot take the lock ${path}: it keeps changing`);
}

function release(path: string, mine: Holder): void {
  // Nobody removes the file of a live holder, so if it is ours now it stays ours until we remove it.
  if (readLock(path)?.holder?.nonce === mine.nonce) unlinkIfThere(path);
}

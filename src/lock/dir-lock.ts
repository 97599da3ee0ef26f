/**
 * The one lock of an install directory, shared by install, reconfigure, upgrade, backup, restore, cron and
 * cleanup: an upgrade must not start while VACUUM FULL rewrites tables, nor two cleanups run at once. It is
 * `.sentry-onprem/lock` in the install itself, so every command finds the same lock whatever its
 * environment (cron sets no TMPDIR; a shell may).
 */
import { statSync } from 'node:fs';
import type { Layout } from '../layout.js';
import { EXIT, UserError } from '../errors.js';
import { isLive, type Holder } from './holder.js';
import { acquire, readLock } from './lock-file.js';
import { prepareStateDir, removeIfEmpty } from './state-dir.js';

export type { Holder } from './holder.js';

export interface DirLockOptions<T> {
  /** Instead of the "another command is working" error. */
  onBusy?: (holder: Holder) => T | Promise<T>;
  /** Where a taken-over stale lock is mentioned (default stderr). Warnings always go to stderr. */
  note?: (line: string) => void;
}

const toStderr = (line: string) => void process.stderr.write(`${line}\n`);
const warning = (line: string) => toStderr(`warning: ${line}`);

export function busyError(layout: Layout, h: Holder): UserError {
  return new UserError(`sentry-onprem ${h.command} (pid ${h.pid}, started ${h.since}) is working on ${layout.dir}`, EXIT.failure, 'Wait for it to finish, then run again.');
}

export async function withDirLock<T>(layout: Layout, command: string, fn: () => Promise<T>, opts: DirLockOptions<T> = {}): Promise<T> {
  const { release, busy, created } = take(layout, command, opts.note ?? toStderr);
  if (busy) {
    removeIfEmpty(created);
    if (opts.onBusy) return opts.onBusy(busy);
    throw busyError(layout, busy);
  }
  try {
    return await fn();
  } finally {
    release!();
    removeIfEmpty(created);
  }
}

function take(layout: Layout, command: string, note: (line: string) => void) {
  for (let attempt = 0; ; attempt++) {
    try {
      const dir = prepareStateDir(layout, warning);
      const got = acquire(layout.lockFile, command, { trusted: dir.trusted, warn: warning, note });
      return { ...got, release: 'release' in got ? got.release : undefined, busy: 'busy' in got ? got.busy : undefined, created: dir.created };
    } catch (err) {
      // A command that just failed in a fresh directory removed the (empty) state directory under us.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw err;
    }
  }
}

/**
 * Who works on the install now, without taking the lock or writing anything: for dry runs, which change
 * nothing and so need no lock, but should say that what they show may be about to change.
 */
export function currentHolder(layout: Layout): Holder | undefined {
  try {
    const found = readLock(layout.lockFile);
    const trusted = found && (found.uid === process.geteuid?.() || found.uid === 0 || found.uid === statSync(layout.stateDir).uid);
    return trusted && found.holder && isLive(found.holder) ? found.holder : undefined;
  } catch {
    return undefined;
  }
}

/** A dry run takes no lock (it writes nothing), but says when what it shows is being changed right now. */
export function dryRunNote(layout: Layout): void {
  const h = currentHolder(layout);
  if (h) process.stderr.write(`note: sentry-onprem ${h.command} (pid ${h.pid}) is working on ${layout.dir}; this dry run shows the install as it is now\n`);
}

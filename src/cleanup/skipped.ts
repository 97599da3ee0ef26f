/**
 * A cleanup that finds the lock held does nothing and exits 0, in silence with --quiet. A hung command
 * holding the lock (or another job that always runs at that hour) would end the cleanups unnoticed, so the
 * first skip is recorded, and a skip more than a day after it, or behind a holder older than a day, warns on
 * stderr even with --quiet: cron mails it.
 */
import { readFileSync, unlinkSync } from 'node:fs';
import type { Layout } from '../layout.js';
import type { Holder } from '../lock/dir-lock.js';
import { writeFileAtomic } from '../fs/atomic.js';

export const SKIP_WARN_AFTER_MS = 24 * 3600_000;

/** Records this skip; returns when the skipping began (this run, or an earlier skip with no cleanup since). */
export function recordSkip(layout: Layout, now = new Date()): string {
  try {
    const { since } = JSON.parse(readFileSync(layout.cleanupSkippedFile, 'utf8')) as { since?: unknown };
    if (typeof since === 'string' && !Number.isNaN(Date.parse(since))) return since;
  } catch {
    /* none yet, or unreadable: start again from now */
  }
  const since = now.toISOString();
  writeFileAtomic(layout.cleanupSkippedFile, JSON.stringify({ since }) + '\n', { mode: 0o600 });
  return since;
}

/** A cleanup ran (whatever its outcome, which cron reports itself): skips start counting again. */
export function clearSkips(layout: Layout): void {
  try {
    unlinkSync(layout.cleanupSkippedFile);
  } catch {
    /* there was none */
  }
}

export function skipWarning(layout: Layout, holder: Holder, skippedSince: string, now = Date.now()): string | undefined {
  if (now - Math.min(Date.parse(skippedSince), Date.parse(holder.since)) <= SKIP_WARN_AFTER_MS) return undefined;
  return (
    `warning: no cleanup ran in ${layout.dir}: sentry-onprem ${holder.command} (pid ${holder.pid}) has held its lock since ${holder.since}, ` +
    `and cleanups have been skipped since ${skippedSince}. If that command hangs, stop it (kill ${holder.pid}); the next cleanup then runs.`
  );
}

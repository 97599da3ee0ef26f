/**
 * Who holds a lock: pid, the process's start time, command and start date. A pid alone is not enough:
 * after a crash the kernel may give it to another process, which would then "hold" the lock forever.
 */
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

export interface Holder {
  pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks after boot); null where /proc is not mounted. */
  start: string | null;
  command: string;
  /** ISO date the holder took the lock. */
  since: string;
  /** Tells two records apart even when pid and start are equal (the same process taking the lock twice). */
  nonce: string;
}

/** The start time of a running process, or null when there is none (or /proc is not there to say). */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself hold spaces and ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A zombie has exited: only its parent has not collected it yet.
    if (fields[0] === 'Z' || fields[0] === 'X') return null;
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

const HAVE_PROC = existsSync('/proc/self/stat');

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True while the recorded process still runs: same pid and, where recorded, the same start time. */
export function isLive(h: Holder): boolean {
  if (!HAVE_PROC || h.start === null) return pidExists(h.pid);
  return processStart(h.pid) === h.start;
}

export function newHolder(command: string): Holder {
  return { pid: process.pid, start: processStart(process.pid), command, since: new Date().toISOString(), nonce: randomBytes(8).toString('hex') };
}

/** A record read from a lock file, or undefined when it is not one (garbage counts as no live holder). */
export function parseHolder(raw: string): Holder | undefined {
  try {
    const h = JSON.parse(raw) as Partial<Holder>;
    const ok = Number.isSafeInteger(h.pid) && h.pid! > 0 && (h.start === null || typeof h.start === 'string') && typeof h.command === 'string' && typeof h.since === 'string' && typeof h.nonce === 'string';
    return ok ? (h as Holder) : undefined;
  } catch {
    return undefined;
  }
}

/** What the operator reads at the end of an upgrade: what runs now, where the backup is, what to do next. */
import { relative } from 'node:path';
import type { Answers } from '../answers/schema.js';
import { UserError, EXIT } from '../errors.js';
import { formatPath, type Hop } from './plan-path.js';
import type { HopDone } from './run-hop.js';
import type { RollbackOutcome } from './rollback.js';

/** Relative to the current directory when it is below it, else absolute. */
const rel = (p: string) => {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
};

export function successReport(o: { path: string[]; answers: Answers; backup?: string; noBackup: boolean; hopTimes: string[]; ms: number; log: string }): string[] {
  const a = o.answers;
  return [
    `upgraded Sentry ${formatPath(o.path)} in ${(o.ms / 1000).toFixed(1)} s (${o.hopTimes.join('; ')})`,
    `Sentry ${a.tag}: ${a.url}${a.ports.https !== 443 && a.tls.mode !== 'off' ? ` (https port ${a.ports.https})` : ''}`,
    o.noBackup
      ? `--no-backup: no database dump was taken; the configuration from before is in ${o.backup ? rel(o.backup) : '(none)'}`
      : `backup from before: ${o.backup ? rel(o.backup) : '(none)'} (\`sentry-onprem restore\` needs Sentry ${o.path[o.path.length - 2]} installed)`,
    `log: ${rel(o.log)}`,
  ];
}

interface FailureInput {
  hop: Hop;
  error: Error;
  done: HopDone;
  rollback?: RollbackOutcome;
  cancelled: boolean;
  log: string;
  ms: number;
  /** The whole road: the hops finished before this one, and the target. */
  road?: { done: Hop[]; target: string; dir: string };
}

/** Where a road stands after a failed hop: the hops done, what runs, how to go on. */
export function roadLine(f: FailureInput): string | undefined {
  const r = f.road;
  if (!r || (r.done.length === 0 && f.hop.to === r.target)) return undefined;
  const done = r.done.length ? `hops done: ${r.done.map((h) => `${h.from} -> ${h.to}`).join(', ')}` : 'no hop was done';
  return `Upgrade road to ${r.target}: ${done}; not done: ${f.hop.from} -> ${f.hop.to} and the hops after it. Sentry ${f.hop.from} is the installed release; \`sentry-onprem upgrade --tag ${r.target} --dir ${r.dir}\` continues from there.`;
}

export function failureReport(f: FailureInput): UserError {
  const where = f.done.failedStep ? ` in "${f.done.failedStep}"` : '';
  const what = f.cancelled ? `upgrade ${f.hop.from} -> ${f.hop.to} cancelled${where}` : `upgrade ${f.hop.from} -> ${f.hop.to} failed${where}: ${f.error.message}`;
  const exit = f.cancelled ? EXIT.cancelled : f.error instanceof UserError && !f.done.backup ? f.error.exitCode : EXIT.failure;
  const backup = f.done.backup?.dir;
  if (!f.rollback) {
    const road = roadLine(f);
    return new UserError(`${what}\nNothing was changed${road ? ' by this hop' : ''}: Sentry ${f.hop.from} keeps running.${road ? `\n${road}` : ''}`, exit, `${f.error instanceof UserError && f.error.hint ? f.error.hint + ' ' : ''}Full log: ${f.log}`);
  }
  const rb = f.rollback;
  const lines = [what];
  if (!f.done.oldStackStopped) lines.push(`Sentry ${f.hop.from} was never stopped and keeps running; its files and images are as before.`);
  else if (rb.restarted) lines.push(`Rolled back: Sentry ${f.hop.from} runs again (${rb.health ?? 'healthy'}).`);
  const db: Record<RollbackOutcome['database'], string> = {
    untouched: '',
    restored: `The database was restored from ${backup}.`,
    declined: `The database was NOT restored: the ${f.hop.to} migrations had started. Restore it with: sentry-onprem restore ${backup} --yes`,
    'no-dump': `The ${f.hop.to} migrations had started and there is no database dump (--no-backup): the database is as the failed migration left it.`,
    failed: `Restoring the database failed. Try again with: sentry-onprem restore ${backup} --yes`,
  };
  if (db[rb.database]) lines.push(db[rb.database]);
  const road = roadLine(f);
  if (road) lines.push(road);
  if (rb.problems.length) {
    lines.push(`The rollback did not complete:\n${rb.problems.map((p) => `  - ${p}`).join('\n')}`);
    if (backup) lines.push(`Everything from before the upgrade is in ${backup}: sentry-onprem restore ${backup} --yes`);
  }
  return new UserError(lines.join('\n'), exit, `${f.error instanceof UserError && f.error.hint ? f.error.hint + ' ' : ''}Full log: ${f.log}`);
}

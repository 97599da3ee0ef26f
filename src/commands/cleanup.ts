/**
 * `sentry-onprem cleanup`: Sentry's cleanup of old events, then a vacuum, for one install directory.
 * Made to run from cron: one at a time (a second run says so and exits 0), a rotating log, silence on
 * success with --quiet, and the published exit codes so the cron can alert.
 */
import { join } from 'node:path';
import { layoutFor, type Layout } from '../layout.js';
import { refuseExternalPostgres } from '../answers/external.js';
import { readInstallAnswers } from '../cleanup/install-answers.js';
import type { Answers } from '../answers/schema.js';
import { RELEASES } from '../catalog.js';
import { EXIT, UserError } from '../errors.js';
import { ComposeRunner } from '../../compose/runner.js';
import { withDirLock, type Holder } from '../lock/dir-lock.js';
import { clearSkips, recordSkip, skipWarning } from '../cleanup/skipped.js';
import { projectContainers, removeContainer } from '../install/docker.js';
import { composeForTag } from '../install/steps/checks.js';
import { composeServices } from '../install/steps/up.js';
import { RotatingLog } from '../cleanup/rotating-log.js';
import { VACUUM_MODES, type VacuumMode } from '../cleanup/vacuum-plan.js';
import { postgresContainer, runCleanup } from '../cleanup/run-cleanup.js';
import { cancelOurBackends } from '../cleanup/postgres.js';
import { summaryLines } from '../cleanup/report.js';

export interface CleanupFlags {
  dir: string;
  days?: string;
  vacuum?: string;
  json?: boolean;
  quiet?: boolean;
  logFile?: string;
  scheduled?: boolean;
}

export function parseDays(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 36500) {
    throw new UserError(`--days ${JSON.stringify(value)} is not a whole number of days from 1 to 36500`, EXIT.usage);
  }
  return Number(value);
}

export function parseVacuum(value: string | undefined): VacuumMode {
  // FULL locks every table while it rewrites it: only when asked on the command line (or by the cron entry).
  if (value === undefined) return 'analyze';
  if (!(VACUUM_MODES as readonly string[]).includes(value)) throw new UserError(`--vacuum ${JSON.stringify(value)} is not one of ${VACUUM_MODES.join(', ')}`, EXIT.usage);
  return value as VacuumMode;
}

export async function cleanup(flags: CleanupFlags): Promise<number> {
  const layout = layoutFor(flags.dir);
  const days = parseDays(flags.days);
  const vacuum = parseVacuum(flags.vacuum);
  const a = readInstallAnswers(layout);
  refuseExternalPostgres(a, 'cleanup', layout.dir);
  const log = new RotatingLog(flags.logFile ?? join(layout.logsDir, 'cleanup.log'));
  const say = (line: string) => {
    log.write(line);
    if (!flags.quiet) process.stderr.write(`  ${line}\n`);
  };
  const run: Run = { layout, answers: a, days: days ?? a.cleanup.days, vacuum, log, say, flags };
  return withDirLock(layout, 'cleanup', () => runLocked(run), { onBusy: (holder) => skipped(run, holder), note: say });
}

/** The lock is held: nothing done, exit 0 (cron must not mail a normal overlap), unless that has lasted a day. */
function skipped({ layout, log, flags }: Run, holder: Holder): number {
  const msg = holder.command === 'cleanup' ? `a cleanup is already running (pid ${holder.pid}) for ${layout.dir}; nothing done` : `sentry-onprem ${holder.command} (pid ${holder.pid}) is working on ${layout.dir}; cleanup did nothing`;
  log.write(msg);
  const warning = skipWarning(layout, holder, recordSkip(layout));
  if (flags.json) process.stdout.write(JSON.stringify({ dir: layout.dir, skipped: msg, exitCode: EXIT.ok }) + '\n');
  else if (!flags.quiet) process.stdout.write(`${msg}\n`);
  if (warning) {
    log.write(warning);
    process.stderr.write(`${warning}\n`);
  }
  return EXIT.ok;
}

interface Run {
  layout: Layout;
  answers: Answers;
  days: number;
  vacuum: VacuumMode;
  log: RotatingLog;
  say: (line: string) => void;
  flags: CleanupFlags;
}

async function runLocked({ layout, answers: a, days, vacuum, log, say, flags }: Run): Promise<number> {
  const project = RELEASES[a.tag].projectName;
  let runner: ComposeRunner | undefined;
  let cancelling = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (cancelling) return;
    cancelling = true;
    log.write(`received ${sig}: stopping`);
    process.stderr.write(`\n${sig}: stopping the cleanup...\n`);
    void runner?.cancel();
    void postgresContainer(project).then(cancelOurBackends, () => undefined);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    runner = new ComposeRunner(await composeForTag(a.tag), layout.dir, log);
    log.write(`== cleanup of ${layout.dir} (Sentry ${a.tag}, pid ${process.pid})`);
    const fake = process.env.SENTRY_ONPREM_FAKE_FREE_BYTES;
    const result = await runCleanup(
      { days, vacuum, scheduled: Boolean(flags.scheduled) },
      {
        runner,
        project,
        services: composeServices(layout.dir).map((s) => s.name),
        retentionDays: a.retention.days,
        progress: say,
        show: (line) => flags.quiet || process.stderr.write(`    ${line}\n`),
        fakeFreeBytes: fake !== undefined && /^\d+$/.test(fake) ? Number(fake) : undefined,
      },
    );
    const code = result.vacuum.refused ? EXIT.prerequisite : EXIT.ok;
    const lines = summaryLines(result);
    for (const l of lines) log.write(l);
    log.write(`exit ${code}`);
    if (flags.json) process.stdout.write(JSON.stringify({ dir: layout.dir, tag: a.tag, ...result, exitCode: code }, null, 2) + '\n');
    else if (!flags.quiet) process.stdout.write(lines.join('\n') + '\n');
    if (result.vacuum.refused) process.stderr.write(`warning: VACUUM FULL refused: ${result.vacuum.refused}. VACUUM (ANALYZE) ran instead; the disk was not given back.\n`);
    return code;
  } catch (err) {
    if (cancelling) {
      await removeWebOneOffs(project);
      log.write('cancelled');
      process.stderr.write('cleanup cancelled; rows already removed stay removed, an interrupted VACUUM leaves the database as it was.\n');
      return EXIT.cancelled;
    }
    const e = err as Error & { exitCode?: number };
    log.write(`failed: ${e.message}`);
    log.write(`exit ${e.exitCode ?? EXIT.failure}`);
    if (flags.json) process.stdout.write(JSON.stringify({ dir: layout.dir, error: log.clean(e.message), exitCode: e.exitCode ?? EXIT.failure }) + '\n');
    if (err instanceof UserError && !err.hint) throw new UserError(err.message, err.exitCode, `Log: ${log.path}`);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    clearSkips(layout);
  }
}

/** `compose run` stopped by a signal can leave its container; the directory lock says it is ours. */
async function removeWebOneOffs(project: string): Promise<void> {
  if (!project) return;
  for (const c of await projectContainers(project).catch(() => [])) if (c.oneoff && c.service === 'web') await removeContainer(c.id);
}

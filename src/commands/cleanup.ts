/**
 * `sentry-onprem cleanup`: Sentry's cleanup of old events, then a vacuum, for one install directory.
 * Made to run from cron: one at a time (a second run says so and exits 0), a rotating log, silence on
 * success with --quiet, and the published exit codes so the cron can alert.
 */
import { join } from 'node:path';
import { layoutFor, type Layout } from '../layout.js';
import { externalPgOf, openExternalClient, type PgClient } from '../backup/external-client.js';
import { APP } from '../cleanup/postgres.js';
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
  assumeFreeDisk?: string;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kib: 1024, kb: 1e3, m: 1024 ** 2, mib: 1024 ** 2, mb: 1e6, g: 1024 ** 3, gib: 1024 ** 3, gb: 1e9, t: 1024 ** 4, tib: 1024 ** 4, tb: 1e12 };

/** --assume-free-disk: "20GiB", "500M", "1.5T", "123456789" (bytes). */
export function parseSize(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new UserError(`${flag} ${JSON.stringify(value)} is not a size (a number with an optional unit: B, K/KiB, M/MiB, G/GiB, T/TiB, KB/MB/GB/TB)`, EXIT.usage);
  return Math.floor(Number(m[1]) * unit);
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
  const assumedFreeBytes = parseSize('--assume-free-disk', flags.assumeFreeDisk);
  if (assumedFreeBytes !== undefined && !a.postgres?.external) {
    throw new UserError('--assume-free-disk is for an install on an external PostgreSQL server (the bundled server\'s volume is measured)', EXIT.usage, 'Run again without it. Nothing was changed.');
  }
  const log = new RotatingLog(flags.logFile ?? join(layout.logsDir, 'cleanup.log'));
  const say = (line: string) => {
    log.write(line);
    if (!flags.quiet) process.stderr.write(`  ${line}\n`);
  };
  const run: Run = { layout, answers: a, days: days ?? a.cleanup.days, vacuum, log, say, flags, assumedFreeBytes };
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
  assumedFreeBytes?: number;
}

async function runLocked({ layout, answers: a, days, vacuum, log, say, flags, assumedFreeBytes }: Run): Promise<number> {
  const project = RELEASES[a.tag].projectName;
  let runner: ComposeRunner | undefined;
  let cancelling = false;
  let client: PgClient | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (cancelling) return;
    cancelling = true;
    log.write(`received ${sig}: stopping`);
    process.stderr.write(`\n${sig}: stopping the cleanup...\n`);
    void runner?.cancel();
    void (client ? cancelOurBackends(client) : postgresContainer(project).then(cancelOurBackends)).catch(() => undefined);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    runner = new ComposeRunner(await composeForTag(a.tag), layout.dir, log);
    log.write(`== cleanup of ${layout.dir} (Sentry ${a.tag}, pid ${process.pid})`);
    const fake = process.env.SENTRY_ONPREM_FAKE_FREE_BYTES;
    const external = externalPgOf(a, layout.dir);
    if (external) {
      log.addSecrets([external.password]);
      client = await openExternalClient({ pg: external, tag: a.tag, dir: layout.dir, app: APP, out: say });
    }
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
        external: client,
        assumedFreeBytes,
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
    await client?.close();
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

/**
 * One cleanup: Sentry's own `sentry cleanup --days N` in the Sentry image (unless the release's
 * sentry-cleanup service owns it, see sentry-cleanup-plan.ts), then the vacuum, with the numbers an
 * operator wants to see: rows removed, database size before and after, free disk, time taken.
 */
import type { ComposeRunner } from '../../compose/runner.js';
import { projectContainers } from '../install/docker.js';
import { UserError, EXIT } from '../errors.js';
import { planSentryCleanup } from './sentry-cleanup-plan.js';
import { EXTERNAL_UNKNOWN, planVacuum, type TableSize, type VacuumMode, type VacuumPlan } from './vacuum-plan.js';
import { databaseBytes, freeBytes, largestTable, settledDeletedRows, deletedRows, sql, type CleanupPg } from './postgres.js';
import type { PgConn } from '../backup/external-client.js';

export interface CleanupRequest {
  days: number;
  vacuum: VacuumMode;
  /** Started by our cron entry (see sentry-cleanup-plan.ts). */
  scheduled: boolean;
}

export interface CleanupEnv {
  runner: ComposeRunner;
  project: string;
  services: string[];
  retentionDays: number;
  /** Our own lines: to the log and the console. */
  progress: (line: string) => void;
  /** Lines of commands the runner already logs: to the console only. */
  show: (line: string) => void;
  /** Replaces the measured free bytes in the VACUUM FULL decision (tests only; the real value is still reported). */
  fakeFreeBytes?: number;
  /** The client of an external server; absent: the install's postgres container. */
  external?: PgConn;
  /** --assume-free-disk: the external server's free disk as its operator states it (the server reports none). */
  assumedFreeBytes?: number;
}

export interface CleanupResult {
  days: number;
  sentryCleanup: { ran: boolean; days?: number; skipped?: string; seconds: number };
  rowsRemoved: number;
  rowsRemovedByTable: Record<string, number>;
  vacuum: VacuumPlan & { seconds: number; largestTable?: TableSize; freeBytesUsed?: number; freeBytesFaked?: boolean; freeBytesAssumed?: boolean };
  database: { bytesBefore: number; bytesAfter: number; bytesFreed: number; external?: string };
  /** null: an external server, which reports no free disk. */
  filesystem: { freeBytesBefore: number | null; freeBytesAfter: number | null };
  seconds: number;
}

const since = (t: number) => Math.round((Date.now() - t) / 100) / 10;

export async function postgresContainer(project: string): Promise<string> {
  const pg = (await projectContainers(project)).find((c) => c.service === 'postgres' && !c.oneoff && c.state === 'running');
  if (!pg) {
    throw new UserError(
      `the postgres container of this install (compose project ${project}) is not running`,
      EXIT.prerequisite,
      'Start Sentry first (`sentry-onprem install --dir DIR` or `docker compose up -d` in the install directory), then run the cleanup again.',
    );
  }
  return pg.id;
}

export async function runCleanup(req: CleanupRequest, env: CleanupEnv): Promise<CleanupResult> {
  const t0 = Date.now();
  const pg: CleanupPg = env.external ?? (await postgresContainer(env.project));
  const bytesBefore = await databaseBytes(pg);
  const freeBefore = await freeBytes(pg);
  const size = await sql(pg, 'SELECT pg_size_pretty(pg_database_size(current_database()))');
  env.progress(
    env.external
      ? `database ${env.external.db} on ${env.external.external}: ${size}; the server reports no free disk${env.assumedFreeBytes !== undefined ? `, ${Math.round(env.assumedFreeBytes / 1048576)} MiB assumed free (--assume-free-disk)` : ''}`
      : `database ${size}, ${Math.round((freeBefore ?? 0) / 1048576)} MiB free on its volume`,
  );

  const plan = planSentryCleanup({ scheduled: req.scheduled, services: env.services, days: req.days, retentionDays: env.retentionDays });
  const tSentry = Date.now();
  const deletedBefore = await deletedRows(pg);
  let sentryCleanup: CleanupResult['sentryCleanup'];
  if (plan.run) {
    env.progress(`sentry cleanup --days ${plan.days}`);
    await env.runner.run(['run', '--rm', '--no-deps', '-T', 'web', 'sentry', 'cleanup', '--days', String(plan.days)], { onLine: env.show });
    sentryCleanup = { ran: true, days: plan.days, seconds: since(tSentry) };
  } else {
    env.progress(`Sentry's cleanup skipped: ${plan.reason}`);
    sentryCleanup = { ran: false, skipped: plan.reason, seconds: 0 };
  }
  const byTable: Record<string, number> = {};
  if (plan.run) {
    for (const [table, n] of await settledDeletedRows(pg)) {
      const d = n - (deletedBefore.get(table) ?? 0);
      if (d > 0) byTable[table] = d;
    }
  }

  const tVacuum = Date.now();
  let vacuum: CleanupResult['vacuum'];
  if (req.vacuum === 'full') {
    const measured = await freeBytes(pg);
    const used = env.fakeFreeBytes ?? measured ?? env.assumedFreeBytes;
    const largest = await largestTable(pg);
    const vp = planVacuum('full', used, largest, env.external ? EXTERNAL_UNKNOWN : undefined);
    vacuum = {
      ...vp,
      seconds: 0,
      largestTable: largest,
      freeBytesUsed: used,
      freeBytesFaked: env.fakeFreeBytes !== undefined || undefined,
      freeBytesAssumed: (env.fakeFreeBytes === undefined && measured === undefined && env.assumedFreeBytes !== undefined) || undefined,
    };
  } else {
    vacuum = { ...planVacuum(req.vacuum), seconds: 0 };
  }
  if (vacuum.refused) env.progress(`VACUUM FULL refused: ${vacuum.refused}; running VACUUM (ANALYZE) instead`);
  if (vacuum.sql) {
    env.progress(`${vacuum.sql}${vacuum.run === 'full' ? ' (each table is locked while it is rewritten)' : ' (online)'}`);
    await sql(pg, vacuum.sql);
    // Old files of rewritten tables go at commit; the checkpoint lets WAL written by the rewrite be recycled now.
    // (An external server's user is rarely allowed CHECKPOINT, superuser or pg_checkpoint only: its own checkpoints do it.)
    if (vacuum.run === 'full' && !env.external) await sql(pg, 'CHECKPOINT');
    vacuum.seconds = since(tVacuum);
  }

  const bytesAfter = await databaseBytes(pg);
  return {
    days: req.days,
    sentryCleanup,
    rowsRemoved: Object.values(byTable).reduce((a, b) => a + b, 0),
    rowsRemovedByTable: byTable,
    vacuum,
    database: { bytesBefore, bytesAfter, bytesFreed: bytesBefore - bytesAfter, ...(env.external ? { external: env.external.external } : {}) },
    filesystem: { freeBytesBefore: freeBefore ?? null, freeBytesAfter: (await freeBytes(pg)) ?? null },
    seconds: since(t0),
  };
}

/** Helpers of the cleanup and reconfigure end-to-end tests: seeded rows of known ages, sizes, async SQL. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { statfsSync } from 'node:fs';
import { containers, docker, psql } from './harness.js';

const execFileP = promisify(execFile);

export const OLD_DAYS = { min: 40, max: 89 };
export const NEW_DAYS = { min: 1, max: 20 };

/**
 * `rows` nodestore rows (~1 KiB of incompressible text each) and rows/20 events, two thirds older than
 * 40 days, one third younger than 21 days, interleaved so that no page holds only old rows: a plain
 * VACUUM then frees no page, only VACUUM FULL gives disk back.
 */
export function seedAged(project: string, prefix: string, rows: number): { oldNodes: number; newNodes: number; oldEvents: number; newEvents: number } {
  const events = Math.floor(rows / 20);
  const age = (i: string) =>
    `CASE WHEN ${i} % 3 = 0 THEN now() - interval '1 day' * (${NEW_DAYS.min} + ${i} % ${NEW_DAYS.max - NEW_DAYS.min + 1}) ` +
    `ELSE now() - interval '1 day' * (${OLD_DAYS.min} + ${i} % ${OLD_DAYS.max - OLD_DAYS.min + 1}) END`;
  psql(
    project,
    `INSERT INTO nodestore_node (id, data, "timestamp") SELECT '${prefix}' || i, repeat(md5('${prefix}' || i), 30), ${age('i')} FROM generate_series(1, ${rows}) i;\n` +
      `INSERT INTO sentry_message (message, message_id, datetime) SELECT 'e2e event ${prefix}' || i, md5('${prefix}' || i), ${age('i')} FROM generate_series(1, ${events}) i;\n` +
      'ANALYZE;',
  );
  const third = (n: number) => Math.floor(n / 3);
  return { oldNodes: rows - third(rows), newNodes: third(rows), oldEvents: events - third(events), newEvents: third(events) };
}

export function countAged(project: string, days = 30): { oldNodes: number; newNodes: number; oldEvents: number; newEvents: number } {
  const [oldNodes, newNodes, oldEvents, newEvents] = psql(
    project,
    `SELECT (SELECT count(*) FROM nodestore_node WHERE "timestamp" < now() - interval '${days} days'), ` +
      `(SELECT count(*) FROM nodestore_node WHERE "timestamp" >= now() - interval '${days} days'), ` +
      `(SELECT count(*) FROM sentry_message WHERE datetime < now() - interval '${days} days'), ` +
      `(SELECT count(*) FROM sentry_message WHERE datetime >= now() - interval '${days} days')`,
  ).split('|').map(Number);
  return { oldNodes, newNodes, oldEvents, newEvents };
}

export function postgresId(project: string): string {
  const pg = containers(project).find((c) => c.service === 'postgres' && c.running && !c.oneoff);
  if (!pg) throw new Error('postgres is not running');
  return pg.id;
}

/** Bytes under PostgreSQL's data directory (tables, indexes, WAL): what the volume holds. */
export function volumeBytes(project: string): number {
  return Number(docker(['exec', postgresId(project), 'du', '-sk', '/var/lib/postgresql/data']).split(/\s+/)[0]) * 1024;
}

/** Free bytes of the volume's filesystem, measured on the host (statfs of the volume's mount point). */
export function hostFreeBytes(volume: string): number {
  const mountpoint = docker(['volume', 'inspect', '-f', '{{.Mountpoint}}', volume]).trim();
  const s = statfsSync(mountpoint);
  return s.bavail * s.bsize;
}

/** One SQL round trip that may fail; used concurrently with a running cleanup. */
export async function psqlAsync(pgId: string, sql: string): Promise<{ ok: boolean; out: string; ms: number }> {
  const t0 = Date.now();
  try {
    const { stdout } = await execFileP('docker', ['exec', pgId, 'psql', '-U', 'postgres', '-Atq', '-v', 'ON_ERROR_STOP=1', '-c', sql], { timeout: 30_000 });
    return { ok: true, out: stdout.trim(), ms: Date.now() - t0 };
  } catch (err) {
    return { ok: false, out: String((err as { stderr?: string }).stderr ?? err), ms: Date.now() - t0 };
  }
}

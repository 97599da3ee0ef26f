/**
 * SQL and `df` inside the running postgres container, through the Engine API (no psql needed on the
 * host, works for volumes and bind mounts alike). Every session is tagged with APP so a cancelled
 * cleanup can stop its own VACUUM and nothing else.
 */
import { docker } from '../install/docker.js';
import type { TableSize } from './vacuum-plan.js';
import type { PgConn } from '../backup/external-client.js';

/** The bundled server's postgres container (its id), or the client container of an external server. */
export type CleanupPg = string | PgConn;
const idOf = (t: CleanupPg) => (typeof t === 'string' ? t : t.id);
/** External: libpq's environment of the client container names the server, user and database. */
const conninfoOf = (t: CleanupPg, app = APP) => (typeof t === 'string' ? CONNINFO.replace(APP, app) : `application_name=${app}`);

export const APP = 'sentry-onprem-cleanup';
export const PGDATA = '/var/lib/postgresql/data';
const CONNINFO = `host=127.0.0.1 user=postgres dbname=postgres application_name=${APP}`;

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function execSplit(containerId: string, cmd: string[]): Promise<ExecResult> {
  const d = await docker();
  const exec = await d.getContainer(containerId).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    const sink = (into: Buffer[]) => ({ write: (b: Buffer) => (into.push(Buffer.from(b)), true) }) as unknown as NodeJS.WritableStream;
    d.modem.demuxStream(stream, sink(out), sink(err));
    stream.on('end', () => resolve());
    stream.on('error', reject);
  });
  const info = await exec.inspect();
  return { exitCode: info.ExitCode ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

export class PgError extends Error {}

/** Runs one SQL statement; returns its unaligned, tuples-only output. */
export async function sql(t: CleanupPg, statement: string): Promise<string> {
  const r = await execSplit(idOf(t), ['psql', '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', conninfoOf(t), '-c', statement]);
  if (r.exitCode !== 0) throw new PgError(`psql exited with code ${r.exitCode} running "${statement}": ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout.trim();
}

export async function databaseBytes(id: CleanupPg): Promise<number> {
  return Number(await sql(id, 'SELECT pg_database_size(current_database())'));
}

/** Rows deleted per table since the statistics were last reset (PostgreSQL's own counters, no table scan). */
export async function deletedRows(id: CleanupPg): Promise<Map<string, number>> {
  const text = await sql(id, "SELECT schemaname || '.' || relname, n_tup_del FROM pg_stat_user_tables");
  return new Map(text.split('\n').filter(Boolean).map((l) => {
    const i = l.lastIndexOf('|');
    return [l.slice(0, i), Number(l.slice(i + 1))] as [string, number];
  }));
}

/**
 * The counters of a backend reach the statistics when it ends (or within a second or so on 9.x), a
 * moment after `sentry cleanup` exits: read until two reads a short while apart agree.
 */
export async function settledDeletedRows(id: CleanupPg, waitMs = 700, maxReads = 8): Promise<Map<string, number>> {
  let last = await deletedRows(id);
  for (let i = 1; i < maxReads; i++) {
    await new Promise((r) => setTimeout(r, waitMs));
    const next = await deletedRows(id);
    if ([...next].every(([k, v]) => last.get(k) === v) && next.size === last.size) return next;
    last = next;
  }
  return last;
}

/** The table VACUUM FULL needs the most free space for: heap, indexes and TOAST together. */
export async function largestTable(id: CleanupPg): Promise<TableSize | undefined> {
  const row = await sql(
    id,
    "SELECT c.oid::regclass::text || '|' || pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
      "WHERE c.relkind IN ('r', 'm') AND n.nspname <> 'pg_toast' ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 1",
  );
  if (!row) return undefined;
  const i = row.lastIndexOf('|');
  return { name: row.slice(0, i), bytes: Number(row.slice(i + 1)) };
}

/**
 * Free bytes for PostgreSQL on the filesystem holding its data directory, as statfs sees it in the container.
 * An external server: undefined. PostgreSQL has no SQL function that reports free disk (pg_ls_dir and
 * pg_stat_file list files and their sizes, not the filesystem's space), and a managed server shows it only in
 * its provider's console: the operator states it with --assume-free-disk.
 */
export async function freeBytes(t: CleanupPg): Promise<number | undefined> {
  if (typeof t !== 'string') return undefined;
  const id = t;
  const r = await execSplit(id, ['df', '-Pk', PGDATA]);
  const fields = r.stdout.trim().split('\n').pop()?.trim().split(/\s+/) ?? [];
  const kib = Number(fields[3]);
  if (r.exitCode !== 0 || !Number.isFinite(kib)) throw new PgError(`cannot read the free space of ${PGDATA}: ${r.stderr.trim() || r.stdout.trim()}`);
  return kib * 1024;
}

/** Stops our own statements (a VACUUM of a cancelled cleanup), never anyone else's. */
export async function cancelOurBackends(t: CleanupPg): Promise<void> {
  await execSplit(idOf(t), [
    'psql', '-X', '-q', '-At', '-d', conninfoOf(t, `${APP}-cancel`),
    '-c', `SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = '${APP}' AND datname = current_database() AND usename = current_user`,
  ]);
}

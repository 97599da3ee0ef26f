/**
 * The database side of a backup: size, a consistent dump from the running server, and a restore that
 * leaves exactly the dumped rows (the database is dropped and re-created, so tables a failed migration
 * added are gone too). Commands run inside the postgres container, with its own client tools, so the
 * dump format always matches the server.
 */
import { existsSync, openSync, readSync, closeSync } from 'node:fs';
import { execIn, projectContainers, type ServiceContainer } from '../install/docker.js';
import { UserError, EXIT } from '../errors.js';
import { execToFile, execWithInput } from './exec-stream.js';

/** The database Sentry uses (sentry.conf.py of both releases: NAME 'postgres', USER 'postgres'). */
export const SENTRY_DB = 'postgres';
const CONNECT = ['-U', 'postgres', '-h', '127.0.0.1'];

export async function runningPostgres(project: string): Promise<ServiceContainer | undefined> {
  return (await projectContainers(project)).find((c) => c.service === 'postgres' && !c.oneoff && c.state === 'running');
}

async function psqlValue(id: string, sql: string, db = SENTRY_DB): Promise<string> {
  const r = await execIn(id, ['psql', ...CONNECT, '-d', db, '-v', 'ON_ERROR_STOP=1', '-Atc', sql]);
  if (r.exitCode !== 0) throw new UserError(`psql failed (${sql.slice(0, 60)}): ${r.output.trim()}`, EXIT.failure);
  return r.output.trim();
}

export async function databaseFacts(id: string): Promise<{ bytes: number; server: string }> {
  const bytes = Number(await psqlValue(id, `SELECT pg_database_size('${SENTRY_DB}')`));
  const server = await psqlValue(id, 'SHOW server_version');
  return { bytes, server };
}

/** pg_dump in its custom format: one snapshot (consistent while Sentry keeps writing), compressed. */
export async function dumpDatabase(id: string, file: string): Promise<number> {
  const r = await execToFile(id, ['pg_dump', ...CONNECT, '-d', SENTRY_DB, '-Fc', '-Z', '6'], file);
  if (r.exitCode !== 0) throw new UserError(`pg_dump exited with code ${r.exitCode}: ${r.output.trim().slice(-800)}`, EXIT.failure);
  if (!isCustomDump(file)) throw new UserError(`pg_dump wrote ${file} but it is not a PostgreSQL custom-format dump`, EXIT.failure);
  return r.bytes;
}

export function isCustomDump(file: string): boolean {
  if (!existsSync(file)) return false;
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(5);
  const n = readSync(fd, head, 0, 5, 0);
  closeSync(fd);
  return n === 5 && head.toString('latin1') === 'PGDMP';
}

/**
 * Drops and re-creates the Sentry database, then loads the dump in one transaction. The caller stops
 * every Sentry service first; sessions still open (psql, a forgotten shell) are ended.
 */
export async function restoreDatabase(id: string, file: string, out: (l: string) => void): Promise<void> {
  const reset = [
    `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '${SENTRY_DB}' AND pid <> pg_backend_pid();`,
    `DROP DATABASE IF EXISTS ${SENTRY_DB};`,
    `CREATE DATABASE ${SENTRY_DB};`,
  ].join('\n');
  let last = '';
  for (let attempt = 1; attempt <= 5; attempt++) {
    // psql reading a script runs each statement on its own (DROP DATABASE refuses a transaction block).
    const r = await execWithInput(id, ['psql', ...CONNECT, '-d', 'template1', '-v', 'ON_ERROR_STOP=1', '-q', '-At'], { text: reset + '\n' });
    if (r.exitCode === 0) {
      last = '';
      break;
    }
    last = r.output.trim();
    out(`re-creating the database failed (attempt ${attempt}/5): ${last.split('\n').pop()}`);
    await new Promise((res) => setTimeout(res, 1000 * attempt));
  }
  if (last) throw new UserError(`cannot re-create the database ${SENTRY_DB}: ${last}`, EXIT.failure);
  const r = await execWithInput(id, ['pg_restore', ...CONNECT, '-d', SENTRY_DB, '--exit-on-error', '--single-transaction'], { file });
  if (r.exitCode !== 0) throw new UserError(`pg_restore exited with code ${r.exitCode}: ${r.output.trim().slice(-800)}`, EXIT.failure);
  out(`database ${SENTRY_DB} restored from ${file} (${r.bytes} bytes)`);
}

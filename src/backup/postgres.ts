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
import type { PgConn } from './external-client.js';

/** The database Sentry uses (sentry.conf.py of both releases: NAME 'postgres', USER 'postgres'). */
export const SENTRY_DB = 'postgres';
const CONNECT = ['-U', 'postgres', '-h', '127.0.0.1'];

/** The bundled server, through its own container's tools. */
export const bundledConn = (id: string): PgConn => ({ id, args: CONNECT, db: SENTRY_DB, maintenanceDb: 'template1' });
/** A container id means the bundled server's postgres container. */
export const connOf = (t: string | PgConn): PgConn => (typeof t === 'string' ? bundledConn(t) : t);

export async function runningPostgres(project: string): Promise<ServiceContainer | undefined> {
  return (await projectContainers(project)).find((c) => c.service === 'postgres' && !c.oneoff && c.state === 'running');
}

export async function psqlValue(t: string | PgConn, sql: string): Promise<string> {
  const c = connOf(t);
  const r = await execIn(c.id, ['psql', '-X', ...c.args, '-d', c.db, '-v', 'ON_ERROR_STOP=1', '-Atc', sql]);
  if (r.exitCode !== 0) throw new UserError(`psql failed (${sql.slice(0, 60)}): ${r.output.trim()}`, EXIT.failure);
  return r.output.trim();
}

export async function databaseFacts(t: string | PgConn): Promise<{ bytes: number; server: string }> {
  const bytes = Number(await psqlValue(t, 'SELECT pg_database_size(current_database())'));
  const server = await psqlValue(t, 'SHOW server_version');
  return { bytes, server };
}

/** pg_dump in its custom format: one snapshot (consistent while Sentry keeps writing), compressed. */
export async function dumpDatabase(t: string | PgConn, file: string): Promise<number> {
  const c = connOf(t);
  const r = await execToFile(c.id, ['pg_dump', ...c.args, '-d', c.db, '-Fc', '-Z', '6'], file);
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
 * Drops and re-creates the Sentry database, then loads the dump in one transaction, every object owned by postgres
 * (--no-owner: a dump of an external server, whose objects belong to its user, loads too). The caller stops
 * every Sentry service first; sessions still open (psql, a forgotten shell) are ended.
 */
export async function restoreDatabase(t: string | PgConn, file: string, out: (l: string) => void): Promise<void> {
  const c = connOf(t);
  if (c.external) return restoreExternal(c, file, out);
  const id = c.id;
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
  const r = await execWithInput(id, ['pg_restore', ...CONNECT, '-d', SENTRY_DB, '--exit-on-error', '--single-transaction', '--no-owner', '--no-acl'], { file });
  if (r.exitCode !== 0) throw new UserError(`pg_restore exited with code ${r.exitCode}: ${r.output.trim().slice(-800)}`, EXIT.failure);
  out(`database ${SENTRY_DB} restored from ${file} (${r.bytes} bytes)`);
}

/**
 * Drops every relation, function and type the connecting user owns in the database (Sentry's schema, tables a
 * failed migration added included), never the database itself (the user of a managed server may not create one)
 * nor anything another role owns. Runs in the same transaction as the load that follows it.
 */
export const CLEAR_OWNED_SQL = `SET client_min_messages = warning;
DO $clear$ DECLARE r record; BEGIN
FOR r IN SELECT format('DROP %s IF EXISTS %I.%I CASCADE', CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, n.nspname, c.relname) AS s
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('e', 'i'))
  ORDER BY c.relkind <> 'v', c.relkind <> 'm'
LOOP EXECUTE r.s; END LOOP;
FOR r IN SELECT format('DROP FUNCTION IF EXISTS %s CASCADE', p.oid::regprocedure) AS s
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE p.proowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
LOOP EXECUTE r.s; END LOOP;
FOR r IN SELECT format('DROP TYPE IF EXISTS %I.%I CASCADE', n.nspname, t.typname) AS s
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
  WHERE t.typtype IN ('e', 'd') AND t.typowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
LOOP EXECUTE r.s; END LOOP;
END $clear$;`;

/**
 * An external server: what the user owns is dropped and the dump loaded, as one transaction (pg_restore turns the
 * dump into SQL, psql -1 runs it after the drop): on any error the database is as it was. Objects are created as
 * the connecting user (--no-owner, --no-acl): a dump of the bundled server (owner postgres) loads too.
 */
async function restoreExternal(c: PgConn, file: string, out: (l: string) => void): Promise<void> {
  // A pg_restore that fails half way must not let psql commit what came before: a line that ends any COPY, then an error.
  const script = `{ printf '%s\\n' "$0"; pg_restore --no-owner --no-acl -f - || printf '\\\\.\\nSELECT pg_restore_failed;\\n'; } | psql -X -q -1 -v ON_ERROR_STOP=1 -d "$PGDATABASE" >/dev/null`;
  const r = await execWithInput(c.id, ['sh', '-c', script, CLEAR_OWNED_SQL], { file });
  if (r.exitCode !== 0) throw new UserError(`loading the dump into ${c.db} on ${c.external} failed (exit ${r.exitCode}), the database is as it was: ${r.output.trim().slice(-800)}`, EXIT.failure);
  out(`database ${c.db} on ${c.external} restored from ${file} (${r.bytes} bytes)`);
}

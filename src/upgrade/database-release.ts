/**
 * Which release the database itself is at, from the migrations Sentry recorded in it (each release's
 * `databaseMarks`), and whether that agrees with the install's state file. Read-only: one psql query on
 * stdin in the running postgres container. A database behind the state (a skipped hard stop, a migration that
 * never ran) or ahead of it (another installer, a restore) is refused before anything changes.
 */
import { compareTags, RELEASES, SUPPORTED_TAGS, type SupportedTag } from '../catalog.js';
import type { MigrationMarks } from '../releases/index.js';
import { execWithInput } from '../backup/exec-stream.js';
import { SENTRY_DB } from '../backup/postgres.js';
import { UserError, EXIT } from '../errors.js';
import { runThrowaway } from './one-offs/throwaway.js';

export interface Mark extends MigrationMarks {
  tag: string;
}

/** Every release with marks, oldest first. */
export const MARKS: Mark[] = SUPPORTED_TAGS.flatMap((t) => {
  const m = RELEASES[t].databaseMarks;
  return m ? [{ tag: t, ...m }] : [];
});

/** A recorded migration of the `sentry` app: where it is recorded and its name. */
export interface Recorded {
  table: MigrationMarks['table'];
  name: string;
}

export interface Placement {
  /** The oldest release the recorded migrations allow (undefined: not even the oldest mark is there). */
  low?: string;
  /** The newest release they allow. */
  high?: string;
  /** The mark names found, newest release first. */
  found: string[];
  /** The release whose marks are missing right after `low` (the first one the database has not reached). */
  next?: Mark;
}

const has = (rec: Recorded[], m: Mark) => rec.some((r) => r.table === m.table && m.names.includes(r.name));

/**
 * low = the newest release whose marks are recorded (a later release's marks imply the earlier ones);
 * high = the release just before the next release with marks, or the newest release when there is none.
 */
export function placeDatabase(recorded: Recorded[], marks: Mark[] = MARKS, tags: readonly string[] = SUPPORTED_TAGS): Placement {
  let i = -1;
  for (let k = marks.length - 1; k >= 0; k--) {
    if (has(recorded, marks[k])) {
      i = k;
      break;
    }
  }
  const next = marks[i + 1];
  const before = next ? [...tags].filter((t) => compareTags(t, next.tag) < 0).pop() : tags[tags.length - 1];
  const found = marks
    .slice(0, i + 1)
    .reverse()
    .flatMap((m) => m.names.filter((n) => recorded.some((r) => r.table === m.table && r.name === n)));
  return { low: i >= 0 ? marks[i].tag : undefined, high: i >= 0 ? before : undefined, found, next };
}

export function describePlacement(p: Placement): string {
  if (!p.low) return 'no Sentry migration of 9.1.2 or later';
  const range = p.low === p.high ? `Sentry ${p.low}` : `Sentry ${p.low} to ${p.high}`;
  return `${range} (recorded: ${p.found.join(', ')}${p.next ? `; not recorded: ${p.next.names.join(' or ')}, which Sentry ${p.next.tag} applies` : ''})`;
}

/** The refusal when the state file's release is outside what the database allows, or undefined when it agrees. */
export function disagreement(stateTag: string, p: Placement, dir: string): UserError | undefined {
  if (!p.low) {
    return new UserError(
      `the install's state says Sentry ${stateTag}, but its database holds ${describePlacement(p)}`,
      EXIT.prerequisite,
      `Nothing was changed. Is this the database of the install in ${dir}? Restore a backup taken on Sentry ${stateTag} (sentry-onprem restore BACKUP_DIR --dir ${dir}), then run the upgrade again.`,
    );
  }
  if (compareTags(stateTag, p.high!) > 0) {
    const missing = MARKS.filter((m) => compareTags(m.tag, p.low!) > 0 && compareTags(m.tag, stateTag) <= 0).map((m) => m.tag);
    return new UserError(
      `the install's state says Sentry ${stateTag}, but the database is at ${describePlacement(p)}: ` +
        `the migrations of Sentry ${missing.join(', ')} never ran on it (a skipped hard stop)`,
      EXIT.prerequisite,
      `Nothing was changed. Bring the database to Sentry ${stateTag} first: run its migrations (in ${dir}: docker compose run --rm web upgrade --noinput), ` +
        `or restore a backup taken on Sentry ${stateTag} (sentry-onprem restore BACKUP_DIR --dir ${dir}); then run the upgrade again.`,
    );
  }
  if (compareTags(stateTag, p.low) < 0) {
    return new UserError(
      `the install's state says Sentry ${stateTag}, but the database is at ${describePlacement(p)}: it is newer than the release installed here`,
      EXIT.prerequisite,
      `Nothing was changed. Another installer or a restore changed the database. Restore a backup taken on Sentry ${stateTag} (sentry-onprem restore BACKUP_DIR --dir ${dir}), ` +
        `or install the release the database is at (tag: ${p.low} in sentry-onprem.yml, then sentry-onprem install --dir ${dir}).`,
    );
  }
  return undefined;
}

/** The query (on psql's stdin): the `sentry` app's recorded migrations among the marks, from the tables that exist. */
export function marksQuery(marks: Mark[] = MARKS): string {
  const names = (t: MigrationMarks['table']) => [...new Set(marks.filter((m) => m.table === t).flatMap((m) => m.names))].map((n) => `'${n}'`).join(', ') || "''";
  // One SELECT per table: readRecorded sends only those whose table exists (9.1.2 has no django_migrations, a
  // fresh install from 10.0.0 on no south_migrationhistory).
  return [
    `SELECT 'south_migrationhistory|' || migration FROM south_migrationhistory WHERE app_name = 'sentry' AND migration IN (${names('south_migrationhistory')});`,
    `SELECT 'django_migrations|' || name FROM django_migrations WHERE app = 'sentry' AND name IN (${names('django_migrations')});`,
  ].join('\n');
}

export function parseRecorded(output: string): Recorded[] {
  return output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(south_migrationhistory|django_migrations)\|/.test(l))
    .map((l) => {
      const [table, name] = l.split('|');
      return { table: table as Recorded['table'], name };
    });
}

/** Runs the marks query in the postgres container: the statements on stdin, only for tables that exist. */
export async function readRecorded(postgresId: string): Promise<Recorded[]> {
  const psql = ['psql', '-U', 'postgres', '-h', '127.0.0.1', '-d', SENTRY_DB, '-v', 'ON_ERROR_STOP=1', '-At'];
  const tables = await execWithInput(postgresId, psql, {
    text: "SELECT 'table|' || relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' AND relname IN ('south_migrationhistory', 'django_migrations');\n",
  });
  if (tables.exitCode !== 0) throw new UserError(`reading the migration tables failed: ${tables.output.trim().slice(-400)}`, EXIT.failure);
  const present = tables.output.split('\n').filter((l) => l.startsWith('table|')).map((l) => l.slice(6).trim());
  const statements = marksQuery().split('\n').filter((s) => present.some((t) => s.includes(`FROM ${t} `)));
  if (!statements.length) return [];
  const r = await execWithInput(postgresId, psql, { text: statements.join('\n') + '\n' });
  if (r.exitCode !== 0) throw new UserError(`reading the recorded migrations failed: ${r.output.trim().slice(-400)}`, EXIT.failure);
  return parseRecorded(r.output);
}

/**
 * The same query when postgres is not running: a one-off container of the release's postgres image on the data
 * volume starts a server listening only inside itself, asks, and stops it cleanly (it refuses to run while
 * another container mounts the volume). Nothing in the database changes.
 */
export async function readRecordedOffline(image: string, source: string): Promise<Recorded[]> {
  const sql = marksQuery();
  const script = [
    'D=/var/lib/postgresql/data',
    '[ -s "$D/PG_VERSION" ] || { echo "no data directory"; exit 0; }',
    `su postgres -s /bin/sh -c "pg_ctl -D $D -o '-c listen_addresses=127.0.0.1 -k /tmp' -w -t 120 start" > /tmp/pg.log 2>&1 || { cat /tmp/pg.log; exit 3; }`,
    // One statement per table; the one whose table does not exist fails alone (ON_ERROR_STOP off).
    `su postgres -s /bin/sh -c "psql -h /tmp -d ${SENTRY_DB} -At" <<'SQL'`,
    sql,
    'SQL',
    'su postgres -s /bin/sh -c "pg_ctl -D $D -m fast -w stop" > /dev/null 2>&1',
  ].join('\n');
  const r = await runThrowaway({ image, binds: [`${source}:/var/lib/postgresql/data`], script, label: 'database-release' });
  if (r.exitCode !== 0) throw new UserError(`reading the recorded migrations from ${source} failed (exit ${r.exitCode}): ${r.output.trim().slice(-400)}`, EXIT.failure);
  return parseRecorded(r.output);
}

/** The source release as the database says it: the placement, and a refusal when the state disagrees. */
export async function verifyDatabaseRelease(o: {
  stateTag: SupportedTag;
  postgresId: string;
  dir: string;
  read?: (postgresId: string) => Promise<Recorded[]>;
}): Promise<{ placement: Placement; refusal?: UserError }> {
  const placement = placeDatabase(await (o.read ?? readRecorded)(o.postgresId));
  return { placement, refusal: disagreement(o.stateTag, placement, o.dir) };
}

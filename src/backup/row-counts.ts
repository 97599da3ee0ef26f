/**
 * Rows per table of a database, counted exactly (count(*), one query for all tables through query_to_xml, which
 * every supported server has since 9.x): the switch between the bundled and an external server compares the
 * source's counts with the target's after the load.
 */
import type { PgConn } from './external-client.js';
import { psqlValue } from './postgres.js';

export const ROW_COUNTS_SQL =
  "SELECT coalesce(json_object_agg(t, n), '{}') FROM (SELECT n.nspname || '.' || c.relname AS t, " +
  "(xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint AS n " +
  "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' " +
  "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1) x";

export async function rowCounts(c: string | PgConn): Promise<Record<string, number>> {
  const raw = JSON.parse(await psqlValue(c, ROW_COUNTS_SQL)) as Record<string, number>;
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]).sort(([a], [b]) => String(a).localeCompare(String(b))));
}

/** Tables whose counts differ (or that one side lacks): "public.sentry_project: 3 -> 2". Empty when identical. */
export function compareCounts(source: Record<string, number>, target: Record<string, number>): string[] {
  const tables = [...new Set([...Object.keys(source), ...Object.keys(target)])].sort();
  return tables
    .filter((t) => source[t] !== target[t])
    .map((t) => `${t}: ${source[t] ?? 'no table'} -> ${target[t] ?? 'no table'}`);
}

export const totalRows = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);

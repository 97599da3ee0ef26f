/**
 * Who else is connected to Sentry's database on an external server (pg_stat_activity): a restore replaces every
 * table, so another client (a reporting job, a DBA's psql, a second Sentry) would see its data vanish or block the
 * load. Sentry's own services are stopped before this is asked; this tool's sessions are named sentry-onprem*.
 */
import type { PgConn } from './external-client.js';
import { psqlValue } from './postgres.js';

export interface Connection {
  pid: number;
  user: string | null;
  application: string;
  client: string | null;
  state: string | null;
  since: string | null;
}

export const OTHER_CONNECTIONS_SQL =
  "SELECT coalesce(json_agg(json_build_object('pid', pid, 'user', usename, 'application', coalesce(application_name, ''), 'client', client_addr::text, 'state', state, 'since', backend_start::text) ORDER BY pid), '[]') " +
  "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND coalesce(application_name, '') NOT LIKE 'sentry-onprem%'";

export async function otherConnections(c: PgConn): Promise<Connection[]> {
  return JSON.parse(await psqlValue(c, OTHER_CONNECTIONS_SQL)) as Connection[];
}

/** "pid 4711: user reporting, application "psql", from 172.18.0.1, idle since 2026-12-07 00:01:02" */
export function describeConnection(x: Connection): string {
  const parts = [`pid ${x.pid}: user ${x.user ?? '(hidden)'}`, `application ${JSON.stringify(x.application)}`, `from ${x.client ?? 'a local socket or hidden'}`];
  if (x.state) parts.push(`${x.state}${x.since ? ` since ${x.since.replace(/\.\d+/, '')}` : ''}`);
  return parts.join(', ');
}

/** Sentry's stopped services close their sessions within a moment: reads until none is left or ms have passed. */
export async function waitForOthersToLeave(c: PgConn, ms = 8000, every = 500): Promise<Connection[]> {
  const until = Date.now() + ms;
  for (;;) {
    const now = await otherConnections(c);
    if (!now.length || Date.now() >= until) return now;
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Ends the given sessions (--force-connections); returns those the server would not end (another role's, without the right). */
export async function terminateConnections(c: PgConn, pids: number[]): Promise<number[]> {
  if (!pids.length) return [];
  const text = await psqlValue(c, `SELECT coalesce(json_agg(pid), '[]') FROM unnest(ARRAY[${pids.map((p) => Math.trunc(p)).join(',')}]::int[]) AS pid WHERE NOT coalesce(pg_terminate_backend(pid), false)`).catch(() => JSON.stringify(pids));
  return JSON.parse(text) as number[];
}

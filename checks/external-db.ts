/**
 * external-db: the external PostgreSQL and Redis of the answers (postgres.external, redis.external), reached from
 * a one-off container on the install's network (checks/host/external-db.ts): PostgreSQL reachable, authenticated,
 * TLS as asked, its major at least the release's own, the user may create tables, the database empty or a Sentry
 * database; Redis answers PING with the password and is not a read-only replica. Changes nothing on either server.
 */
import type { ExternalDbProbe, ExternalDbTarget, PostgresProbe, RedisProbe } from './host/external-db.js';
import type { Check, Verdict } from './types.js';

export interface ExternalDbOptions {
  target: ExternalDbTarget;
  /** The oldest PostgreSQL major the release runs on ("9.5", "14") and its server_version_num. */
  minMajor: string;
  minVersionNum: number;
  /** Tests pass a fake; absent: the real one-off container. */
  probe?: (t: ExternalDbTarget) => Promise<ExternalDbProbe>;
}

const REQUIRED_NONE = 'reachable servers when the answers name external ones';

function majorOf(num: number): string {
  return num >= 100000 ? String(Math.floor(num / 10000)) : `${Math.floor(num / 10000)}.${Math.floor(num / 100) % 100}`;
}

interface Problem {
  found: string;
  remedy: string;
}

/** Tables of a Sentry database: sentry_* (every release); anything else alone is another application's schema. */
const isSentryTable = (t: string) => /^[^.]+\.sentry_/.test(t);

function postgresProblems(o: ExternalDbOptions, where: string, r: PostgresProbe | undefined): { problems: Problem[]; fact?: string } {
  const pg = o.target.postgres!;
  const server = `PostgreSQL ${pg.host}:${pg.port}`;
  const tried = `${where}, user ${pg.user}, database ${pg.database}, sslmode ${pg.sslmode}`;
  if (!r) return { problems: [{ found: `${server}: no answer from the probe`, remedy: 'Run again with SENTRY_ONPREM_DEBUG=1.' }] };
  const err = (r.error ?? '').replace(/\s+/g, ' ').trim();
  switch (r.stage) {
    case 'resolve':
      return { problems: [{ found: `${server}: the name does not resolve (${tried}): ${err}`, remedy: `Set postgres.external.host to a name the Docker engine's DNS resolves, or to an address (a name only in this host's /etc/hosts does not reach containers).` }] };
    case 'client':
      return { problems: [{ found: `${server}: ${err}`, remedy: 'The release\'s Sentry image has no psycopg2: pull it again (images.registry).' }] };
    case 'connect': {
      let remedy = `Check that ${pg.host} accepts connections on port ${pg.port} from the Docker network (listen_addresses, pg_hba.conf, firewalls), then run again.`;
      if (/password authentication failed|authentication failed|no password supplied/i.test(err)) remedy = `Set postgres.external.password (or passwordFile) to the password of ${pg.user} on that server.`;
      else if (/certificate verify failed|root certificate|self[- ]signed|unable to get local issuer|certificate/i.test(err) && !/does not match host name|server certificate for/i.test(err))
        remedy = 'Set postgres.external.caFile to the CA certificate (PEM) that signed the server\'s certificate.';
      else if (/does not match host name|server certificate for/i.test(err)) remedy = `Set postgres.external.host to a name the server's certificate carries, or use sslmode verify-ca.`;
      else if (/server does not support SSL|SSL off|no encryption/i.test(err)) remedy = 'Turn on ssl in the server\'s postgresql.conf (with its certificate), or set postgres.external.sslmode to disable on a trusted network.';
      else if (/database "[^"]*" does not exist/i.test(err)) remedy = `Create the database on the server (CREATE DATABASE ${pg.database} OWNER ${pg.user}), or set postgres.external.database.`;
      else if (/role "[^"]*" does not exist/i.test(err)) remedy = `Create the user on the server, or set postgres.external.user.`;
      return { problems: [{ found: `${server}: connecting failed (${tried}): ${err}`, remedy }] };
    }
    case 'query':
      return { problems: [{ found: `${server}: connected, but reading the server's settings failed: ${err}`, remedy: 'Give the user the rights to read pg_stat_ssl and its catalog, then run again.' }] };
  }
  const problems: Problem[] = [];
  const major = majorOf(r.versionNum ?? 0);
  if (pg.sslmode !== 'disable' && !r.ssl) {
    problems.push({ found: `${server}: the connection is not encrypted although sslmode is ${pg.sslmode}`, remedy: 'Turn on ssl on the server.' });
  }
  if ((r.versionNum ?? 0) < o.minVersionNum) {
    problems.push({
      found: `${server} runs PostgreSQL ${major}; Sentry needs at least ${o.minMajor} (the major of the release's own postgres service)`,
      remedy: `Upgrade the server to PostgreSQL ${o.minMajor} or newer, or point postgres.external at one that is.`,
    });
  }
  if (!r.canCreate) {
    problems.push({
      found: `${server}: user ${r.user ?? pg.user} may not create tables in schema ${r.schema ?? '(none on its search_path)'} of database ${pg.database}`,
      remedy: `On the server: GRANT CREATE ON SCHEMA ${r.schema ?? 'public'} TO ${pg.user} (or make ${pg.user} the database's owner).`,
    });
  }
  const tables = r.tables ?? [];
  if (tables.length && !tables.some(isSentryTable)) {
    problems.push({
      found: `${server}: database ${pg.database} holds ${tables.length} table${tables.length > 1 ? 's' : ''} of another application (${tables.slice(0, 5).join(', ')}${tables.length > 5 ? ', ...' : ''}), no Sentry table`,
      remedy: `Give Sentry a database of its own: CREATE DATABASE sentry OWNER ${pg.user}, then set postgres.external.database.`,
    });
  }
  const state = tables.length ? `a Sentry database (${tables.length} tables)` : 'an empty database';
  return { problems, fact: `PostgreSQL ${major} at ${pg.host}:${pg.port}, ${r.ssl ? 'TLS' : 'no TLS'} (sslmode ${pg.sslmode}), ${state}` };
}

function redisProblems(o: ExternalDbOptions, where: string, r: RedisProbe | undefined): { problems: Problem[]; fact?: string } {
  const rd = o.target.redis!;
  const server = `Redis ${rd.host}:${rd.port}`;
  const tried = `${where}, database ${rd.db}, ${rd.password ? 'with a password' : 'without a password'}`;
  if (!r) return { problems: [{ found: `${server}: no answer from the probe`, remedy: 'Run again with SENTRY_ONPREM_DEBUG=1.' }] };
  const err = (r.error ?? '').replace(/\s+/g, ' ').trim();
  switch (r.stage) {
    case 'resolve':
      return { problems: [{ found: `${server}: the name does not resolve (${tried}): ${err}`, remedy: 'Set redis.external.host to a name the Docker engine\'s DNS resolves, or to an address.' }] };
    case 'connect':
      return { problems: [{ found: `${server}: connecting failed (${tried}): ${err}`, remedy: `Check that ${rd.host} accepts connections on port ${rd.port} from the Docker network (bind, protected-mode, firewalls).` }] };
    case 'auth':
      return { problems: [{ found: `${server}: AUTH refused (${tried}): ${err}`, remedy: 'Set redis.external.password (or passwordFile) to the server\'s requirepass.' }] };
    case 'select':
    case 'ping':
    case 'info': {
      const noauth = /NOAUTH|Authentication required/i.test(err);
      return {
        problems: [{
          found: `${server}: ${r.stage.toUpperCase()} failed (${tried}): ${err}`,
          remedy: noauth ? 'The server wants a password: set redis.external.password (or passwordFile).' : r.stage === 'select' ? 'Set redis.external.db to a database the server has (databases in redis.conf).' : 'Check the server\'s log.',
        }],
      };
    }
  }
  const problems: Problem[] = [];
  if (r.pong !== 'PONG') problems.push({ found: `${server}: PING answered ${JSON.stringify(r.pong)}, not PONG`, remedy: 'Point redis.external at a Redis server.' });
  if (/^(slave|replica)$/.test(r.role ?? '') && r.readOnly !== '0') {
    problems.push({ found: `${server} is a read-only replica (role ${r.role}); Sentry writes to Redis`, remedy: 'Point redis.external.host at the primary of that replication.' });
  }
  return { problems, fact: `Redis at ${rd.host}:${rd.port} (role ${r.role || 'master'}, database ${rd.db})` };
}

export function decideExternalDb(o: ExternalDbOptions, probe: ExternalDbProbe): Verdict {
  const required = [
    o.target.postgres && `PostgreSQL >= ${o.minMajor} reachable from the install's network, authenticated, TLS as asked, CREATE on its schema, an empty or Sentry database`,
    o.target.redis && 'Redis answering PING with the password, not a read-only replica',
  ].filter(Boolean).join('; ');
  const where = `from a container of ${probe.image} on network ${probe.network}`;
  if (!probe.ok) return { status: 'fail', found: probe.error, required, remedy: 'Check that the Docker engine can run the release\'s Sentry image, then run again.', data: { network: probe.network } };
  const results = [o.target.postgres && postgresProblems(o, where, probe.postgres), o.target.redis && redisProblems(o, where, probe.redis)].filter((x): x is { problems: Problem[]; fact?: string } => Boolean(x));
  const problems = results.flatMap((r) => r.problems);
  const data = { network: probe.network, postgres: probe.postgres && { ...probe.postgres, tables: probe.postgres.tables?.length }, redis: probe.redis };
  if (problems.length) return { status: 'fail', found: problems.map((p) => p.found).join('; '), required, remedy: problems.map((p) => p.remedy).join(' '), data };
  return { status: 'pass', found: results.map((r) => r.fact).join('; '), required, remedy: null, data };
}

export const externalDbCheck: Check = {
  id: 'external-db',
  title: 'External PostgreSQL and Redis',
  async run(ctx) {
    const o = ctx.externalDb;
    if (!o) return { status: 'pass', found: 'no external PostgreSQL or Redis in the answers', required: REQUIRED_NONE, remedy: null };
    const probe = o.probe ?? (await import('./host/external-db.js')).probeExternalDb;
    return decideExternalDb(o, await probe(o.target));
  },
};

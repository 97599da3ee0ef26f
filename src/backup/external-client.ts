/**
 * PostgreSQL client tools for an install whose PostgreSQL is external (answers `postgres.external`): a one-off
 * container of a postgres image whose pg_dump is the SERVER's major (read from `server_version_num` first), on
 * the install's network, so DNS, routes and TLS are what Sentry sees. The connection goes in through libpq's
 * environment (host, port, user, database, sslmode, the CA's path) and the password through a 0600 passfile in a
 * 0700 directory mounted read-only: neither argv nor `docker inspect` nor the logs ever hold it.
 * backup/postgres.ts, cleanup/postgres.ts and the database switch run their psql/pg_dump/pg_restore in it.
 */
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXIT, UserError } from '../errors.js';
import { RELEASES } from '../catalog.js';
import { writeFileAtomic } from '../fs/atomic.js';
import type { Answers } from '../answers/schema.js';
import { externalPasswords, majorOf } from '../answers/external.js';
import { docker, inspectImage } from '../install/docker.js';
import { execSplit } from '../cleanup/postgres.js';

export interface ExternalPg {
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
  sslmode: string;
  /** Absolute path of the CA (verify-ca, verify-full). */
  caFile?: string;
}

/** The connection a day-2 command makes: the container its tools run in, their connection arguments, the databases. */
export interface PgConn {
  id: string;
  /** psql/pg_dump/pg_restore arguments before -d (the bundled server: -U postgres -h 127.0.0.1; external: none, libpq's environment). */
  args: string[];
  /** Sentry's database. */
  db: string;
  /** Where DROP/CREATE DATABASE of the bundled server runs; external servers are never dropped. */
  maintenanceDb: string;
  /** host:port of an external server; undefined for the bundled one. */
  external?: string;
}

export interface PgClient extends PgConn {
  image: string;
  /** The server's server_version_num and major ("15", "9.6"), and the client's major. */
  serverVersionNum: number;
  serverMajor: string;
  clientMajor: string;
  close(): Promise<void>;
}

const MOUNT = '/run/sentry-onprem-pg';
export const EXTERNAL_APP = 'sentry-onprem';

export function externalPgOf(a: Pick<Answers, 'postgres' | 'redis'>, dir: string): ExternalPg | undefined {
  const pg = a.postgres?.external;
  if (!pg) return undefined;
  return {
    host: pg.host,
    port: pg.port,
    database: pg.database,
    user: pg.user,
    password: externalPasswords(a, dir).postgres ?? '',
    sslmode: pg.sslmode,
    caFile: pg.caFile && resolve(dir, pg.caFile),
  };
}

/** A ~/.pgpass line matching any host, port, database and user: `:` and `\` escaped as libpq reads them. */
export function passfileLine(password: string): string {
  return `*:*:*:*:${password.replace(/\\/g, '\\\\').replace(/:/g, '\\:')}\n`;
}

/** libpq's environment for the server: no secret (the password is in the passfile). */
export function clientEnv(pg: ExternalPg, app = EXTERNAL_APP): string[] {
  return [
    `PGHOST=${pg.host}`,
    `PGPORT=${pg.port}`,
    `PGUSER=${pg.user}`,
    `PGDATABASE=${pg.database}`,
    `PGSSLMODE=${pg.sslmode}`,
    ...(pg.caFile ? [`PGSSLROOTCERT=${MOUNT}/ca.pem`] : []),
    `PGPASSFILE=${MOUNT}/pgpass`,
    `PGAPPNAME=${app}`,
    'PGCONNECT_TIMEOUT=10',
  ];
}

/** "pg_dump (PostgreSQL) 15.10 (Debian 15.10-0+deb12u1)" -> "15"; "pg_dump (PostgreSQL) 9.6.24" -> "9.6". */
export function clientMajorOf(versionLine: string): string | undefined {
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(versionLine);
  if (!m) return undefined;
  return Number(m[1]) >= 10 ? m[1] : `${m[1]}.${m[2] ?? '0'}`;
}

/** The official image of a PostgreSQL major: postgres:15, postgres:9.6. */
export const officialImageOf = (major: string) => `postgres:${major}`;

/**
 * The images tried for the client, in order: the official image of the server's major when known, then every
 * postgres image the release data names (stand-ins and pinned tags), the install's own release first.
 */
export function candidateImages(tag: string, serverMajor?: string): string[] {
  const named = Object.values(RELEASES).flatMap((r) => r.images.filter((i) => i.key === 'postgres').map((i) => i.image));
  const own = RELEASES[tag as keyof typeof RELEASES]?.images.find((i) => i.key === 'postgres')?.image;
  return [...new Set([...(serverMajor ? [officialImageOf(serverMajor)] : []), ...(own ? [own] : []), ...named])];
}

async function startContainer(image: string, pg: ExternalPg, network: string, mount: string, app: string): Promise<string> {
  const d = await docker();
  const c = await d.createContainer({
    Image: image,
    Entrypoint: ['sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'],
    Cmd: [],
    Env: clientEnv(pg, app),
    User: '0:0',
    Labels: { 'io.sentry-onprem.one-off': 'external-postgres-client' },
    HostConfig: { NetworkMode: network, Binds: [`${mount}:${MOUNT}:ro`], AutoRemove: false },
  });
  await c.start();
  return c.id;
}

async function removeQuietly(id: string): Promise<void> {
  await (await docker()).getContainer(id).remove({ force: true, v: true }).catch(() => undefined);
}

/** The install's compose network when it exists (Sentry's route to the server), else the default bridge. */
async function networkFor(tag: string): Promise<string> {
  const name = `${RELEASES[tag as keyof typeof RELEASES].projectName}_default`;
  try {
    await (await docker()).getNetwork(name).inspect();
    return name;
  } catch {
    return 'bridge';
  }
}

/**
 * Starts the client: reads the server's version with the first postgres image at hand, then keeps (or starts)
 * a container whose pg_dump is that major. Pulls the official image of the major when no local one has it.
 * Exit 3 when the server cannot be reached or no client of its major can be had: nothing was changed.
 */
export async function openExternalClient(o: { pg: ExternalPg; tag: string; dir: string; app?: string; out?: (l: string) => void }): Promise<PgClient> {
  const { pg } = o;
  const app = o.app ?? EXTERNAL_APP;
  const server = `PostgreSQL ${pg.host}:${pg.port}`;
  const mount = mkdtempSync(join(o.dir, '.pg-client-'));
  chmodSync(mount, 0o700);
  writeFileAtomic(join(mount, 'pgpass'), passfileLine(pg.password), { mode: 0o600 });
  if (pg.caFile) {
    copyFileSync(pg.caFile, join(mount, 'ca.pem'));
    chmodSync(join(mount, 'ca.pem'), 0o600);
  }
  const cleanupMount = () => rmSync(mount, { recursive: true, force: true });
  const started: string[] = [];
  try {
    const network = await networkFor(o.tag);
    const present: string[] = [];
    for (const img of candidateImages(o.tag)) if (await inspectImage(img)) present.push(img);
    if (!present.length) {
      const { pull } = await import('../install/pull.js');
      const own = candidateImages(o.tag)[0];
      await pull(own, o.out ?? (() => undefined));
      present.push(own);
    }
    let id = await startContainer(present[0], pg, network, mount, app);
    started.push(id);
    const v = await execSplit(id, ['psql', '-X', '-At', '-v', 'ON_ERROR_STOP=1', '-c', 'SHOW server_version_num']);
    if (v.exitCode !== 0) {
      throw new UserError(
        `${server}: connecting as ${pg.user} to database ${pg.database} (sslmode ${pg.sslmode}) from a container of ${present[0]} on network ${network} failed: ${(v.stderr || v.stdout).trim().replace(/\s+/g, ' ')}`,
        EXIT.prerequisite,
        'Run `sentry-onprem check --dir DIR --answers DIR/sentry-onprem.yml` for the external-db check\'s diagnosis. Nothing was changed.',
      );
    }
    const serverVersionNum = Number(v.stdout.trim());
    const serverMajor = majorOf(serverVersionNum);
    const majorIn = async (cid: string) => clientMajorOf((await execSplit(cid, ['pg_dump', '--version'])).stdout);
    let image = present[0];
    let clientMajor = await majorIn(id);
    if (clientMajor !== serverMajor) {
      const tried = [`${image} (pg_dump ${clientMajor ?? '?'})`];
      const wanted = officialImageOf(serverMajor);
      const others = candidateImages(o.tag, serverMajor).filter((i) => i !== image);
      let found = false;
      for (const img of others) {
        if (!(await inspectImage(img))) {
          if (img !== wanted) continue;
          try {
            const { pull } = await import('../install/pull.js');
            await pull(img, o.out ?? (() => undefined));
          } catch (err) {
            tried.push(`${img} (not here, pull failed: ${(err as Error).message.split('\n')[0]})`);
            continue;
          }
        }
        const cid = await startContainer(img, pg, network, mount, app);
        started.push(cid);
        const m = await majorIn(cid);
        if (m === serverMajor) {
          await removeQuietly(id);
          id = cid;
          image = img;
          clientMajor = m;
          found = true;
          break;
        }
        tried.push(`${img} (pg_dump ${m ?? '?'})`);
        await removeQuietly(cid);
      }
      if (!found) {
        throw new UserError(
          `${server} runs PostgreSQL ${serverMajor}, and no image here has its client tools (tried ${tried.join(', ')})`,
          EXIT.prerequisite,
          `Make the image ${wanted} available to the Docker engine (docker pull ${wanted}, or docker load from a machine that has it), then run again: dumps are taken with the server's own major. Nothing was changed.`,
        );
      }
    }
    o.out?.(`PostgreSQL ${serverMajor} at ${pg.host}:${pg.port}; client tools of ${image} (pg_dump ${clientMajor}) on network ${network}`);
    return {
      id,
      args: [],
      db: pg.database,
      maintenanceDb: pg.database,
      external: `${pg.host}:${pg.port}`,
      image,
      serverVersionNum,
      serverMajor,
      clientMajor: clientMajor!,
      close: async () => {
        for (const c of started) await removeQuietly(c);
        cleanupMount();
      },
    };
  } catch (err) {
    for (const c of started) await removeQuietly(c);
    cleanupMount();
    throw err;
  }
}

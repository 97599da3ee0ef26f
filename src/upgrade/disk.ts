/**
 * Disk an upgrade hop needs at its worst moment, against what is free. Measured read-only before anything
 * changes: the database's size (pg_database_size: the dump is at most that), the PostgreSQL data directory
 * (`du` in the running postgres container: what a major upgrade copies), the other data volumes' sizes
 * (the engine's `system df`), and the free space of the filesystem Docker stores volumes on and of the
 * backups directory. A hop's worst moment: the dump in backups/ plus a copy of every volume its one-off work
 * copies or rewrites (`arrival.copies` in the release data), both kept until the hop succeeds.
 */
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { freeSpace } from '../../checks/host/free-space.js';
import type { FreeSpace } from '../../checks/types.js';
import { docker, execIn } from '../install/docker.js';
import { runningPostgres, databaseFacts } from '../backup/postgres.js';
import { humanBytes } from '../backup/free-space.js';
import { buildView } from '../render/view.js';
import type { Answers } from '../answers/schema.js';
import type { Layout } from '../layout.js';
import type { Arrival } from '../releases/index.js';

export interface DiskNow {
  /** pg_database_size of the Sentry database (undefined: postgres is not running). */
  databaseBytes?: number;
  /** Sizes of the data volumes, by volume name (sentry-postgres: its data directory). */
  volumeBytes: Record<string, number>;
  /** The filesystem the data volumes are on. */
  volumesFree: FreeSpace;
  backupsFree: FreeSpace;
  notes: string[];
}

export interface HopDisk {
  /** Bytes per filesystem at the worst moment, with what they are for. */
  places: Array<{ label: string; path: string; needed: number; free?: number; parts: string[] }>;
  /** What could not be sized (a volume that does not exist yet, postgres not running). */
  unknown: string[];
  /** The first place that is short, and by how much. */
  short?: { label: string; path: string; needed: number; free: number; by: number };
}

/** Pure: the hop's worst moment from the measurements. */
export function hopDisk(o: { copies: NonNullable<Arrival['copies']>; withDatabaseBackup: boolean; now: DiskNow }): HopDisk {
  const { now } = o;
  const unknown: string[] = [];
  const volumes = { label: 'volumes', path: now.volumesFree.path, needed: 0, free: now.volumesFree.ok ? now.volumesFree.bytes : undefined, parts: [] as string[] };
  const backups = { label: 'backups', path: now.backupsFree.path, needed: 0, free: now.backupsFree.ok ? now.backupsFree.bytes : undefined, parts: [] as string[] };
  if (o.withDatabaseBackup) {
    if (now.databaseBytes === undefined) unknown.push('the database dump (postgres is not running)');
    else {
      backups.needed += now.databaseBytes;
      backups.parts.push(`database dump up to ${humanBytes(now.databaseBytes)}`);
    }
  }
  for (const c of o.copies) {
    const size = now.volumeBytes[c.volume];
    if (size === undefined) unknown.push(`${c.volume} (${c.why})`);
    else {
      volumes.needed += size;
      volumes.parts.push(`${c.volume} ${humanBytes(size)}: ${c.why}`);
    }
  }
  const sameDisk = now.volumesFree.ok && now.backupsFree.ok && now.volumesFree.device === now.backupsFree.device;
  const places = sameDisk
    ? [{ ...volumes, label: 'volumes and backups', needed: volumes.needed + backups.needed, parts: [...backups.parts, ...volumes.parts] }]
    : [backups, volumes];
  const shortPlace = places.find((p) => p.free !== undefined && p.needed > p.free);
  const short = shortPlace ? { label: shortPlace.label, path: shortPlace.path, needed: shortPlace.needed, free: shortPlace.free!, by: shortPlace.needed - shortPlace.free! } : undefined;
  return { places: places.filter((p) => p.needed > 0 || p.label !== 'backups'), unknown, short };
}

export function describeHopDisk(d: HopDisk): string {
  const places = d.places.map((p) => {
    const free = p.free === undefined ? 'free space not measured' : `${humanBytes(p.free)} free`;
    const what = p.parts.length ? ` (${p.parts.join('; ')})` : '';
    return `${humanBytes(p.needed)} on the ${p.label} disk ${p.path}${what}, ${free}`;
  });
  const verdict = d.short ? `SHORT by ${humanBytes(d.short.by)} on ${d.short.path}` : 'enough';
  return `${places.join('; ')}: ${verdict}${d.unknown.length ? `; not sized: ${d.unknown.join(', ')}` : ''}`;
}

/** Read-only measurements of the install's data (the release that runs now). */
export async function measureDisk(o: { project: string; answers: Answers; layout: Layout }): Promise<DiskNow> {
  const notes: string[] = [];
  const volumeBytes: Record<string, number> = {};
  const pg = await runningPostgres(o.project);
  let databaseBytes: number | undefined;
  if (pg) {
    databaseBytes = (await databaseFacts(pg.id)).bytes;
    const du = await execIn(pg.id, ['sh', '-c', 'du -sk "${PGDATA:-/var/lib/postgresql/data}"']);
    const kb = Number(du.output.trim().split(/\s+/)[0]);
    if (du.exitCode === 0 && Number.isFinite(kb)) volumeBytes['sentry-postgres'] = kb * 1024;
  } else notes.push('postgres is not running: the database was not measured');
  const d = await docker();
  let volumesFree: FreeSpace;
  if (o.answers.storage.mode === 'volumes') {
    const df = (await d.df()) as { Volumes?: Array<{ Name: string; UsageData?: { Size: number } }> };
    for (const v of df.Volumes ?? []) {
      if (v.Name.startsWith('sentry-') && !(v.Name in volumeBytes) && (v.UsageData?.Size ?? -1) >= 0) volumeBytes[v.Name] = v.UsageData!.Size;
    }
    const root = ((await d.info()) as { DockerRootDir?: string }).DockerRootDir ?? '/var/lib/docker';
    volumesFree = await freeSpace(join(root, 'volumes'));
    if (!volumesFree.ok) notes.push(`free space where Docker stores volumes (${root}) cannot be read from here: ${volumesFree.reason}`);
  } else {
    const dataDir = buildView(o.answers, 'x', o.layout.dir).dataDir;
    volumesFree = await freeSpace(dataDir);
    for (const name of ['sentry-postgres', 'sentry-clickhouse', 'sentry-kafka', 'sentry-data'].filter((n) => !(n in volumeBytes))) {
      try {
        const kb = Number(execFileSync('du', ['-sk', join(dataDir, name)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(/\s+/)[0]);
        if (Number.isFinite(kb)) volumeBytes[name] = kb * 1024;
      } catch {
        /* not there yet, or unreadable: not sized */
      }
    }
  }
  return { databaseBytes, volumeBytes, volumesFree, backupsFree: await freeSpace(o.layout.backupsDir), notes };
}

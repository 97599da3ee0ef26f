/**
 * One backup: a PostgreSQL dump taken from the running server plus the configuration files, into
 * backups/<timestamp>-<tag>[-to-<target>]/ (0700, files 0600) with a manifest written last.
 * Refuses to start when the disk would be left with less than the dump needs, twice over.
 */
import { mkdirSync, rmSync, chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Layout } from '../layout.js';
import { RELEASES, isSupportedTag } from '../catalog.js';
import { inspectImage } from '../install/docker.js';
import { UserError, EXIT } from '../errors.js';
import { configFiles, copyIntoBackup, sha256File } from './config-files.js';
import { connOf, databaseFacts, dumpDatabase } from './postgres.js';
import type { PgConn } from './external-client.js';
import { enoughForBackup, freeBytes, humanBytes } from './free-space.js';
import { DUMP_FILE, writeManifest, type Manifest } from './manifest.js';

export interface BackupOptions {
  layout: Layout;
  tag: string;
  targetTag?: string;
  project: string;
  kind: Manifest['kind'];
  stamp: string;
  /** The install's running postgres container, or the client of its external server; undefined = configuration only (--no-backup). */
  postgresId?: string | PgConn;
  out: (line: string) => void;
}

export interface BackupResult {
  dir: string;
  manifest: Manifest;
}

export function backupName(stamp: string, tag: string, targetTag?: string): string {
  return `${stamp}-${tag}${targetTag ? `-to-${targetTag}` : ''}`;
}

export async function takeBackup(o: BackupOptions): Promise<BackupResult> {
  const t0 = Date.now();
  const dir = join(o.layout.backupsDir, backupName(o.stamp, o.tag, o.targetTag));
  let db: { bytes: number; server: string } | undefined;
  if (o.postgresId) {
    db = await databaseFacts(o.postgresId);
    const free = freeBytes(o.layout.backupsDir);
    if (!enoughForBackup(free, db.bytes)) {
      throw new UserError(
        `not enough free disk for the backup: ${humanBytes(free)} free under ${o.layout.backupsDir}, the database is ${humanBytes(db.bytes)} and the backup needs twice that free`,
        EXIT.prerequisite,
        `Free at least ${humanBytes(2 * db.bytes - free)} there (old backups in ${o.layout.backupsDir} can go), then run again. Nothing was changed.`,
      );
    }
  }
  if (existsSync(dir)) throw new UserError(`${dir} exists already`, EXIT.failure, 'Run again in a second (backups are named by time).');
  mkdirSync(o.layout.backupsDir, { recursive: true, mode: 0o700 });
  chmodSync(o.layout.backupsDir, 0o700);
  mkdirSync(dir, { mode: 0o700 });
  try {
    let database: Manifest['database'] = null;
    if (o.postgresId && db) {
      o.out(`dumping the database (${humanBytes(db.bytes)}, PostgreSQL ${db.server}${connOf(o.postgresId).external ? ` at ${connOf(o.postgresId).external}` : ''})`);
      const started = Date.now();
      const size = await dumpDatabase(o.postgresId, join(dir, DUMP_FILE));
      database = { file: DUMP_FILE, name: connOf(o.postgresId).db, ...(connOf(o.postgresId).external ? { external: connOf(o.postgresId).external } : {}), server: db.server, databaseBytes: db.bytes, size, sha256: sha256File(join(dir, DUMP_FILE)) };
      o.out(`${DUMP_FILE}: ${humanBytes(size)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    const files = copyIntoBackup(o.layout, configFiles(o.layout), dir);
    o.out(`${files.length} configuration files copied`);
    const images: Record<string, string> = {};
    if (isSupportedTag(o.tag)) {
      for (const { image: name } of RELEASES[o.tag].builtImages) {
        const img = await inspectImage(name);
        if (img) images[name] = img.id;
      }
    }
    const manifest: Manifest = {
      format: 1,
      kind: o.kind,
      createdAt: new Date().toISOString(),
      tag: o.tag,
      ...(o.targetTag ? { targetTag: o.targetTag } : {}),
      project: o.project,
      database,
      files,
      images,
      tookMs: Date.now() - t0,
    };
    writeManifest(dir, manifest);
    return { dir, manifest };
  } catch (err) {
    // A half-written backup must not look like one that can be restored.
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

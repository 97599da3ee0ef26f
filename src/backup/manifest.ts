/**
 * manifest.json of a backup: what it holds (tags, sizes, checksums). Written last, so a backup without
 * one is incomplete; verified before anything is restored from it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic.js';
import { UserError, EXIT } from '../errors.js';
import { sha256File, type FileEntry } from './config-files.js';

export const MANIFEST = 'manifest.json';
export const DUMP_FILE = 'postgres.dump';

export interface DatabaseEntry {
  file: string;
  name: string;
  server: string;
  /** host:port of the external server it was dumped from; absent: the bundled postgres service. */
  external?: string;
  /** pg_database_size when the dump was taken. */
  databaseBytes: number;
  size: number;
  sha256: string;
}

export interface Manifest {
  format: 1;
  kind: 'upgrade' | 'manual';
  createdAt: string;
  /** The release installed when the backup was taken: a restore needs the same one installed. */
  tag: string;
  /** For backups taken before an upgrade: the release it went to. */
  targetTag?: string;
  project: string;
  /** Null when taken with --no-backup (configuration only). */
  database: DatabaseEntry | null;
  files: FileEntry[];
  /** Locally built images at backup time (name -> image id). */
  images: Record<string, string>;
  tookMs: number;
}

export function writeManifest(dir: string, m: Manifest): void {
  writeFileAtomic(join(dir, MANIFEST), JSON.stringify(m, null, 2) + '\n', { mode: 0o600 });
}

export function readManifest(dir: string): Manifest {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) {
    throw new UserError(`${dir} has no ${MANIFEST}: not a sentry-onprem backup, or one that did not finish`, EXIT.usage);
  }
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch (err) {
    throw new UserError(`${path} is not valid JSON: ${(err as Error).message}`, EXIT.failure);
  }
  if (m.format !== 1 || typeof m.tag !== 'string' || !Array.isArray(m.files)) {
    throw new UserError(`${path} is not a manifest this version of sentry-onprem reads (format ${String(m.format)})`, EXIT.failure);
  }
  return m;
}

/** Every file the manifest lists, with its size and checksum; returns the problems (empty when intact). */
export function verifyBackup(dir: string, m: Manifest): string[] {
  const problems: string[] = [];
  const check = (rel: string, size: number, sha: string) => {
    const p = join(dir, rel);
    if (!existsSync(p)) return problems.push(`${rel}: missing`);
    const actual = statSync(p).size;
    if (actual !== size) return problems.push(`${rel}: ${actual} bytes, the manifest says ${size}`);
    if (sha256File(p) !== sha) problems.push(`${rel}: checksum differs from the manifest`);
  };
  if (m.database) check(m.database.file, m.database.size, m.database.sha256);
  for (const f of m.files) check(join('files', f.path), f.size, f.sha256);
  return problems;
}

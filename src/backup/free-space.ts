/** Free bytes on the filesystem that holds a path (or would hold it: the nearest existing parent). */
import { existsSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';

export function freeBytes(path: string): number {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  const s = statfsSync(p);
  return Number(s.bavail) * Number(s.bsize);
}

/** A dump is usually smaller than the database, but it must never fill the disk Sentry runs on. */
export function enoughForBackup(free: number, databaseBytes: number): boolean {
  return free >= 2 * databaseBytes;
}

export function humanBytes(bytes: number): string {
  return bytes >= 10e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

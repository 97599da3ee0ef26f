/**
 * Remembers what a Compose binary printed as its version, keyed by the path, size and mtime of the
 * files that decide the answer. Compose v1 is a Python program that needs ~0.5 s to print its
 * version (v2 through the docker CLI ~0.05 s, a third of a whole `check`); an upgrade or a replaced
 * binary changes size or mtime, so a stale answer is never used.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

interface Entry {
  /** size:mtime of each key file, "absent" for one that does not exist (creating it invalidates) */
  stamps: string[];
  output: string;
}
interface CacheFile {
  entries: Record<string, Entry>;
}

export function versionCacheFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'sentry-onprem', 'compose-versions.json');
}

function load(file: string): CacheFile {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    return data && typeof data.entries === 'object' && data.entries ? data : { entries: {} };
  } catch {
    return { entries: {} };
  }
}

function stamp(path: string): string {
  try {
    const st = statSync(path); // follows symlinks: the file that actually runs
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return 'absent';
  }
}

const keyOf = (files: string[]) => files.join('\n');

export function readCachedVersion(cacheFile: string, keyFiles: string[]): string | null {
  const e = load(cacheFile).entries[keyOf(keyFiles)];
  if (!e || !Array.isArray(e.stamps) || e.stamps.length !== keyFiles.length) return null;
  return keyFiles.every((f, i) => stamp(f) === e.stamps[i]) ? e.output : null;
}

/** Best effort: an unwritable cache (read-only home, no HOME) only costs the next run the probe. */
export function writeCachedVersion(cacheFile: string, keyFiles: string[], output: string): void {
  try {
    const data = load(cacheFile);
    data.entries[keyOf(keyFiles)] = { stamps: keyFiles.map(stamp), output };
    mkdirSync(dirname(cacheFile), { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data, null, 1));
    renameSync(tmp, cacheFile); // atomic: a concurrent reader sees the old or the new file, never half of one
  } catch {
    /* ignored on purpose, see above */
  }
}

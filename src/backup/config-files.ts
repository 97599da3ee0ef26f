/**
 * The configuration half of a backup: answers, secrets, state, every rendered file and the copy it is
 * merged against, the user's compose override, the self-signed TLS pair and the Relay credentials.
 * Kept as plain files (0600 in 0700 directories) so an operator can read them without this tool.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, mkdirSync, chmodSync, openSync, readSync, closeSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Layout } from '../layout.js';
import { writeFileAtomic } from '../fs/atomic.js';

export interface FileEntry {
  /** Relative to the install directory; stored under files/<path> in the backup. */
  path: string;
  size: number;
  sha256: string;
  mode: number;
  uid: number;
}

const FIXED = ['sentry-onprem.yml', 'docker-compose.override.yml', 'tls/cert.pem', 'tls/key.pem', 'relay/credentials.json'];

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Every configuration file of the install that exists now, relative to its directory. */
export function configFiles(layout: Layout): string[] {
  const rel = (p: string) => relative(layout.dir, p);
  const rendered = walk(layout.renderedDir);
  const managed = rendered.map((p) => relative(layout.renderedDir, p));
  const all = [...FIXED, rel(layout.secretsFile), rel(layout.stateFile), ...managed, ...rendered.map(rel)];
  return [...new Set(all)].filter((p) => existsSync(join(layout.dir, p))).sort();
}

/** In 1 MiB chunks: a database dump may be larger than memory. */
export function sha256File(path: string): string {
  const h = createHash('sha256');
  const buf = Buffer.alloc(1 << 20);
  const fd = openSync(path, 'r');
  try {
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/** Copies the files into <backupDir>/files/ and returns what was copied, with checksums. */
export function copyIntoBackup(layout: Layout, paths: string[], backupDir: string): FileEntry[] {
  return paths.map((p) => {
    const src = join(layout.dir, p);
    const data = readFileSync(src);
    const st = statSync(src);
    const dest = join(backupDir, 'files', p);
    ensurePrivateDirs(join(backupDir, 'files'), dirname(dest));
    writeFileAtomic(dest, data, { mode: 0o600 });
    return { path: p, size: data.length, sha256: createHash('sha256').update(data).digest('hex'), mode: st.mode & 0o777, uid: st.uid };
  });
}

/** Every directory from root down to dir exists with mode 0700. */
function ensurePrivateDirs(root: string, dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (let d = dir; d.startsWith(root); d = dirname(d)) {
    chmodSync(d, 0o700);
    if (d === root) break;
  }
}

/** Writes the backed-up files back in place, with their recorded mode and owner. Returns the paths written. */
export function putBackFiles(layout: Layout, backupDir: string, entries: FileEntry[]): string[] {
  const written: string[] = [];
  for (const e of entries) {
    const data = readFileSync(join(backupDir, 'files', e.path));
    const target = join(layout.dir, e.path);
    if (existsSync(target)) {
      const st = statSync(target);
      if ((st.mode & 0o777) === e.mode && st.uid === e.uid && readFileSync(target).equals(data)) continue;
    }
    writeFileAtomic(target, data, { mode: e.mode, uid: e.uid });
    written.push(e.path);
  }
  return written;
}

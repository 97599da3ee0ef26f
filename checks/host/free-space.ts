/** Free bytes for an unprivileged writer on the filesystem of a path (or of its nearest existing parent). */
import { statfs, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { FreeSpace } from '../types.js';

export async function freeSpace(path: string): Promise<FreeSpace> {
  // The install directory may not exist yet; the filesystem it will be created on is what counts.
  let p = resolve(path);
  for (;;) {
    try {
      const [fs, st] = await Promise.all([statfs(p), stat(p)]);
      return { ok: true, path: p, bytes: fs.bavail * fs.bsize, device: st.dev };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const up = dirname(p);
      if (code !== 'ENOENT' || up === p) return { ok: false, path: resolve(path), reason: code === 'ENOENT' ? 'does not exist on this host' : `${code}` };
      p = up;
    }
  }
}

/** /proc/cpuinfo of this host, or null where there is none (macOS, Windows). */
import { readFile } from 'node:fs/promises';

export async function readCpuinfo(path = '/proc/cpuinfo'): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

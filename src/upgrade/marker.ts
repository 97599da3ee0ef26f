/**
 * .sentry-onprem/upgrade.json exists while an upgrade has changed the host and not yet finished or rolled
 * back. If the process dies in between (power, kill -9), the next command finds it and says how to get
 * back: restore the backup taken just before.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Layout } from '../layout.js';
import { writeFileAtomic } from '../fs/atomic.js';

export interface UpgradeMarker {
  from: string;
  to: string;
  backupDir: string;
  startedAt: string;
  pid: number;
}

export const markerPath = (layout: Layout) => join(layout.stateDir, 'upgrade.json');

export function readMarker(layout: Layout): UpgradeMarker | undefined {
  const p = markerPath(layout);
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as UpgradeMarker;
  } catch {
    return { from: '?', to: '?', backupDir: '?', startedAt: '?', pid: 0 };
  }
}

export function writeMarker(layout: Layout, m: UpgradeMarker): void {
  writeFileAtomic(markerPath(layout), JSON.stringify(m, null, 2) + '\n', { mode: 0o600 });
}

export function clearMarker(layout: Layout): void {
  rmSync(markerPath(layout), { force: true });
}

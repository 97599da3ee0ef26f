/**
 * The install directory remembers the bundle it was installed from, once the install succeeded: a re-run with
 * the same, unchanged file skips hashing its parts again (`.sentry-onprem/bundle.json`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic.js';
import type { Layout } from '../layout.js';
import type { BundleStamp } from './verify.js';

const file = (layout: Layout) => join(layout.stateDir, 'bundle.json');

export function readVerified(layout: Layout): BundleStamp | undefined {
  try {
    return existsSync(file(layout)) ? (JSON.parse(readFileSync(file(layout), 'utf8')) as BundleStamp) : undefined;
  } catch {
    return undefined;
  }
}

export function rememberVerified(layout: Layout, stamp: BundleStamp): void {
  if (JSON.stringify(readVerified(layout)) === JSON.stringify(stamp)) return;
  writeFileAtomic(file(layout), JSON.stringify(stamp, null, 2) + '\n', { mode: 0o600 });
}

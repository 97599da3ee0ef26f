/** Where everything lives in an install directory. One place, so no command guesses a path. */
import { join, resolve } from 'node:path';

export interface Layout {
  dir: string;
  stateDir: string;
  answersFile: string;
  secretsFile: string;
  renderedDir: string;
  stateFile: string;
  logsDir: string;
  backupsDir: string;
  lockFile: string;
  /** When cleanups started being skipped because the lock was held (gone once one runs). */
  cleanupSkippedFile: string;
}

export function layoutFor(dir: string): Layout {
  const root = resolve(dir);
  const stateDir = join(root, '.sentry-onprem');
  return {
    dir: root,
    stateDir,
    answersFile: join(root, 'sentry-onprem.yml'),
    secretsFile: join(stateDir, 'secrets.json'),
    renderedDir: join(stateDir, 'rendered'),
    stateFile: join(stateDir, 'state.json'),
    logsDir: join(root, 'logs'),
    backupsDir: join(root, 'backups'),
    lockFile: join(stateDir, 'lock'),
    cleanupSkippedFile: join(stateDir, 'cleanup-skipped.json'),
  };
}

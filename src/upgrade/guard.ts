/**
 * For install and reconfigure: a different tag than the installed one is an upgrade (or a downgrade),
 * which only `sentry-onprem upgrade` does safely (backup, one-off data steps, rollback).
 */
import { UserError, EXIT } from '../errors.js';
import { readMarker } from './marker.js';
import type { Layout } from '../layout.js';

export function tagChangeRefusal(installed: string | undefined, wanted: string, dir: string): UserError | undefined {
  if (!installed || installed === wanted) return undefined;
  return new UserError(
    `Sentry ${installed} is installed in ${dir}; the answers ask for ${wanted}`,
    EXIT.usage,
    `Change releases with \`sentry-onprem upgrade --tag ${wanted} --dir ${dir}\` (it backs up first and can roll back), or set tag back to ${installed}. Nothing was changed.`,
  );
}

/** An upgrade that changed the host and never finished: only a restore of its backup is safe now. */
export function unfinishedUpgradeRefusal(layout: Layout): UserError | undefined {
  const m = readMarker(layout);
  if (!m) return undefined;
  return new UserError(
    `an upgrade from ${m.from} to ${m.to} started at ${m.startedAt} did not finish or roll back`,
    EXIT.failure,
    `Put back the state from before it: sentry-onprem restore ${m.backupDir} --dir ${layout.dir} --yes`,
  );
}

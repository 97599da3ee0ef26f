/** A one-off data step of a hop: runs while no container of either release runs, and knows how to undo itself. */
import { EXIT, UserError } from '../../errors.js';
import type { Answers } from '../../answers/schema.js';
import type { SupportedTag } from '../../catalog.js';
import type { OneOffId } from '../hops.js';

export interface OneOffEnv {
  from: SupportedTag;
  to: SupportedTag;
  /** The target's answers (image names and storage mode). */
  answers: Answers;
  dir: string;
  /** The compose project of the release that runs now (the steps before its stop work on it). */
  fromProject?: string;
  /** A database dump exists to restore from (false with --no-backup). */
  databaseBackedUp: boolean;
}

/** A PostgreSQL major upgrade converts the data directory in place of the old one: only with a dump to go back to. */
export function requireDatabaseBackup(env: OneOffEnv, fromMajor: string): void {
  if (env.databaseBackedUp) return;
  throw new UserError(
    `the PostgreSQL ${fromMajor} data directory must be converted, and without the database backup there would be no way back`,
    EXIT.usage,
    'Run the upgrade again without --no-backup.',
  );
}

export interface OneOffResult {
  /** What was done (undefined: nothing needed doing, see skipped). */
  done?: string;
  skipped?: string;
  /** Puts the data back the way the previous release reads it. */
  undo?: (out: (l: string) => void) => Promise<void>;
  /** Runs once the hop has succeeded (e.g. removes the copy kept for the undo). */
  finish?: () => Promise<void>;
  /** The PostgreSQL data was changed: a rollback must restore the database from the dump. */
  changedDatabase?: boolean;
}

export interface OneOff {
  id: OneOffId;
  title: string;
  /** One line for --dry-run. */
  plan: string;
  /** Images it runs besides the release's own (the upgrade's preflight wants them present or pullable). */
  images?: (answers: Answers) => string[];
  run(env: OneOffEnv, out: (l: string) => void): Promise<OneOffResult>;
  /** Work on the running old release, just before it is stopped (e.g. draining Kafka); its undo runs in a rollback. */
  beforeStop?: { title: string; run(env: OneOffEnv, out: (l: string) => void): Promise<OneOffResult> };
}

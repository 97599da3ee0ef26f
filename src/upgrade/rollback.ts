/**
 * Back to the release that ran before a failed hop: stop whatever of the target started, undo the one-off
 * data steps, point the image names back, put back the previous files, restore the database when the
 * migrations had started (asked on a terminal, done with --yes), and start the previous stack until it
 * is healthy. Every part is tried even when an earlier one failed; what did not work is reported.
 */
import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { upStep } from '../install/steps/up.js';
import { waitForPostgres } from '../install/steps/migrations.js';
import type { Ctx, StepResult } from '../install/context.js';
import { ComposeRunner, type ComposeCommand } from '../../compose/runner.js';
import { putBackFiles } from '../backup/config-files.js';
import { restoreDatabase, runningPostgres } from '../backup/postgres.js';
import { downProject } from './stack.js';
import { putBackImages, dropKeptImages } from './keep-images.js';
import { removeStaging } from './staging.js';
import { clearMarker } from './marker.js';
import type { HopDone } from './run-hop.js';
import type { Hop } from './plan-path.js';
import type { Progress, Line } from './progress.js';

export type DatabaseOutcome = 'untouched' | 'restored' | 'declined' | 'no-dump' | 'failed';

export interface RollbackInput {
  hop: Hop;
  compose: ComposeCommand;
  fromCtx: Ctx;
  toCtx: Ctx;
  done: HopDone;
  progress: Progress;
  /** Restore the database without asking. */
  yes: boolean;
  /** Asks whether to restore the database; undefined when nobody can be asked. */
  ask?: (question: string) => Promise<boolean>;
}

export interface RollbackOutcome {
  problems: string[];
  database: DatabaseOutcome;
  /** The previous stack was stopped and has been started again, healthy. */
  restarted: boolean;
  health?: string;
}

/** Removes files the target created; directories left empty by that go too. Returns how many were removed. */
export function removeCreated(dir: string, paths: string[]): number {
  const keep = new Set([dir, join(dir, '.sentry-onprem'), join(dir, '.sentry-onprem', 'rendered')]);
  let n = 0;
  for (const p of paths) {
    const abs = join(dir, p);
    if (!existsSync(abs)) continue;
    rmSync(abs, { force: true });
    n++;
    // Directories only the target has (cron/, relay/, symbolicator/) go when they are left empty.
    for (let d = dirname(abs); !keep.has(d) && d.startsWith(dir + '/') && existsSync(d) && readdirSync(d).length === 0; d = dirname(d)) rmdirSync(d);
  }
  return n;
}

export async function rollBack(r: RollbackInput): Promise<RollbackOutcome> {
  const { done, progress, hop } = r;
  const problems: string[] = [];
  // Fresh runners: the ones of the failed run may have been cancelled (Ctrl-C).
  const fromCtx: Ctx = { ...r.fromCtx, runner: new ComposeRunner(r.compose, r.fromCtx.layout.dir, r.fromCtx.log) };
  const fromProject = fromCtx.project!;
  const toProject = r.toCtx.project!;
  const attempt = async (title: string, run: (out: Line) => Promise<StepResult>): Promise<boolean> => {
    try {
      await progress.step(title, run);
      return true;
    } catch (err) {
      const msg = (err as Error).message;
      problems.push(`${title}: ${msg}`);
      progress.line(`  ! ${title} failed: ${msg}`);
      return false;
    }
  };

  if (done.oldStackStopped) {
    await attempt(`Stop what started of Sentry ${hop.to}`, async (out) => {
      let n = await downProject(toProject, out, 10);
      if (fromProject !== toProject) n += await downProject(fromProject, out, 10);
      return n ? { done: `${n} containers removed` } : { skipped: 'nothing was running' };
    });
  }
  for (const u of [...done.undos].reverse()) {
    await attempt(`Undo: ${u.title}`, async (out) => {
      await u.undo(out);
      return { done: 'undone' };
    });
  }
  if (done.keptImages) {
    const kept = done.keptImages;
    await attempt(`Put back the ${hop.from} images`, async () => {
      const moved = await putBackImages(kept);
      await dropKeptImages(kept); // the names point at the old images again; the extra tags are not needed
      return moved.length ? { done: moved.join(', ') } : { skipped: 'they were not replaced' };
    });
  }
  if (done.filesChanged && done.backup) {
    const b = done.backup;
    await attempt(`Put back the ${hop.from} files`, async () => {
      const removed = removeCreated(fromCtx.layout.dir, done.createdFiles);
      const written = putBackFiles(fromCtx.layout, b.dir, b.manifest.files);
      return { done: `${written.length} written back, ${removed} removed (from ${b.dir})` };
    });
  }
  removeStaging(fromCtx.layout);

  let database: DatabaseOutcome = 'untouched';
  if (done.databaseChanged) {
    const dump = done.backup?.manifest.database;
    if (!dump) database = 'no-dump';
    else {
      const question = `The ${hop.to} migrations had started. Restore the database from ${done.backup!.dir}?`;
      // A prompt closed with Ctrl-C counts as no: the rest of the rollback must still run.
      const go = r.yes || (r.ask ? await r.ask(question).catch(() => false) : false);
      if (!go) database = 'declined';
      else {
        const file = join(done.backup!.dir, dump.file);
        const ok = await attempt(`Restore the ${hop.from} database`, async (out) => {
          await waitForPostgres(fromCtx, out);
          const pg = await runningPostgres(fromProject);
          if (!pg) throw new Error(`no running postgres in project ${fromProject}`);
          await restoreDatabase(pg.id, file, out);
          return { done: `restored from ${file}` };
        });
        database = ok ? 'restored' : 'failed';
      }
    }
  }

  let restarted = false;
  let health: string | undefined;
  if (done.oldStackStopped) {
    restarted = await attempt(`Start Sentry ${hop.from} again`, async (out) => {
      const res = await upStep.run(fromCtx, out);
      if ('done' in res) health = res.done;
      return res;
    });
  }
  if (!problems.length && database !== 'declined') clearMarker(fromCtx.layout);
  return { problems, database, restarted, health };
}

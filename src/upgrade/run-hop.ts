/**
 * One hop of an upgrade, in the order that keeps the old release running as long as possible:
 * backup, pull and build (old stack up), render, stop the old stack, volumes, one-off data steps,
 * bootstrap, migrations, up with health. What has been done is recorded as it happens, so a failure at
 * any point rolls back exactly that (rollback.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RELEASES, type SupportedTag } from '../catalog.js';
import type { Ctx, StepResult } from '../install/context.js';
import type { ComposeCommand } from '../../compose/runner.js';
import { waitForPostgres } from '../install/steps/migrations.js';
import { imagesStep } from '../install/steps/images.js';
import { renderStep } from '../install/steps/render-files.js';
import { volumesStep } from '../install/steps/volumes.js';
import { bootstrapStep } from '../install/steps/bootstrap.js';
import { migrationsStep } from '../install/steps/migrations.js';
import { superuserStep } from '../install/steps/superuser.js';
import { upStep } from '../install/steps/up.js';
import { cronStep } from '../install/steps/cron.js';
import { writeState } from '../install/state.js';
import { takeBackup, type BackupResult } from '../backup/take-backup.js';
import { verifyBackup } from '../backup/manifest.js';
import { runningPostgres } from '../backup/postgres.js';
import { humanBytes } from '../backup/free-space.js';
import { UserError, EXIT } from '../errors.js';
import type { Hop } from './plan-path.js';
import { ONE_OFFS, type OneOffResult } from './one-offs/index.js';
import { downProject } from './stack.js';
import { keepImages, dropKeptImages } from './keep-images.js';
import { buildStaged, removeStaging } from './staging.js';
import { writeMarker, clearMarker } from './marker.js';
import type { Progress } from './progress.js';
import type { Cancel } from './cancel.js';

export interface HopInput {
  hop: Hop;
  compose: ComposeCommand;
  /** The release that runs now. */
  fromCtx: Ctx;
  /** The target, with plan = the render plan already checked for conflicts. */
  toCtx: Ctx;
  withDatabaseBackup: boolean;
  progress: Progress;
  cancel: Cancel;
}

/** What a hop has done so far: exactly what a rollback has to undo. */
export interface HopDone {
  backup?: BackupResult;
  keptImages?: Record<string, string>;
  filesChanged: boolean;
  /** Files the target's render (or bootstrap) created; they did not exist before. */
  createdFiles: string[];
  oldStackStopped: boolean;
  undos: Array<{ title: string; undo: (out: (l: string) => void) => Promise<void> }>;
  /** What one-off steps drop once the hop has succeeded (copies kept for their undo). */
  finishes?: Array<() => Promise<void>>;
  /** `sentry upgrade` started, or a one-off changed the PostgreSQL data. */
  databaseChanged: boolean;
  /** The title of the step that failed. */
  failedStep?: string;
}

export function newHopDone(): HopDone {
  return { filesChanged: false, createdFiles: [], oldStackStopped: false, undos: [], databaseChanged: false };
}

function createdByRender(h: HopInput): string[] {
  const layout = h.toCtx.layout;
  const created = h.toCtx.plan!.changes.filter((c) => c.kind === 'create').map((c) => c.file.path);
  const paths = created.flatMap((p) => [p, join('.sentry-onprem', 'rendered', p)]);
  // Relay credentials are made by the bootstrap step, not the render.
  if (!existsSync(join(layout.dir, 'relay/credentials.json'))) paths.push('relay/credentials.json');
  return paths;
}

/** Runs the hop; on failure `done` says what happened (the caller rolls back) and the error is rethrown. */
export async function runHop(h: HopInput, done: HopDone): Promise<void> {
  const { hop, fromCtx, toCtx, progress, cancel } = h;
  const from = hop.from as SupportedTag;
  const to = hop.to as SupportedTag;
  const layout = toCtx.layout;
  const step = async (title: string, run: (out: (l: string) => void) => Promise<StepResult>) => {
    cancel.throwIfRequested();
    done.failedStep = title;
    await progress.step(title, run);
  };

  await step(h.withDatabaseBackup ? `Back up Sentry ${from}` : `Back up the configuration of Sentry ${from} (--no-backup: no database dump)`, async (out) => {
    let postgresId: string | undefined;
    if (h.withDatabaseBackup) {
      postgresId = (await runningPostgres(fromCtx.project!))?.id;
      if (!postgresId) {
        await waitForPostgres(fromCtx, out); // starts the old release's postgres if it was stopped
        postgresId = (await runningPostgres(fromCtx.project!))?.id;
      }
    }
    const b = await takeBackup({ layout, tag: from, targetTag: to, project: fromCtx.project!, kind: 'upgrade', stamp: toCtx.stamp, postgresId, out });
    const problems = verifyBackup(b.dir, b.manifest);
    if (problems.length) throw new UserError(`the backup in ${b.dir} does not match its manifest: ${problems.join('; ')}`, EXIT.failure);
    done.backup = b;
    writeMarker(layout, { from, to, backupDir: b.dir, startedAt: new Date().toISOString(), pid: process.pid });
    const db = b.manifest.database;
    return { done: `${b.dir} (${db ? `database dump ${humanBytes(db.size)}, ` : ''}${b.manifest.files.length} files, verified, ${(b.manifest.tookMs / 1000).toFixed(1)} s)` };
  });

  await step(`Pull the ${to} images (${from} keeps running)`, async (out) => {
    done.keptImages = await keepImages([...RELEASES[from].builtImages, ...RELEASES[to].builtImages].map((b) => b.image));
    return imagesStep.run(toCtx, out);
  });
  await step(`Build the ${to} images (${from} keeps running)`, (out) => buildStaged(toCtx, h.compose, out, (r) => cancel.track(r)));

  await step(`Render the ${to} files`, async (out) => {
    done.createdFiles = createdByRender(h);
    done.filesChanged = true;
    return renderStep.run(toCtx, out);
  });
  const env = { from, to, answers: toCtx.answers!, dir: layout.dir, fromProject: fromCtx.project, databaseBackedUp: Boolean(done.backup?.manifest.database) };
  const record = (title: string, r: OneOffResult): StepResult => {
    if (r.changedDatabase) done.databaseChanged = true;
    if (r.undo) done.undos.push({ title, undo: r.undo });
    if (r.finish) (done.finishes ??= []).push(r.finish);
    return r.done ? { done: r.done } : { skipped: r.skipped ?? 'nothing to do' };
  };
  for (const id of hop.oneOffs) {
    const before = ONE_OFFS[id].beforeStop;
    if (before) await step(before.title, async (out) => record(before.title, await before.run(env, out)));
  }
  await step(`Stop Sentry ${from} (project ${fromCtx.project})`, async (out) => {
    done.oldStackStopped = true;
    const n = await downProject(fromCtx.project!, out);
    return { done: `${n} containers stopped and removed; volumes kept` };
  });
  await step('Create volumes', (out) => volumesStep.run(toCtx, out));

  for (const id of hop.oneOffs) {
    const one = ONE_OFFS[id];
    await step(one.title, async (out) => record(one.title, await one.run(env, out)));
  }

  await step(`Bootstrap Sentry ${to}`, (out) => bootstrapStep.run(toCtx, out));
  await step(`Run the ${to} database migrations`, async (out) => {
    done.databaseChanged = true;
    return migrationsStep.run(toCtx, out);
  });
  await step('Create the admin user', (out) => superuserStep.run(toCtx, out));
  await step(`Start Sentry ${to}`, (out) => upStep.run(toCtx, out));
  await step('Install the cleanup cron', (out) => cronStep.run(toCtx, out));
  done.failedStep = undefined;
}

/** After a successful hop: the state records the new release; the rollback aids go. */
export async function finishHop(h: HopInput, done: HopDone): Promise<void> {
  const s = h.toCtx.state;
  s.tag = h.hop.to;
  s.lastCompletedStep = 'summary';
  s.history.push({ at: new Date().toISOString(), step: 'upgrade', result: `${h.hop.from} -> ${h.hop.to}` });
  writeState(h.toCtx.layout.stateFile, s);
  if (done.keptImages) await dropKeptImages(done.keptImages);
  // The hop has succeeded: a copy that cannot be dropped now only takes disk, it is reported, not rolled back.
  for (const f of done.finishes ?? []) await f().catch((e: Error) => h.progress.line(`  ! could not drop a copy kept for the undo: ${e.message}`));
  removeStaging(h.toCtx.layout);
  clearMarker(h.toCtx.layout);
}

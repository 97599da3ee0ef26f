/**
 * `sentry-onprem restore BACKUP_DIR`: puts a backup back into the install it was taken from: checksums
 * first, the same release installed (else: which one to install first), then the configuration, the
 * database (dropped and re-created, so it holds exactly the dumped rows) and a healthy stack.
 */
import { resolve } from 'node:path';
import { isInteractive, loadAnswers, savedAnswers } from '../answers/load.js';
import { layoutFor } from '../layout.js';
import { refuseExternalPostgres } from '../answers/external.js';
import { CancelledError, EXIT, UserError } from '../errors.js';
import { RELEASES, isSupportedTag } from '../catalog.js';
import { RunLog } from '../install/log.js';
import { readState, writeState } from '../install/state.js';
import { withDirLock } from '../lock/dir-lock.js';
import { chooseCompose } from '../install/steps/checks.js';
import { waitForPostgres } from '../install/steps/migrations.js';
import { upStep } from '../install/steps/up.js';
import { readManifest, verifyBackup } from '../backup/manifest.js';
import { putBackFiles } from '../backup/config-files.js';
import { restoreDatabase, runningPostgres } from '../backup/postgres.js';
import { releaseCtx } from '../upgrade/contexts.js';
import { Progress } from '../upgrade/progress.js';
import { downProject } from '../upgrade/stack.js';
import { readMarker, clearMarker } from '../upgrade/marker.js';
import { timestamp } from './render.js';
import { refuseForeignOwnership } from '../ownership/guard.js';

export interface RestoreFlags {
  dir: string;
  yes?: boolean;
}

export async function restore(backupDir: string, flags: RestoreFlags): Promise<number> {
  const layout = layoutFor(flags.dir);
  refuseExternalPostgres(savedAnswers(layout).raw, 'restore', layout.dir);
  const from = resolve(backupDir);
  const m = readManifest(from);
  const installed = readState(layout.stateFile).tag;
  if (!installed) {
    throw new UserError(`no Sentry is installed in ${layout.dir}`, EXIT.usage, `The backup was taken from Sentry ${m.tag}: install that first (sentry-onprem install --tag ${m.tag} --dir ${layout.dir}), then restore. Nothing was changed.`);
  }
  if (m.tag !== installed) {
    throw new UserError(
      `${from} was taken from Sentry ${m.tag}, but Sentry ${installed} is installed in ${layout.dir}`,
      EXIT.usage,
      `A database restores only into the release it came from. Install Sentry ${m.tag} first (in an empty directory: sentry-onprem install --tag ${m.tag} --dir NEW_DIR), then restore into it. Nothing was changed.`,
    );
  }
  if (!m.database) throw new UserError(`${from} holds no database dump (taken with --no-backup)`, EXIT.usage, 'Choose a backup with a database dump. Nothing was changed.');
  const problems = verifyBackup(from, m);
  if (problems.length) throw new UserError(`${from} is damaged:\n${problems.map((p) => `  - ${p}`).join('\n')}`, EXIT.failure, 'Nothing was changed.');
  await refuseForeignOwnership({ layout, tags: [installed].filter(isSupportedTag) });
  if (!flags.yes) {
    if (!isInteractive(flags)) throw new UserError('restore replaces the database and needs --yes without a terminal', EXIT.usage, 'Nothing was changed.');
    const { confirm } = await import('@inquirer/prompts');
    const ok = await confirm({ message: `Replace the database and configuration of ${layout.dir} with ${from} (taken ${m.createdAt})?`, default: false });
    if (!ok) throw new CancelledError('cancelled; nothing was changed');
  }
  const t0 = Date.now();
  return withDirLock(layout, 'restore', async () => {
    const stamp = timestamp();
    const log = new RunLog(layout.logsDir, 'restore', stamp);
    const progress = new Progress(process.stderr, log);
    const marker = readMarker(layout);
    await progress.step('Put back the configuration', async () => {
      const written = putBackFiles(layout, from, m.files);
      return written.length ? { done: `${written.length} of ${m.files.length} files written` } : { skipped: `${m.files.length} files are as in the backup` };
    });
    const loaded = await loadAnswers({ yes: true }, layout, false);
    log.addSecrets([loaded.adminPassword, ...Object.values(loaded.secrets)]);
    const base = { layout, log, stamp, dryRun: false, answers: loaded.answers, adminPassword: loaded.adminPassword, secrets: loaded.secrets, state: readState(layout.stateFile) };
    const ctx = releaseCtx({ ...base, compose: await chooseCompose(releaseCtx(base)) });
    await progress.step(`Stop Sentry ${m.tag}`, async (out) => {
      let n = await downProject(ctx.project!, out);
      // An upgrade that died half way may have left the target's containers on the same volumes.
      if (marker && isSupportedTag(marker.to) && RELEASES[marker.to].projectName !== ctx.project) n += await downProject(RELEASES[marker.to].projectName, out);
      return { done: `${n} containers stopped and removed; volumes kept` };
    });
    await progress.step('Restore the database', async (out) => {
      await waitForPostgres(ctx, out);
      const pg = await runningPostgres(ctx.project!);
      if (!pg) throw new UserError(`no running postgres in project ${ctx.project}`, EXIT.failure);
      await restoreDatabase(pg.id, resolve(from, m.database!.file), out);
      return { done: `${m.database!.file} (taken ${m.createdAt})` };
    });
    await progress.step(`Start Sentry ${m.tag}`, (out) => upStep.run(ctx, out));
    writeState(layout.stateFile, ctx.state);
    clearMarker(layout);
    progress.line(`restored ${from} into ${layout.dir} in ${((Date.now() - t0) / 1000).toFixed(1)} s: Sentry ${m.tag} runs`);
    return EXIT.ok;
  });
}

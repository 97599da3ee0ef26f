/**
 * `sentry-onprem restore BACKUP_DIR`: puts a backup back into the install it was taken from: checksums
 * first, the same release installed (else: which one to install first), then the configuration, the
 * database (dropped and re-created, so it holds exactly the dumped rows) and a healthy stack.
 */
import { resolve } from 'node:path';
import { isInteractive, loadAnswers } from '../answers/load.js';
import { layoutFor } from '../layout.js';
import { externalPgOf, openExternalClient } from '../backup/external-client.js';
import { describeConnection, terminateConnections, waitForOthersToLeave } from '../backup/connections.js';
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
  /** External PostgreSQL: end other clients' sessions instead of refusing. */
  forceConnections?: boolean;
}

export async function restore(backupDir: string, flags: RestoreFlags): Promise<number> {
  const layout = layoutFor(flags.dir);
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
    const current = await loadAnswers({ yes: true }, layout, false);
    const currentExternal = externalPgOf(current.answers, layout.dir);
    if (currentExternal) {
      // An external server: Sentry stops first, then nobody else may be connected (or --force-connections), all
      // before the configuration is put back; a refusal starts Sentry again and changes nothing.
      log.addSecrets([currentExternal.password, current.adminPassword, ...Object.values(current.secrets)]);
      const cur = { layout, log, stamp, dryRun: false, answers: current.answers, adminPassword: current.adminPassword, secrets: current.secrets, state: readState(layout.stateFile) };
      const curCtx = releaseCtx({ ...cur, compose: await chooseCompose(releaseCtx(cur)) });
      await progress.step(`Stop Sentry ${m.tag}`, async (out) => ({ done: `${await downProject(curCtx.project!, out)} containers stopped and removed` }));
      await progress.step(`Other clients of ${currentExternal.database} on ${currentExternal.host}:${currentExternal.port}`, async (out) => {
        const client = await openExternalClient({ pg: currentExternal, tag: installed, dir: layout.dir, out });
        try {
          const others = await waitForOthersToLeave(client);
          if (!others.length) return { done: 'none' };
          if (!flags.forceConnections) {
            await upStep.run(curCtx, out);
            throw new UserError(
              `database ${currentExternal.database} on ${currentExternal.host}:${currentExternal.port} has ${others.length} session${others.length > 1 ? 's' : ''} of other clients; a restore replaces every table under them:\n${others.map((o) => `  - ${describeConnection(o)}`).join('\n')}`,
              EXIT.prerequisite,
              'Stop those clients and run again, or run again with --force-connections to end their sessions. Sentry was started again; nothing was changed.',
            );
          }
          const left = await terminateConnections(client, others.map((o) => o.pid));
          if (left.length) throw new UserError(`the server would not end the sessions ${left.join(', ')} (another role's; ending them needs pg_signal_backend)`, EXIT.prerequisite, 'End them on the server (pg_terminate_backend as an administrator), then run again. Sentry is stopped; nothing was changed in the database.');
          return { done: `${others.length} ended (--force-connections): ${others.map(describeConnection).join('; ')}` };
        } finally {
          await client.close();
        }
      });
    }
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
    const external = externalPgOf(loaded.answers, layout.dir);
    await progress.step('Restore the database', async (out) => {
      if (external) {
        log.addSecrets([external.password]);
        const client = await openExternalClient({ pg: external, tag: m.tag, dir: layout.dir, out });
        try {
          await restoreDatabase(client, resolve(from, m.database!.file), out);
        } finally {
          await client.close();
        }
        return { done: `${m.database!.file} (taken ${m.createdAt}) into ${external.database} on ${external.host}:${external.port}` };
      }
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

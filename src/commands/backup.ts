/**
 * `sentry-onprem backup`: the upgrade's backup on demand: a consistent dump of the running database plus
 * the configuration and secrets, into backups/<timestamp>-<tag>/ with a verified manifest. The backup's
 * path goes to stdout (for scripts), progress to stderr.
 */
import { loadAnswers } from '../answers/load.js';
import { layoutFor } from '../layout.js';
import { externalPgOf, openExternalClient } from '../backup/external-client.js';
import { EXIT, UserError } from '../errors.js';
import { RunLog } from '../install/log.js';
import { readState } from '../install/state.js';
import { withDirLock } from '../lock/dir-lock.js';
import { chooseCompose } from '../install/steps/checks.js';
import { waitForPostgres } from '../install/steps/migrations.js';
import { takeBackup } from '../backup/take-backup.js';
import { verifyBackup } from '../backup/manifest.js';
import { runningPostgres } from '../backup/postgres.js';
import { humanBytes } from '../backup/free-space.js';
import { installedTag } from '../upgrade/installed.js';
import { unfinishedUpgradeRefusal } from '../upgrade/guard.js';
import { releaseCtx } from '../upgrade/contexts.js';
import { Progress } from '../upgrade/progress.js';
import { timestamp } from './render.js';
import { refuseForeignOwnership } from '../ownership/guard.js';

export async function backup(flags: { dir: string }): Promise<number> {
  const layout = layoutFor(flags.dir);
  const state = readState(layout.stateFile);
  const tag = installedTag(layout, state);
  const unfinished = unfinishedUpgradeRefusal(layout);
  if (unfinished) throw unfinished;
  await refuseForeignOwnership({ layout, tags: [tag] });
  return withDirLock(layout, 'backup', async () => {
    const stamp = timestamp();
    const loaded = await loadAnswers({ yes: true }, layout, false);
    const log = new RunLog(layout.logsDir, 'backup', stamp);
    log.addSecrets([loaded.adminPassword, ...Object.values(loaded.secrets)]);
    const progress = new Progress(process.stderr, log);
    const base = { layout, log, stamp, dryRun: false, answers: loaded.answers, adminPassword: loaded.adminPassword, secrets: loaded.secrets, state };
    const ctx = releaseCtx({ ...base, compose: await chooseCompose(releaseCtx(base)) });
    let result: Awaited<ReturnType<typeof takeBackup>> | undefined;
    const external = externalPgOf(loaded.answers, layout.dir);
    if (external) log.addSecrets([external.password]);
    await progress.step(`Back up Sentry ${tag}`, async (out) => {
      if (external) {
        // The external server: a client container of its major; Sentry keeps running (pg_dump takes one snapshot).
        const client = await openExternalClient({ pg: external, tag, dir: layout.dir, out });
        try {
          result = await takeBackup({ layout, tag, project: ctx.project!, kind: 'manual', stamp, postgresId: client, out });
        } finally {
          await client.close();
        }
        const problems = verifyBackup(result.dir, result.manifest);
        if (problems.length) throw new UserError(`the backup in ${result.dir} does not match its manifest: ${problems.join('; ')}`, EXIT.failure);
        const db = result.manifest.database!;
        return { done: `database dump ${humanBytes(db.size)} of ${db.name} on ${db.external} (database ${humanBytes(db.databaseBytes)}, PostgreSQL ${db.server}), ${result.manifest.files.length} files, verified` };
      }
      let pg = await runningPostgres(ctx.project!);
      const startedHere = !pg;
      if (!pg) {
        await waitForPostgres(ctx, out); // the stack is stopped: postgres alone, for the dump
        pg = await runningPostgres(ctx.project!);
      }
      try {
        result = await takeBackup({ layout, tag, project: ctx.project!, kind: 'manual', stamp, postgresId: pg!.id, out });
      } finally {
        if (startedHere) await ctx.runner!.run(['stop', 'postgres'], { onLine: out });
      }
      const problems = verifyBackup(result.dir, result.manifest);
      if (problems.length) throw new UserError(`the backup in ${result.dir} does not match its manifest: ${problems.join('; ')}`, EXIT.failure);
      const db = result.manifest.database!;
      return { done: `database dump ${humanBytes(db.size)} (database ${humanBytes(db.databaseBytes)}), ${result.manifest.files.length} files, verified` };
    });
    process.stdout.write(`${result!.dir}\n`);
    return EXIT.ok;
  });
}

/**
 * `sentry-onprem database move --to external --answers FILE`: moves an install's database from the bundled postgres
 * service to an external PostgreSQL server. Checked before anything changes (exit 2 bad answers, exit 3 a server
 * that cannot be reached, too old, or a target database that is not empty); then Sentry stops, a backup of the
 * bundled database is taken (backups/, restorable), loaded into the external server in one transaction, the row
 * counts of every table compared, and the install re-run with the new answers (render, recreate only what changed).
 * The bundled data volume is kept as it was: `docker volume rm` is the operator's call once the move is trusted.
 */
import { resolve } from 'node:path';
import { layoutFor, type Layout } from '../layout.js';
import { existsSync, readdirSync } from 'node:fs';
import { loadAnswers, savedAnswers, validateAnswers, type LoadedAnswers } from '../answers/load.js';
import { SERVER_VOLUMES } from '../releases/index.js';
import { volumeExists } from '../install/docker.js';
import { renderStep } from '../install/steps/render-files.js';
import { volumesStep } from '../install/steps/volumes.js';
import { dataSource } from '../upgrade/one-offs/throwaway.js';
import { RELEASES } from '../catalog.js';
import { EXIT, UserError } from '../errors.js';
import { RunLog } from '../install/log.js';
import { readState } from '../install/state.js';
import { withDirLock } from '../lock/dir-lock.js';
import { chooseCompose } from '../install/steps/checks.js';
import { waitForPostgres } from '../install/steps/migrations.js';
import { upStep } from '../install/steps/up.js';
import { takeBackup } from '../backup/take-backup.js';
import { restoreDatabase, runningPostgres, psqlValue } from '../backup/postgres.js';
import { externalPgOf, openExternalClient, type PgClient } from '../backup/external-client.js';
import { compareCounts, rowCounts, totalRows } from '../backup/row-counts.js';
import { DUMP_FILE } from '../backup/manifest.js';
import { postgresMinMajor, versionNum } from '../answers/external.js';
import { installedTag } from '../upgrade/installed.js';
import { unfinishedUpgradeRefusal } from '../upgrade/guard.js';
import { releaseCtx } from '../upgrade/contexts.js';
import { Progress } from '../upgrade/progress.js';
import { downProject } from '../upgrade/stack.js';
import { refuseForeignOwnership } from '../ownership/guard.js';
import { timestamp } from './render.js';
import { install } from './install.js';

export interface DatabaseMoveFlags {
  dir: string;
  to: string;
  answers?: string;
  yes?: boolean;
}

/** Relations in the target database outside the system schemas: a move loads into an empty database only. */
export const TARGET_OBJECTS_SQL =
  "SELECT coalesce(json_agg(t), '[]') FROM (SELECT n.nspname || '.' || c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
  "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1 LIMIT 20) x";

/** The install a move works on: its state, release and saved answers; refused while an upgrade is unfinished. */
async function installToMove(dir: string) {
  const layout = layoutFor(dir);
  const state = readState(layout.stateFile);
  const tag = installedTag(layout, state);
  const unfinished = unfinishedUpgradeRefusal(layout);
  if (unfinished) throw unfinished;
  const current = await loadAnswers({ yes: true }, layout, false);
  return { layout, state, tag, current };
}

/** A move's run log (every password redacted), its progress, and the context of the release that runs. */
async function moveSession(layout: Layout, current: LoadedAnswers, state: ReturnType<typeof readState>, externalPassword: string) {
  const stamp = timestamp();
  const log = new RunLog(layout.logsDir, 'database-move', stamp);
  log.addSecrets([externalPassword, current.adminPassword, ...Object.values(current.secrets)]);
  const progress = new Progress(process.stderr, log);
  const base = { layout, log, stamp, dryRun: false, answers: current.answers, adminPassword: current.adminPassword, secrets: current.secrets, state };
  const compose = await chooseCompose(releaseCtx(base));
  return { log, progress, base, compose, stamp };
}

export async function databaseMove(flags: DatabaseMoveFlags): Promise<number> {
  if (flags.to === 'bundled') return moveToBundled(flags);
  if (flags.to !== 'external') {
    throw new UserError(`--to ${JSON.stringify(flags.to)} is not one of external, bundled`, EXIT.usage, 'Nothing was changed.');
  }
  if (!flags.answers) throw new UserError('--to external needs --answers FILE with postgres.external (host, port, database, user, password or passwordFile, sslmode, caFile)', EXIT.usage, 'Nothing was changed.');
  if (!flags.yes) throw new UserError('database move stops Sentry and loads its database into another server: it needs --yes', EXIT.usage, 'Nothing was changed.');
  const { layout, state, tag, current } = await installToMove(flags.dir);
  if (current.answers.postgres?.external) {
    const e = current.answers.postgres.external;
    throw new UserError(`the install in ${layout.dir} already uses the external PostgreSQL server ${e.host}:${e.port}`, EXIT.usage, 'Nothing was changed.');
  }
  // The target answers: the saved ones with the file's merged over them, validated as install would (exit 2).
  const target = await loadAnswers({ yes: true, answers: resolve(flags.answers) }, layout, false);
  const ext = externalPgOf(target.answers, layout.dir);
  if (!ext) throw new UserError(`${flags.answers} has no postgres.external`, EXIT.usage, 'Nothing was changed.');
  await refuseForeignOwnership({ layout, tags: [tag] });
  const t0 = Date.now();
  const moved = await withDirLock(layout, 'database', async () => {
    const { log, progress, base, compose, stamp } = await moveSession(layout, current, state, ext.password);
    const ctx = releaseCtx({ ...base, compose });
    let client: PgClient | undefined;
    try {
      await progress.step(`Check ${ext.database} on ${ext.host}:${ext.port}`, async (out) => {
        client = await openExternalClient({ pg: ext, tag, dir: layout.dir, out });
        const min = postgresMinMajor(RELEASES[tag]);
        if (client.serverVersionNum < versionNum(min)) {
          throw new UserError(`PostgreSQL ${ext.host}:${ext.port} runs ${client.serverMajor}; Sentry ${tag} needs at least ${min}`, EXIT.prerequisite, `Point postgres.external at a PostgreSQL ${min} or newer server. Nothing was changed.`);
        }
        const objects = JSON.parse(await psqlValue(client, TARGET_OBJECTS_SQL)) as string[];
        if (objects.length) {
          throw new UserError(
            `database ${ext.database} on ${ext.host}:${ext.port} is not empty (${objects.slice(0, 8).join(', ')}${objects.length > 8 ? ', ...' : ''}); a move loads into an empty database only`,
            EXIT.prerequisite,
            `Give Sentry an empty database (CREATE DATABASE ... OWNER ${ext.user}) and set postgres.external.database to it. Nothing was changed.`,
          );
        }
        return { done: `PostgreSQL ${client.serverMajor}, empty` };
      });
      await progress.step(`Stop Sentry ${tag}`, async (out) => ({ done: `${await downProject(ctx.project!, out)} containers stopped and removed; volumes kept` }));
      let dumpFile = '';
      let source: Record<string, number> = {};
      try {
        await progress.step('Dump the bundled database', async (out) => {
          await waitForPostgres(ctx, out);
          const pg = await runningPostgres(ctx.project!);
          if (!pg) throw new UserError(`no running postgres in project ${ctx.project}`, EXIT.failure);
          const b = await takeBackup({ layout, tag, project: ctx.project!, kind: 'manual', stamp, postgresId: pg.id, out });
          dumpFile = resolve(b.dir, DUMP_FILE);
          source = await rowCounts(pg.id);
          await ctx.runner!.run(['stop', 'postgres'], { onLine: out });
          return { done: `${b.dir} (${Object.keys(source).length} tables, ${totalRows(source)} rows)` };
        });
        await progress.step(`Load it into ${ext.database} on ${ext.host}:${ext.port}`, async (out) => {
          await restoreDatabase(client!, dumpFile, out);
          const loaded = await rowCounts(client!);
          const diff = compareCounts(source, loaded);
          if (diff.length) throw new UserError(`the row counts differ after the load: ${diff.slice(0, 10).join('; ')}`, EXIT.failure, 'The install still uses the bundled server (started again); the external database holds the partial load.');
          return { done: `row counts identical: ${Object.keys(loaded).length} tables, ${totalRows(loaded)} rows` };
        });
      } catch (err) {
        // The answers were not touched: the install goes back to running on the bundled server.
        await upStep.run(ctx, (l) => log.write(l)).catch(() => undefined);
        throw err;
      }
      return { source };
    } finally {
      await client?.close();
    }
  });
  // The new answers: install re-runs (preflight, render, recreate what changed); the bundled volume stays.
  process.stderr.write(`database moved; re-running the install with postgres.external from ${flags.answers}\n`);
  const code = await install({ dir: flags.dir, answers: flags.answers, yes: true });
  const project = RELEASES[tag].projectName;
  process.stderr.write(
    `moved ${totalRows(moved.source)} rows in ${Object.keys(moved.source).length} tables to ${ext.database} on ${ext.host}:${ext.port} in ${((Date.now() - t0) / 1000).toFixed(1)} s; ` +
      `the bundled server's data volume is kept (its service is no longer in ${project}'s compose file)\n`,
  );
  return code;
}

/**
 * `database move --to bundled`: the way back. The bundled server's data (volume sentry-postgres, or its directory
 * with storage.mode bind) must not exist yet: a move loads into an empty server only, so the volume a move to the
 * external server kept is removed by the operator first (it holds the database as it was then). The external
 * database is dumped into a backup and its rows counted; the answers lose postgres.external and are rendered; the
 * bundled postgres starts alone on a new volume, the dump is loaded and the counts compared; then the install
 * re-runs. The external database is left as it was.
 */
async function moveToBundled(flags: DatabaseMoveFlags): Promise<number> {
  if (!flags.yes) throw new UserError('database move stops Sentry and loads its database into another server: it needs --yes', EXIT.usage, 'Nothing was changed.');
  if (flags.answers) throw new UserError('--to bundled takes no --answers (the saved answers lose postgres.external)', EXIT.usage, 'Nothing was changed.');
  const { layout, state, tag, current } = await installToMove(flags.dir);
  const ext = externalPgOf(current.answers, layout.dir);
  if (!ext) throw new UserError(`the install in ${layout.dir} uses the bundled PostgreSQL already`, EXIT.usage, 'Nothing was changed.');
  const raw = structuredClone(savedAnswers(layout).raw) as { postgres?: { external?: unknown } };
  delete raw.postgres!.external;
  if (!Object.keys(raw.postgres!).length) delete raw.postgres;
  const target = validateAnswers(raw, layout.dir);
  const source = dataSource(target.answers, layout.dir, SERVER_VOLUMES.postgres);
  const exists = target.answers.storage.mode === 'volumes' ? await volumeExists(source) : existsSync(source) && readdirSync(source).length > 0;
  if (exists) {
    throw new UserError(
      `the bundled server's data ${target.answers.storage.mode === 'volumes' ? `volume ${source}` : `directory ${source}`} exists already (a move to the external server keeps it: it holds the database as it was then); a move loads into an empty server only`,
      EXIT.prerequisite,
      `Once nothing in it is needed any more: ${target.answers.storage.mode === 'volumes' ? `docker volume rm ${source}` : `rm -r ${source}`}, then run again. Nothing was changed.`,
    );
  }
  await refuseForeignOwnership({ layout, tags: [tag] });
  const t0 = Date.now();
  const moved = await withDirLock(layout, 'database', async () => {
    const { log, progress, base, compose, stamp } = await moveSession(layout, current, state, ext.password);
    const ctx = releaseCtx({ ...base, compose });
    const toCtx = releaseCtx({ ...base, answers: target.answers, adminPassword: target.adminPassword, compose });
    let client: PgClient | undefined;
    let rendered = false;
    try {
      let dumpFile = '';
      let source: Record<string, number> = {};
      await progress.step(`Stop Sentry ${tag}`, async (out) => ({ done: `${await downProject(ctx.project!, out)} containers stopped and removed` }));
      await progress.step(`Dump ${ext.database} on ${ext.host}:${ext.port}`, async (out) => {
        client = await openExternalClient({ pg: ext, tag, dir: layout.dir, out });
        const b = await takeBackup({ layout, tag, project: ctx.project!, kind: 'manual', stamp, postgresId: client, out });
        dumpFile = resolve(b.dir, DUMP_FILE);
        source = await rowCounts(client);
        return { done: `${b.dir} (${Object.keys(source).length} tables, ${totalRows(source)} rows)` };
      });
      await progress.step('Render the files for the bundled server', async (out) => {
        rendered = true;
        await renderStep.run(toCtx, out);
        return volumesStep.run(toCtx, out);
      });
      await progress.step('Load it into the bundled server', async (out) => {
        await waitForPostgres(toCtx, out);
        const pg = await runningPostgres(toCtx.project!);
        if (!pg) throw new UserError(`no running postgres in project ${toCtx.project}`, EXIT.failure);
        await restoreDatabase(pg.id, dumpFile, out);
        const loaded = await rowCounts(pg.id);
        const diff = compareCounts(source, loaded);
        if (diff.length) throw new UserError(`the row counts differ after the load: ${diff.slice(0, 10).join('; ')}`, EXIT.failure, 'The install goes back to the external server (its database was not changed); the bundled volume holds the partial load.');
        return { done: `row counts identical: ${Object.keys(loaded).length} tables, ${totalRows(loaded)} rows` };
      });
      return { source };
    } catch (err) {
      // Back to the external server: its answers rendered again, Sentry started on it.
      if (rendered) await downProject(toCtx.project!, (l) => log.write(l)).catch(() => undefined);
      if (rendered) await renderStep.run(ctx, (l) => log.write(l)).catch(() => undefined);
      await upStep.run(ctx, (l) => log.write(l)).catch(() => undefined);
      throw err;
    } finally {
      await client?.close();
    }
  });
  process.stderr.write('database moved; re-running the install on the bundled server\n');
  const code = await install({ dir: flags.dir, yes: true });
  process.stderr.write(
    `moved ${totalRows(moved.source)} rows in ${Object.keys(moved.source).length} tables to the bundled server in ${((Date.now() - t0) / 1000).toFixed(1)} s; ` +
      `database ${ext.database} on ${ext.host}:${ext.port} is left as it was\n`,
  );
  return code;
}

/**
 * `sentry-onprem upgrade --tag TAG`: plans the path over the official hard stops and refuses what it cannot
 * carry before anything changes; then, per hop: checks for the target, backup, pull and build while the
 * old release runs, render, migrate, start, health. Any failure after the backup rolls back to the
 * release that ran, and the command exits non-zero saying what failed and what runs now.
 */
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isInteractive, loadAnswers, savedAnswers, type LoadedAnswers } from '../answers/load.js';
import { layoutFor, type Layout } from '../layout.js';
import { externalUpgradeProblems, majorOf } from '../answers/external.js';
import { externalPgOf, openExternalClient } from '../backup/external-client.js';
import { CancelledError, EXIT, UserError } from '../errors.js';
import { RunLog } from '../install/log.js';
import { readState, type InstallState } from '../install/state.js';
import { dryRunNote, withDirLock } from '../lock/dir-lock.js';
import { chooseCompose } from '../install/steps/checks.js';
import { conflicts, planRender, type RenderPlan } from '../render/render-install.js';
import { unifiedDiff } from '../render/apply.js';
import { timestamp } from './render.js';
import { formatPath, hopBlockers, planPath, type Hop } from '../upgrade/plan-path.js';
import { ARRIVALS } from '../upgrade/hops.js';
import { ONE_OFFS } from '../upgrade/one-offs/index.js';
import { describePlacement, readRecordedOffline, verifyDatabaseRelease } from '../upgrade/database-release.js';
import { dataSource } from '../upgrade/one-offs/throwaway.js';
import { describeHopDisk, hopDisk, measureDisk, type DiskNow } from '../upgrade/disk.js';
import { estimateDowntime } from '../upgrade/step-times.js';
import { runningPostgres } from '../backup/postgres.js';
import { imagesFor, pulledImages } from '../render/images.js';
import { installedTag, crossCheckRunning } from '../upgrade/installed.js';
import { unfinishedUpgradeRefusal } from '../upgrade/guard.js';
import { describeImages, hopRefusal, imagesReady, targetChecks } from '../upgrade/preflight.js';
import { releaseCtx } from '../upgrade/contexts.js';
import { Progress } from '../upgrade/progress.js';
import { Cancel } from '../upgrade/cancel.js';
import { newHopDone, runHop, finishHop } from '../upgrade/run-hop.js';
import { rollBack } from '../upgrade/rollback.js';
import { refuseRoadCompose } from '../upgrade/road-compose.js';
import { describeUpgrade, type DryRunHop } from '../upgrade/dry-run.js';
import { failureReport, successReport } from '../upgrade/report.js';
import type { ComposeCommand } from '../../compose/runner.js';
import { RELEASES, isSupportedTag, type SupportedTag } from '../catalog.js';
import { refuseForeignOwnership } from '../ownership/guard.js';
import { activeBundle } from '../bundle/session.js';
import { refuseLdapWithBundle, refusePinnedWithBundle } from '../bundle/answers.js';
import { bundleWheels } from '../bundle/wheels.js';

export interface UpgradeFlags {
  tag: string;
  dir: string;
  yes?: boolean;
  dryRun?: boolean;
  /** false with --no-backup */
  backup?: boolean;
  skipCheck?: string[];
  /** upgrade from this bundle (`bundle create --from`): verified first, images loaded from it, no pull */
  bundle?: string;
}

const EXIT_FOR_REFUSAL = { 'unknown-tag': EXIT.usage, downgrade: EXIT.usage, unsupported: EXIT.prerequisite } as const;

export async function upgrade(flags: UpgradeFlags): Promise<number> {
  const layout = layoutFor(flags.dir);
  if (flags.bundle) refuseLdapWithBundle(savedAnswers(layout).raw, 'upgrade --bundle');
  const err = process.stderr;
  const from = installedTag(layout, readState(layout.stateFile));
  const unfinished = unfinishedUpgradeRefusal(layout);
  if (unfinished) throw unfinished;
  const path = planPath(from, flags.tag);
  if (path.kind === 'same') {
    err.write(`Sentry ${from} is installed in ${layout.dir}: nothing to upgrade\n`);
    return EXIT.ok;
  }
  let refusal: string | undefined;
  if (path.kind === 'refused') {
    // A dry run shows the whole road even where this version cannot run a hop yet, and says so.
    if (!(flags.dryRun && path.reason === 'unsupported' && path.hops)) {
      throw new UserError(
        `upgrade refused: ${path.message}\n  path: ${formatPath(path.path)}${path.missing.length ? `\n  missing: ${path.missing.join(', ')}` : ''}`,
        EXIT_FOR_REFUSAL[path.reason],
        path.hint,
      );
    }
    refusal = path.message;
  }
  if (flags.bundle && path.hops) {
    // What a bundle cannot carry, refused before the lock or a log is written.
    const { upgradeImages } = await import('../bundle/needed-images.js');
    refusePinnedWithBundle(upgradeImages(from, (await loadAnswers({ tag: flags.tag, yes: true }, layout, false)).answers).map((i) => i.name), 'upgrade --bundle');
  }
  const dryRun = Boolean(flags.dryRun);
  const interactive = isInteractive(flags);
  if (!dryRun && !flags.yes && !interactive) {
    throw new UserError('an upgrade without a terminal needs --yes', EXIT.usage, 'Run it with --yes (on failure the database is then restored without asking), or from a terminal. Nothing was changed.');
  }
  await refuseForeignOwnership({ layout, tags: path.path.filter(isSupportedTag) });
  await refuseExternalUpgrade(layout, from, path.path);
  const plan = { path: path.path, hops: path.hops!, refusal };
  if (!dryRun) return withDirLock(layout, 'upgrade', () => runUpgrade(flags, layout, from, plan));
  dryRunNote(layout);
  return runUpgrade(flags, layout, from, plan);
}

/**
 * An install on an external PostgreSQL: the hops that upgrade the bundled server's major do not apply to it; its
 * version is read (from a client container of its major, as backup does) and checked against every release of the
 * road, before anything changes. Exit 3 with the remedy when a release needs a newer server; otherwise exit 3 too,
 * for now: the hop's backup, rollback and database checks work on the bundled server only.
 */
async function refuseExternalUpgrade(layout: Layout, from: SupportedTag, road: string[]): Promise<void> {
  const { answers } = await loadAnswers({ yes: true }, layout, false);
  const pg = externalPgOf(answers, layout.dir);
  if (!pg) return;
  const client = await openExternalClient({ pg, tag: from, dir: layout.dir });
  let num: number;
  try {
    num = client.serverVersionNum;
  } finally {
    await client.close();
  }
  const server = `the external PostgreSQL ${pg.host}:${pg.port}`;
  const tooOld = externalUpgradeProblems(num, road.slice(1));
  if (tooOld.length) {
    const need = tooOld.reduce((a, b) => (Number(b.needs) > Number(a.needs) ? b : a)).needs;
    throw new UserError(
      `upgrade refused: ${server} runs PostgreSQL ${majorOf(num)}; ${tooOld.map((t) => `Sentry ${t.tag} needs ${t.needs} or newer`).join(', ')}`,
      EXIT.prerequisite,
      `Upgrade that server to PostgreSQL ${need} or newer first (pg_upgrade, or your provider's major-version upgrade), keeping database ${pg.database}; this tool never upgrades an external server. Nothing was changed.`,
    );
  }
  throw new UserError(
    `upgrade refused: ${server} runs PostgreSQL ${majorOf(num)}, which every release of the road (${road.join(' -> ')}) runs on, but \`upgrade\` takes its backup, rollback and database checks on the bundled postgres service only`,
    EXIT.prerequisite,
    'This version of sentry-onprem does not upgrade an install on an external server yet. `sentry-onprem backup` dumps that server (with a client of its major) meanwhile. Nothing was changed.',
  );
}

/** The hops; a real upgrade holds the install directory's lock, a dry run (which writes nothing) none. */
async function runUpgrade(flags: UpgradeFlags, layout: Layout, from: SupportedTag, path: { path: string[]; hops: Hop[]; refusal?: string }): Promise<number> {
  const err = process.stderr;
  const dryRun = Boolean(flags.dryRun);
  const interactive = isInteractive(flags);
  const stamp = timestamp();
  const log = new RunLog(dryRun ? join(tmpdir(), 'sentry-onprem-dry-run') : layout.logsDir, 'upgrade', stamp);
  const progress = new Progress(err, log);
  const cancel = new Cancel();
  let rollingBack = false;
  const onSignal = (sig: NodeJS.Signals) => {
    log.write(`received ${sig}${rollingBack ? ' during the rollback: ignored' : ': cancelling, then rolling back'}`);
    if (rollingBack) return void err.write(`\n${sig}: rolling back, please wait\n`);
    err.write(`\n${sig}: stopping the running step, then rolling back...\n`);
    cancel.request();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const t0 = Date.now();
  try {
    await crossCheckRunning(from, (l) => progress.line(l));
    let current = await loadAnswers({ yes: true }, layout, false);
    if (current.answers.tag !== from) {
      throw new UserError(`sentry-onprem.yml says tag ${current.answers.tag}, but Sentry ${from} is installed`, EXIT.usage, `Set tag: ${from} there; \`upgrade --tag\` changes it. Nothing was changed.`);
    }
    progress.line(`sentry-onprem upgrade: Sentry ${formatPath(path.path)} in ${layout.dir}${dryRun ? ' (dry run: nothing is changed)' : ''}`);
    if (flags.bundle) await offlineFrom(flags.bundle, from, await loadAnswers({ tag: flags.tag, yes: true }, layout, false), (l) => progress.line(l));
    let state = readState(layout.stateFile);
    const database = await verifySource({ layout, from, current, progress });
    if (!dryRun) await refuseRoadCompose({ from, hops: path.hops, skipCheck: flags.skipCheck ?? [] });
    const withDatabaseBackup = flags.backup !== false;
    let disk = await measureDisk({ project: RELEASES[from].projectName, answers: current.answers, layout });
    const dry: DryRunHop[] = [];
    const hopTimes: string[] = [];
    let lastBackup: string | undefined;
    for (const [i, hop] of path.hops.entries()) {
      const to = hop.to as SupportedTag;
      const target = await loadAnswers({ tag: hop.to, yes: true }, layout, false);
      log.addSecrets(secretsOf(current).concat(secretsOf(target)));
      if (dryRun) {
        dry.push(await dryHop({ i, hop, layout, log, stamp, target, state, flags, progress, withDatabaseBackup, disk }));
        continue;
      }
      const compose = await chooseCompose(releaseCtx(ctxInput(layout, log, stamp, dryRun, target, state)));
      if (i === 0) progress.line(`using ${compose.argv.join(' ')} ${compose.version}; log: ${log.path}`);
      const checks = await targetChecks({ to, answers: target.answers, dir: layout.dir, runningProject: RELEASES[hop.from as SupportedTag].projectName, skip: flags.skipCheck ?? [] }, (l) => progress.line(`  ${l}`));
      progress.line(`preflight checks for ${hop.to}: ${checks}`);
      // Before the hop's first change: the disk of its worst moment (measured again: the earlier hop changed it) and its images.
      if (i > 0) disk = await measureDisk({ project: RELEASES[hop.from as SupportedTag].projectName, answers: current.answers, layout });
      const hopSpace = hopDisk({ copies: ARRIVALS[to]?.copies ?? [], withDatabaseBackup, now: disk });
      const images = await imagesReady(hopImages(hop, target.answers), inActiveBundle);
      const short = hopRefusal({ from: hop.from, to: hop.to, disk: hopSpace, images });
      if (short) throw short;
      progress.line(`preflight for ${hop.to}: disk at the worst moment ${describeHopDisk(hopSpace)}; images ${describeImages(images)}`);
      const render = planRender(layout, target.answers, target.answers.admin.password !== undefined, target.secrets, false, { offlineWheels: bundleWheels(activeBundle()).length > 0 });
      refuseConflicts(render, log);
      if (i === 0 && interactive && !flags.yes) await confirmPlan(path.path, layout.dir, err);
      const fromCtx = releaseCtx(ctxInput(layout, log, stamp, false, current, state, compose));
      const toCtx = releaseCtx(ctxInput(layout, log, stamp, false, target, state, compose));
      toCtx.plan = render;
      cancel.track(fromCtx.runner);
      cancel.track(toCtx.runner);
      // The hop's preflight passed: only now does anything reach the engine (its one-off steps' helper images).
      await loadHopHelpers(hop, target.answers, (l) => progress.line(l));
      const hopStart = Date.now();
      const done = newHopDone();
      const input = { hop, compose, fromCtx, toCtx, withDatabaseBackup: flags.backup !== false, progress, cancel };
      try {
        await runHop(input, done);
        await finishHop(input, done);
      } catch (e) {
        rollingBack = true;
        const cancelled = cancel.requested || (e instanceof UserError && e.exitCode === EXIT.cancelled);
        const anythingDone = Boolean(done.backup);
        const rb = anythingDone
          ? await rollBack({ hop, compose, fromCtx, toCtx, done, progress, yes: Boolean(flags.yes), ask: interactive ? askYesNo : undefined })
          : undefined;
        throw failureReport({ hop, error: e as Error, done, rollback: rb, cancelled, log: log.path, ms: Date.now() - t0, road: { done: path.hops.slice(0, i), target: path.path[path.path.length - 1], dir: layout.dir } });
      }
      hopTimes.push(`${hop.from} -> ${hop.to} ${((Date.now() - hopStart) / 1000).toFixed(1)} s`);
      lastBackup = done.backup?.dir;
      state = toCtx.state;
      current = target;
    }
    if (dryRun) {
      process.stdout.write(await describeUpgrade({ layout, path: path.path, hops: dry, withDatabaseBackup, stamp, database, disk, refusal: path.refusal }));
      return EXIT.ok;
    }
    for (const l of successReport({ path: path.path, answers: current.answers, backup: lastBackup, noBackup: flags.backup === false, hopTimes, ms: Date.now() - t0, log: log.path })) err.write(`${l}\n`);
    return EXIT.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * The source release as the database itself says it, before anything changes: a state file that disagrees
 * (a skipped hard stop, another installer) refuses the upgrade, exit 3. psql in the running postgres container;
 * when postgres is not running, a one-off container on its volume asks instead.
 */
async function verifySource(o: { layout: Layout; from: SupportedTag; current: LoadedAnswers; progress: Progress }): Promise<string> {
  const pg = await runningPostgres(RELEASES[o.from].projectName);
  const read = pg
    ? undefined
    : () => readRecordedOffline(imagesFor(o.from, o.current.answers.images).postgres, dataSource(o.current.answers, o.layout.dir, 'sentry-postgres'));
  const v = await verifyDatabaseRelease({ stateTag: o.from, postgresId: pg?.id ?? '', dir: o.layout.dir, read });
  if (v.refusal) throw v.refusal;
  const line = `${describePlacement(v.placement)}: agrees with the state file (Sentry ${o.from})${pg ? '' : ' (postgres is not running: read by a one-off container on its volume)'}`;
  o.progress.line(`database: ${line}`);
  return line;
}

/** A dry run's hop: what its preflight finds, collected instead of thrown, so the whole road is shown. */
async function dryHop(o: {
  i: number;
  hop: Hop;
  layout: Layout;
  log: RunLog;
  stamp: string;
  target: LoadedAnswers;
  state: InstallState;
  flags: UpgradeFlags;
  progress: Progress;
  withDatabaseBackup: boolean;
  disk: DiskNow;
}): Promise<DryRunHop> {
  const to = o.hop.to as SupportedTag;
  const problems: string[] = [];
  let checks = 'not run';
  try {
    const compose = await chooseCompose(releaseCtx(ctxInput(o.layout, o.log, o.stamp, true, o.target, o.state)));
    if (o.i === 0) o.progress.line(`using ${compose.argv.join(' ')} ${compose.version}; log: ${o.log.path}`);
    checks = await targetChecks({ to, answers: o.target.answers, dir: o.layout.dir, runningProject: RELEASES[o.hop.from as SupportedTag].projectName, skip: o.flags.skipCheck ?? [] }, (l) => o.progress.line(`  ${l}`));
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    checks = 'failed';
    problems.push(e.message);
  }
  const disk = hopDisk({ copies: ARRIVALS[to]?.copies ?? [], withDatabaseBackup: o.withDatabaseBackup, now: o.disk });
  const images = await imagesReady(hopImages(o.hop, o.target.answers), inActiveBundle);
  const short = hopRefusal({ from: o.hop.from, to: o.hop.to, disk, images });
  if (short) problems.push(short.message);
  let render: RenderPlan | undefined;
  if (o.i === 0) {
    render = planRender(o.layout, o.target.answers, o.target.answers.admin.password !== undefined, o.target.secrets, false, { offlineWheels: bundleWheels(activeBundle()).length > 0 });
    refuseConflicts(render, o.log);
  }
  const blockers = hopBlockers(o.hop.from, o.hop.to);
  const downtime = estimateDowntime({ oneOffs: o.hop.oneOffs, unimplemented: ARRIVALS[to]?.unimplemented ?? [], bootstrap: RELEASES[to].bootstrap });
  return { hop: o.hop, answers: o.target.answers, render, checks, blockers, problems, images, disk, downtime };
}

/** Whether the run's verified bundle carries an image (by the name compose and the one-off steps use). */
function inActiveBundle(image: string): boolean {
  return activeBundle()?.manifest.images.some((i) => i.name === image) ?? false;
}

/** The target's pulled images and those its one-off steps run. */
function hopImages(hop: Hop, answers: LoadedAnswers['answers']): string[] {
  return [...pulledImages(hop.to as SupportedTag, answers.images), ...hop.oneOffs.flatMap((id) => ONE_OFFS[id].images?.(answers) ?? [])];
}

/**
 * Verifies the upgrade bundle before anything changes (exit 3 when damaged, cut or for another path) and makes
 * it the run's image source. Nothing is loaded here: each hop's images step loads from it, and its one-off
 * steps' helper images are loaded once the hop's preflight has passed (loadHopHelpers).
 */
async function offlineFrom(file: string, from: string, target: LoadedAnswers, say: (l: string) => void): Promise<void> {
  const { verifyBundle } = await import('../bundle/verify.js');
  const { upgradeImages } = await import('../bundle/needed-images.js');
  const { useBundle } = await import('../bundle/session.js');
  const needed = upgradeImages(from, target.answers);
  useBundle(await verifyBundle(resolve(file), { release: target.answers.tag, from, images: needed.map((i) => i.name) }, say));
}

/** The helper images of the hop's one-off steps the engine lacks, from the run's bundle (none without one). */
async function loadHopHelpers(hop: Hop, answers: LoadedAnswers['answers'], say: (l: string) => void): Promise<void> {
  const bundle = activeBundle();
  const helpers = hop.oneOffs.flatMap((id) => ONE_OFFS[id].images?.(answers) ?? []);
  if (!bundle || !helpers.length) return;
  const { loadMissing } = await import('../bundle/load.js');
  const r = await loadMissing(bundle, helpers, say);
  if (r.loaded.length) say(`loaded the one-off images ${r.loaded.join(', ')} from the bundle`);
}

function ctxInput(layout: ReturnType<typeof layoutFor>, log: RunLog, stamp: string, dryRun: boolean, loaded: LoadedAnswers, state: InstallState, compose?: ComposeCommand) {
  return { layout, log, stamp, dryRun, answers: loaded.answers, adminPassword: loaded.adminPassword, secrets: loaded.secrets, state, compose };
}

function secretsOf(l: LoadedAnswers): Array<string | undefined> {
  return [l.adminPassword, ...Object.values(l.secrets), l.answers.mail.password, l.answers.ldap.bindPassword];
}

function refuseConflicts(render: ReturnType<typeof planRender>, log: RunLog): void {
  const blocked = conflicts(render);
  if (!blocked.length) return;
  const text = blocked.map((c) => unifiedDiff(c, render.redactor)).join('');
  log.write(text);
  process.stdout.write(text);
  throw new UserError(
    `${blocked.map((c) => c.file.path).join(', ')} changed since the last render and conflict${blocked.length > 1 ? '' : 's'} with the ${render.answers.tag} files`,
    EXIT.failure,
    'Merge your change by hand (the diff is above), then run the upgrade again. Nothing was changed.',
  );
}

async function confirmPlan(path: string[], dir: string, err: NodeJS.WritableStream): Promise<void> {
  err.write(`(\`sentry-onprem upgrade --tag ${path[path.length - 1]} --dir ${dir} --dry-run\` prints every step)\n`);
  if (!(await askYesNo(`Upgrade Sentry ${formatPath(path)} now? Sentry is stopped for the migrations.`))) throw new CancelledError('cancelled; nothing was changed');
}

async function askYesNo(message: string): Promise<boolean> {
  const { confirm } = await import('@inquirer/prompts');
  return confirm({ message, default: true });
}


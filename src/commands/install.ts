/**
 * `sentry-onprem install`: one pipeline from a bare host with Docker to a running Sentry behind TLS.
 * Preflight first, nothing changed on the host before the checks pass; every step skips what is done,
 * so a re-run with the same answers changes nothing and an interrupted run resumes where it stopped.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isInteractive, loadAnswers, type LoadedAnswers } from '../answers/load.js';
import { externalPasswords } from '../answers/external.js';
import { layoutFor, type Layout } from '../layout.js';
import { CancelledError, EXIT, UserError } from '../errors.js';
import { RELEASES } from '../catalog.js';
import { RunLog } from '../install/log.js';
import { readState, writeState } from '../install/state.js';
import { dryRunNote, withDirLock } from '../lock/dir-lock.js';
import { ComposeRunner } from '../../compose/runner.js';
import { projectContainers, removeContainer } from '../install/docker.js';
import type { Ctx, InstallFlags, Step, StepResult } from '../install/context.js';
import { timestamp } from './render.js';
import { refuseForeignOwnership } from '../ownership/guard.js';
import { tagChangeRefusal, unfinishedUpgradeRefusal } from '../upgrade/guard.js';
import { checksStep, chooseCompose } from '../install/steps/checks.js';
import { renderStep } from '../install/steps/render-files.js';
import { volumesStep } from '../install/steps/volumes.js';
import { imagesStep } from '../install/steps/images.js';
import { buildStep } from '../install/steps/build.js';
import { bootstrapStep } from '../install/steps/bootstrap.js';
import { migrationsStep } from '../install/steps/migrations.js';
import { superuserStep } from '../install/steps/superuser.js';
import { upStep } from '../install/steps/up.js';
import { cronStep } from '../install/steps/cron.js';
import { summaryStep } from '../install/steps/summary.js';
import { refuseLdapWithBundle, refusePinnedWithBundle } from '../bundle/answers.js';

export const INSTALL_STEPS: Step[] = [
  checksStep,
  renderStep,
  volumesStep,
  imagesStep,
  buildStep,
  bootstrapStep,
  migrationsStep,
  superuserStep,
  upStep,
  cronStep,
  summaryStep,
];

/** Steps before this one change nothing on the host. */
const FIRST_CHANGING_STEP = 'render';

export async function install(flags: InstallFlags): Promise<number> {
  const layout = layoutFor(flags.dir);
  const dryRun = Boolean(flags.dryRun);
  const loaded = await loadAnswers(flags, layout, isInteractive(flags));
  if (flags.bundle) {
    refuseLdapWithBundle(loaded.answers, 'install --bundle');
    const { installImages } = await import('../bundle/needed-images.js');
    refusePinnedWithBundle(installImages(loaded.answers).map((i) => i.name), 'install --bundle');
  }
  const stamp = timestamp();
  if (!dryRun) return withDirLock(layout, 'install', () => runInstall(flags, layout, loaded, stamp));
  dryRunNote(layout);
  return runInstall(flags, layout, loaded, stamp);
}

/** The pipeline; a real run holds the install directory's lock, a dry run (which writes nothing) none. */
async function runInstall(flags: InstallFlags, layout: Layout, loaded: LoadedAnswers, stamp: string): Promise<number> {
  const dryRun = Boolean(flags.dryRun);
  // Read under the lock: an upgrade that just finished has changed the installed tag.
  // A different release on an existing install is an upgrade: only `upgrade` does it safely.
  const refusal = unfinishedUpgradeRefusal(layout) ?? tagChangeRefusal(readState(layout.stateFile).tag, loaded.answers.tag, layout.dir);
  if (refusal) throw refusal;
  await refuseForeignOwnership({ layout, tags: [loaded.answers.tag], answers: loaded.answers, adoptVolumes: flags.adoptVolumes });
  const hadLogs = existsSync(layout.logsDir);
  const log = new RunLog(dryRun ? join(tmpdir(), 'sentry-onprem-dry-run') : layout.logsDir, 'install', stamp);
  log.addSecrets([loaded.adminPassword, ...Object.values(loaded.secrets), loaded.answers.mail.password, loaded.answers.ldap.bindPassword, ...Object.values(externalPasswords(loaded.answers, layout.dir))]);
  const ctx: Ctx = {
    flags,
    layout,
    log,
    stamp,
    dryRun,
    answers: loaded.answers,
    adminPassword: loaded.adminPassword,
    secrets: loaded.secrets,
    project: RELEASES[loaded.answers.tag].projectName,
    state: readState(layout.stateFile),
    notes: [],
  };
  let saved = JSON.stringify(ctx.state);
  const persist = (stepId: string) => {
    if (dryRun || !ctx.plan) return; // nothing on disk before the render step
    const next = JSON.stringify(ctx.state);
    if (next !== saved) {
      writeState(layout.stateFile, ctx.state);
      saved = next;
    }
    void stepId;
  };

  let cancelling = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (cancelling) return;
    cancelling = true;
    log.write(`received ${sig}: stopping`);
    process.stderr.write(`\n${sig}: stopping the running step and removing its one-off containers...\n`);
    void ctx.runner?.cancel();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const out = process.stderr;
  const t0 = Date.now();
  let current: Step | undefined;
  try {
    if (flags.bundle) {
      // Before anything changes: a damaged, cut or foreign bundle is refused here (exit 3, nothing loaded).
      const { verifyBundle } = await import('../bundle/verify.js');
      const { installImages } = await import('../bundle/needed-images.js');
      const { useBundle } = await import('../bundle/session.js');
      const { readVerified } = await import('../bundle/verified-stamp.js');
      const { sentryBuildRequirements } = await import('../bundle/wheels.js');
      const wants = { release: loaded.answers.tag, images: installImages(loaded.answers).map((i) => i.name), requirements: sentryBuildRequirements(loaded.answers).requirements };
      useBundle(await verifyBundle(resolve(flags.bundle), wants, (l) => out.write(`${l}\n`), readVerified(layout)));
    }
    const compose = await chooseCompose(ctx);
    ctx.runner = new ComposeRunner(compose, layout.dir, log);
    out.write(`sentry-onprem install: Sentry ${loaded.answers.tag} in ${layout.dir}${dryRun ? ' (dry run: nothing is changed)' : ''}\n`);
    out.write(`using ${compose.argv.join(' ')} ${compose.version}; log: ${log.path}\n`);
    const execStep = async (step: Step, say: (line: string) => void) => {
      if (cancelling) throw new CancelledError();
      current = step;
      log.write(`== step ${step.id}`);
      const result = await step.run(ctx, (line) => say(log.clean(line)));
      if ('skipped' in result) log.write(`skipped ${step.id}: ${result.skipped}`);
      else {
        log.write(`done ${step.id}: ${result.done}`);
        // Only steps that change the host go into the history (a no-op run leaves state.json alone).
        if (step.id !== 'checks' && step.id !== 'summary') {
          ctx.state.history.push({ at: new Date().toISOString(), step: step.id, result: result.done });
        }
      }
      // A skipped step moves the marker forward only: a no-op re-run leaves state.json untouched, and a run
      // that changed something and was then interrupted records where it stopped.
      const order = (id?: string) => INSTALL_STEPS.findIndex((x) => x.id === id);
      const moved = 'done' in result || order(step.id) > order(ctx.state.lastCompletedStep);
      if (step.id !== 'checks' && moved && ctx.state.lastCompletedStep !== step.id && (step.id === FIRST_CHANGING_STEP || ctx.plan)) {
        ctx.state.lastCompletedStep = step.id;
      }
      persist(step.id);
      return result;
    };
    if (out.isTTY && !process.env.CI) await runWithListr(INSTALL_STEPS, execStep);
    else await runPlain(INSTALL_STEPS, execStep, out);
    if (flags.bundle && !dryRun) {
      const [{ rememberVerified }, { activeBundle }] = await Promise.all([import('../bundle/verified-stamp.js'), import('../bundle/session.js')]);
      rememberVerified(layout, activeBundle()!.stamp);
    }
    out.write(`install ${dryRun ? 'dry run ' : ''}finished in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    return EXIT.ok;
  } catch (err) {
    const cancelled = cancelling || (err instanceof UserError && err.exitCode === EXIT.cancelled);
    persist('failed');
    if (cancelled) {
      await removeOneOffs(ctx);
      out.write(`cancelled during "${current?.title ?? 'start'}"; the last completed step is "${ctx.state.lastCompletedStep ?? 'none'}". Run install again to resume.\n`);
      log.write('cancelled');
      return EXIT.cancelled;
    }
    const e = err as Error & { exitCode?: number; hint?: string };
    // Refused by a preflight check: nothing was changed, so nothing is left behind either (not even this
    // run's log: the whole message is on stderr).
    const refused = (!current || current.id === 'checks') && e instanceof UserError && e.exitCode === EXIT.prerequisite;
    if (refused && !dryRun) log.discard(!hadLogs);
    else log.write(`failed in step ${current?.id}: ${e.message}`);
    throw new UserError(
      `step "${current?.title ?? 'start'}" failed: ${log.clean(e.message)}`,
      (e instanceof UserError ? e.exitCode : EXIT.failure),
      `${e instanceof UserError && e.hint ? e.hint + ' ' : ''}${refused ? 'Nothing was changed.' : `Full log: ${log.path}`}`,
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function removeOneOffs(ctx: Ctx): Promise<void> {
  if (!ctx.project) return;
  try {
    for (const c of await projectContainers(ctx.project)) {
      if (c.oneoff) {
        await removeContainer(c.id);
        ctx.log.write(`removed one-off container ${c.id.slice(0, 12)} (${c.service})`);
      }
    }
  } catch (err) {
    ctx.log.write(`could not list one-off containers: ${(err as Error).message}`);
  }
}

type ExecStep = (step: Step, say: (line: string) => void) => Promise<StepResult>;

/** No terminal (cron, CI, ssh without -t): plain lines, no spinners, no colour codes. */
async function runPlain(steps: Step[], exec: ExecStep, out: NodeJS.WriteStream): Promise<void> {
  for (const step of steps) {
    const started = Date.now();
    out.write(`> ${step.title}\n`);
    const result = await exec(step, (line) => out.write(`    ${line}\n`));
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    if ('skipped' in result) out.write(`  - ${step.title}: skipped, ${result.skipped} (${secs} s)\n`);
    else out.write(`  + ${step.title}: ${result.done} (${secs} s)\n`);
  }
}

/** On a terminal: one listr2 task per step, output streamed into the task, on stderr. */
async function runWithListr(steps: Step[], exec: ExecStep): Promise<void> {
  const { Listr, ListrLogger, ProcessOutput } = await import('listr2');
  const tasks = new Listr(
    steps.map((step) => ({
      title: step.title,
      task: async (_: unknown, task: { output: string; skip(m: string): void; title: string }) => {
        const started = Date.now();
        const result = await exec(step, (line) => {
          task.output = line;
        });
        const secs = ((Date.now() - started) / 1000).toFixed(1);
        if ('skipped' in result) task.skip(`${step.title}: skipped, ${result.skipped}`);
        else task.title = `${step.title}: ${result.done} (${secs} s)`;
      },
    })),
    {
      exitOnError: true,
      registerSignalListeners: false,
      rendererOptions: { collapseSkips: false, logger: new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) }) },
    },
  );
  await tasks.run();
}

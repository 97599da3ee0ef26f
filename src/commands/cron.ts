/**
 * `sentry-onprem cron install|remove|show`: the cleanup entry of one install directory. Flags given to
 * `cron install` are saved into the answers' cleanup section, so a later install or reconfigure keeps them;
 * `remove` is remembered, so a later install or reconfigure does not bring the entry back.
 */
import { existsSync } from 'node:fs';
import { layoutFor, type Layout } from '../layout.js';
import { readInstallAnswers } from '../cleanup/install-answers.js';
import { isCronSchedule } from '../answers/validators.js';
import { savedAnswersYaml } from '../render/render-install.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { readState, writeState } from '../install/state.js';
import { withDirLock } from '../lock/dir-lock.js';
import { installCron, removeCron, showCron, type CronSpec } from '../cron/entry.js';
import { EXIT, UserError } from '../errors.js';
import { parseDays, parseVacuum } from './cleanup.js';

export interface CronFlags {
  dir: string;
  days?: string;
  schedule?: string;
  vacuum?: string;
}

function rememberRemoved(layout: Layout, removed: boolean): void {
  if (!existsSync(layout.stateFile)) return;
  const state = readState(layout.stateFile);
  if (Boolean(state.cronRemoved) === removed) return;
  state.cronRemoved = removed || undefined;
  writeState(layout.stateFile, state);
}

export async function cronInstall(flags: CronFlags): Promise<number> {
  const layout = layoutFor(flags.dir);
  readInstallAnswers(layout);
  // Everything is checked before anything is written.
  if (flags.schedule !== undefined && !isCronSchedule(flags.schedule)) {
    throw new UserError(`--schedule ${JSON.stringify(flags.schedule)} is not a five-field cron schedule such as "0 3 * * *"`, EXIT.usage, 'Nothing was changed.');
  }
  const days = parseDays(flags.days);
  const vacuum = flags.vacuum === undefined ? undefined : parseVacuum(flags.vacuum);
  return withDirLock(layout, 'cron', async () => {
    const answers = readInstallAnswers(layout);
    const cleanup = { days: days ?? answers.cleanup.days, schedule: flags.schedule ?? answers.cleanup.schedule, vacuum: vacuum ?? answers.cleanup.vacuum };
    if (JSON.stringify(cleanup) !== JSON.stringify(answers.cleanup)) {
      writeFileAtomic(layout.answersFile, savedAnswersYaml({ ...answers, cleanup }), { mode: 0o600 });
      process.stderr.write(`saved cleanup ${JSON.stringify(cleanup)} in ${layout.answersFile}\n`);
    }
    const spec: CronSpec = { dir: layout.dir, ...cleanup };
    const changed = installCron(spec);
    rememberRemoved(layout, false);
    process.stderr.write(changed ? 'cleanup cron entry installed:\n' : 'cleanup cron entry already up to date:\n');
    process.stdout.write(showCron(layout.dir) ?? '');
    return EXIT.ok;
  });
}

export async function cronRemove(flags: CronFlags): Promise<number> {
  const layout = layoutFor(flags.dir);
  return withDirLock(layout, 'cron', async () => {
    const removed = removeCron(layout.dir);
    rememberRemoved(layout, true);
    process.stderr.write(removed ? `cleanup cron entry of ${layout.dir} removed\n` : `no cleanup cron entry for ${layout.dir}\n`);
    return EXIT.ok;
  });
}

export async function cronShow(flags: CronFlags): Promise<number> {
  const layout = layoutFor(flags.dir);
  const entry = showCron(layout.dir);
  if (entry) process.stdout.write(entry);
  else process.stderr.write(`no cleanup cron entry for ${layout.dir}\n`);
  return EXIT.ok;
}

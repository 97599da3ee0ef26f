/**
 * `sentry-onprem reconfigure`: apply edited answers (sentry-onprem.yml) to a running install. It is the
 * install pipeline, whose steps each skip what did not change: render three-way, rebuild only images
 * whose inputs changed, migrate only for a new Sentry image, recreate or restart only what changed.
 * Around it: the saved answers only (never prompts for them), an optional confirmation after a dry run
 * on a terminal, and a report of which containers were recreated or restarted.
 */
import { existsSync } from 'node:fs';
import { layoutFor } from '../layout.js';
import { isInteractive, loadAnswers } from '../answers/load.js';
import { RELEASES } from '../catalog.js';
import { EXIT, UserError } from '../errors.js';
import { docker, projectContainers } from '../install/docker.js';
import { readState } from '../install/state.js';
import { install } from './install.js';

export interface ReconfigureFlags {
  dir: string;
  yes?: boolean;
  dryRun?: boolean;
  force?: boolean;
  skipCheck?: string[];
}

type Snapshot = Map<string, { id: string; startedAt: string }>;

async function snapshot(project: string): Promise<Snapshot> {
  const d = await docker();
  const out: Snapshot = new Map();
  for (const c of await projectContainers(project)) {
    if (c.oneoff) continue;
    const info = await d.getContainer(c.id).inspect().catch(() => undefined);
    out.set(c.service, { id: c.id, startedAt: info?.State.StartedAt ?? '' });
  }
  return out;
}

export function describeContainerChanges(before: Snapshot, after: Snapshot): { lines: string[]; changed: boolean } {
  const recreated: string[] = [];
  const restarted: string[] = [];
  const created: string[] = [];
  const removed = [...before.keys()].filter((s) => !after.has(s));
  for (const [service, now] of after) {
    const was = before.get(service);
    if (!was) created.push(service);
    else if (was.id !== now.id) recreated.push(service);
    else if (was.startedAt !== now.startedAt) restarted.push(service);
  }
  const kept = [...after.keys()].filter((s) => !recreated.includes(s) && !restarted.includes(s) && !created.includes(s));
  const lines = [
    recreated.length && `recreated: ${recreated.sort().join(', ')}`,
    restarted.length && `restarted: ${restarted.sort().join(', ')}`,
    created.length && `created: ${created.sort().join(', ')}`,
    removed.length && `removed: ${removed.sort().join(', ')}`,
    kept.length && `untouched: ${kept.sort().join(', ')}`,
  ].filter((l): l is string => Boolean(l));
  return { lines, changed: recreated.length + restarted.length + created.length + removed.length > 0 };
}

export async function reconfigure(flags: ReconfigureFlags): Promise<number> {
  const layout = layoutFor(flags.dir);
  if (!existsSync(layout.answersFile)) {
    throw new UserError(`${layout.dir} is not a sentry-onprem install (no sentry-onprem.yml)`, EXIT.usage, 'Run `sentry-onprem install` first, or pass the install directory with --dir.');
  }
  const ask = isInteractive(flags) && !flags.dryRun;
  const base = { dir: flags.dir, yes: true, force: flags.force, skipCheck: flags.skipCheck ?? [] };
  if (flags.dryRun) return install({ ...base, dryRun: true });
  if (ask) {
    await install({ ...base, dryRun: true });
    const { confirm } = await import('@inquirer/prompts');
    if (!(await confirm({ message: 'Apply these changes?', default: true }))) return EXIT.cancelled;
  }
  const { answers } = await loadAnswers({ yes: true }, layout, false);
  const project = RELEASES[answers.tag].projectName;
  const stateBefore = readState(layout.stateFile);
  const before = await snapshot(project);
  const code = await install(base);
  const stateAfter = readState(layout.stateFile);
  const { lines, changed } = describeContainerChanges(before, await snapshot(project));
  const rebuilt = Object.keys(stateAfter.builds).filter((image) => stateAfter.builds[image] !== stateBefore.builds[image]);
  if (rebuilt.length) lines.unshift(`rebuilt: ${rebuilt.join(', ')}`);
  if (stateAfter.migratedImage !== stateBefore.migratedImage) lines.unshift('migrations ran for the new Sentry image');
  if (!changed && !rebuilt.length) process.stdout.write('Nothing changed: no image was rebuilt, no container was recreated or restarted.\n');
  else process.stdout.write(lines.join('\n') + '\n');
  return code;
}

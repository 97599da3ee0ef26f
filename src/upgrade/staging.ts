/**
 * The target's images are built while the old release keeps running, from a staging copy of the target's
 * files (exactly what the render will write, user merges included). The build labels each image with the
 * hash of those files, so the build step after the in-place render finds them current.
 */
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RenderPlan } from '../render/render-install.js';
import { writeFileAtomic, ensureDir } from '../fs/atomic.js';
import { layoutFor, type Layout } from '../layout.js';
import { ComposeRunner, type ComposeCommand } from '../../compose/runner.js';
import { buildStep } from '../install/steps/build.js';
import type { Ctx, StepResult } from '../install/context.js';

export const stagingDir = (layout: Layout) => join(layout.stateDir, 'upgrade-staging');

export function writeStaging(layout: Layout, plan: RenderPlan): string {
  const dir = stagingDir(layout);
  rmSync(dir, { recursive: true, force: true });
  ensureDir(dir, 0o700);
  for (const c of plan.changes) writeFileAtomic(join(dir, c.file.path), c.next, { mode: c.file.mode });
  // The user's override may change what is built; the build sees what the real run will see.
  const override = join(layout.dir, 'docker-compose.override.yml');
  if (existsSync(override)) copyFileSync(override, join(dir, 'docker-compose.override.yml'));
  return dir;
}

export async function buildStaged(
  toCtx: Ctx,
  compose: ComposeCommand,
  out: (l: string) => void,
  track: (r: ComposeRunner) => ComposeRunner = (r) => r,
): Promise<StepResult> {
  const dir = writeStaging(toCtx.layout, toCtx.plan!);
  // The images belong to the install directory, not to the staging copy they are built from.
  const staged: Ctx = { ...toCtx, layout: layoutFor(dir), ownerDir: toCtx.layout.dir, runner: track(new ComposeRunner(compose, dir, toCtx.log)) };
  try {
    return await buildStep.run(staged, out);
  } finally {
    toCtx.sentryImageChanged = staged.sentryImageChanged;
  }
}

export function removeStaging(layout: Layout): void {
  rmSync(stagingDir(layout), { recursive: true, force: true });
}

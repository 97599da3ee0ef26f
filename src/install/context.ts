/** What every install step sees. Side effects go through the runner (compose) and the docker module. */
import type { Layout } from '../layout.js';
import type { Answers } from '../answers/schema.js';
import type { Secrets } from '../secrets.js';
import type { ComposeRunner } from '../../compose/runner.js';
import type { RunLog } from './log.js';
import type { InstallState } from './state.js';
import type { RenderPlan } from '../render/render-install.js';
import type { AnswerFlags } from '../answers/load.js';

export interface InstallFlags extends AnswerFlags {
  dir: string;
  dryRun?: boolean;
  skipCheck?: string[];
  force?: boolean;
  /** take existing volumes that nothing owns as this install's (recorded in state.json) */
  adoptVolumes?: boolean;
  /** install from this bundle file (`bundle create`): verified first, images loaded from it, nothing pulled */
  bundle?: string;
}

export interface Ctx {
  flags: InstallFlags;
  layout: Layout;
  log: RunLog;
  stamp: string;
  dryRun: boolean;
  answers?: Answers;
  adminPassword?: string;
  secrets?: Secrets;
  plan?: RenderPlan;
  runner?: ComposeRunner;
  project?: string;
  state: InstallState;
  /** The install directory that owns what this context builds, when layout is a staging copy (upgrade). */
  ownerDir?: string;
  /** Set by steps that changed something the later steps depend on. */
  sentryImageChanged?: boolean;
  /** Dry run: the images the build step would build (later steps report what that would cause). */
  wouldBuild?: string[];
  /** Human lines for the summary. */
  notes: string[];
}

/** What a step reports: done (with a line for the summary) or skipped with the reason. */
export type StepResult = { skipped: string } | { done: string };

export interface Step {
  id: string;
  title: string;
  run(ctx: Ctx, out: (line: string) => void): Promise<StepResult>;
}

export const skipped = (reason: string): StepResult => ({ skipped: reason });
export const done = (what: string): StepResult => ({ done: what });

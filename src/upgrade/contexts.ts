/**
 * The install pipeline's context, once for the release that runs now and once for the target: the upgrade
 * reuses the install steps (render, volumes, pull, build, bootstrap, migrations, up) with the target's
 * answers, and the previous release's context to start the old stack again after a failure.
 */
import type { Answers } from '../answers/schema.js';
import { RELEASES, type SupportedTag } from '../catalog.js';
import type { Layout } from '../layout.js';
import type { RunLog } from '../install/log.js';
import type { InstallState } from '../install/state.js';
import type { Ctx } from '../install/context.js';
import type { Secrets } from '../secrets.js';
import { ComposeRunner, type ComposeCommand } from '../../compose/runner.js';

export interface ContextInput {
  layout: Layout;
  log: RunLog;
  stamp: string;
  dryRun: boolean;
  answers: Answers;
  adminPassword: string;
  secrets: Secrets;
  state: InstallState;
  compose?: ComposeCommand;
  skipCheck?: string[];
}

export function releaseCtx(i: ContextInput): Ctx {
  const tag = i.answers.tag as SupportedTag;
  return {
    flags: { dir: i.layout.dir, yes: true, skipCheck: i.skipCheck ?? [] },
    layout: i.layout,
    log: i.log,
    stamp: i.stamp,
    dryRun: i.dryRun,
    answers: i.answers,
    adminPassword: i.adminPassword,
    secrets: { ...i.secrets },
    runner: i.compose ? new ComposeRunner(i.compose, i.layout.dir, i.log) : undefined,
    project: RELEASES[tag].projectName,
    state: structuredClone(i.state),
    notes: [],
  };
}

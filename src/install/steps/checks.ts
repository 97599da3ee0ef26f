/** Step: the preflight checks of the `check` command, for the target release. Changes nothing. */
import { detectCompose } from '../../engine/detect-compose.js';
import { minimumsFor, type SupportedTag } from '../../catalog.js';
import type { ComposeCommand } from '../../../compose/runner.js';
import { UserError, EXIT } from '../../errors.js';
import { done, type Ctx, type Step } from '../context.js';
import { runPreflight } from '../preflight.js';

/** The Compose the install runs: the one the `compose` check chooses for this release. */
export async function chooseCompose(ctx: Ctx): Promise<ComposeCommand> {
  return composeForTag(ctx.answers!.tag, ctx.flags.skipCheck?.includes('compose'));
}

/**
 * The same choice for commands that have only the release (cleanup). With `belowMinimum` (`--skip-check
 * compose`: the operator accepts an older Compose) the newest one found is used when none meets the
 * release's minimum version; a flavour the release dropped (v1) is still refused.
 */
export async function composeForTag(tag: SupportedTag, belowMinimum = false): Promise<ComposeCommand> {
  const min = minimumsFor(tag);
  let det = await detectCompose({ minimum: min.compose, allowV1: min.composeV1 });
  if (!det.chosen && belowMinimum) det = await detectCompose({ allowV1: min.composeV1 });
  if (!det.chosen) {
    throw new UserError(
      `no Docker Compose of at least ${min.compose} found for Sentry ${tag}${min.composeWhy ? ` (${min.composeWhy})` : ''}`,
      EXIT.prerequisite,
      'Install the Compose v2 plugin (docker compose) or docker-compose, then run again; `sentry-onprem check` shows what was found.',
    );
  }
  return { argv: det.chosen.argv, v2: det.chosen.flavor === 'v2', version: det.chosen.version };
}

export const checksStep: Step = {
  id: 'checks',
  title: 'Preflight checks',
  async run(ctx, out) {
    const { summary, failed } = await runPreflight(
      { tag: ctx.answers!.tag, answers: ctx.answers!, dir: ctx.layout.dir, ownProject: ctx.project, skip: ctx.flags.skipCheck ?? [], adoptVolumes: ctx.flags.adoptVolumes },
      out,
    );
    if (failed.length) {
      throw new UserError(
        `${failed.length} preflight check${failed.length > 1 ? 's' : ''} failed: ${failed.map((r) => r.id).join(', ')}`,
        EXIT.prerequisite,
        `${failed.map((r) => r.remedy).filter(Boolean).join(' ')} Nothing was changed. To go on anyway: --skip-check ${failed[0].id}`,
      );
    }
    return done(summary);
  },
};

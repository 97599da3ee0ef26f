/**
 * The `check` preflight for the target release, before anything changes: a host too small for the
 * target stops the upgrade here. The ports are held by the running release's own nginx, which the
 * upgrade replaces, so that project counts as ours.
 */
import type { Answers } from '../answers/schema.js';
import type { SupportedTag } from '../catalog.js';
import { runPreflight } from '../install/preflight.js';
import { UserError, EXIT } from '../errors.js';

export async function targetChecks(o: { to: SupportedTag; answers: Answers; dir: string; runningProject: string; skip: string[] }, out: (l: string) => void): Promise<string> {
  const { summary, failed } = await runPreflight({ tag: o.to, answers: o.answers, dir: o.dir, ownProject: o.runningProject, skip: o.skip }, out);
  if (failed.length) {
    throw new UserError(
      `this host does not meet Sentry ${o.to}'s requirements: ${failed.map((r) => `${r.id} (found ${r.found}; required ${r.required})`).join('; ')}`,
      EXIT.prerequisite,
      `${failed.map((r) => r.remedy).filter(Boolean).join(' ')} Nothing was changed; Sentry keeps running. To go on anyway: --skip-check ${failed[0].id}`,
    );
  }
  return summary;
}

/** docker-version: the engine's (server) version from the Engine API, against the release's minimum. */
import { semverGte, toSemver } from '../src/engine/parse-version.js';
import { engineUnavailable } from './engine-unavailable.js';
import type { Check, Verdict } from './types.js';

export function decideDockerVersion(printed: string, minimum: string): Verdict {
  const required = `Docker Engine ${minimum} or newer`;
  const version = toSemver(printed);
  const data = { version: printed, minimum };
  if (!version) {
    return { status: 'warn', found: `engine version "${printed}" (not a release number)`, required, remedy: 'Use a released Docker Engine if the install fails.', data };
  }
  if (semverGte(version, toSemver(minimum) as string)) return { status: 'pass', found: `Docker Engine ${printed}`, required, remedy: null, data };
  return { status: 'fail', found: `Docker Engine ${printed}`, required, remedy: `Upgrade Docker Engine to ${minimum} or newer.`, data };
}

export const dockerVersionCheck: Check = {
  id: 'docker-version',
  title: 'Docker Engine version',
  async run(ctx) {
    const probe = await ctx.engine();
    if (!probe.ok) return engineUnavailable(`Docker Engine ${ctx.minimums.docker} or newer`);
    return decideDockerVersion(probe.facts.info.ServerVersion ?? '', ctx.minimums.docker);
  },
};

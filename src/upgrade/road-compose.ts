/**
 * Before the first hop changes anything: every release on the road must find its Compose here. 23.6.2 and
 * later run on Compose v2 only, so a host with docker-compose v1 alone could do the 21.x hops and then stop
 * in the middle of the road; it is refused at the start instead, with the remedy.
 */
import { minimumsFor } from '../catalog.js';
import { composeForTag } from '../install/steps/checks.js';
import type { ComposeCommand } from '../../compose/runner.js';
import { UserError, EXIT } from '../errors.js';
import type { Hop } from './plan-path.js';

export async function refuseRoadCompose(
  o: { from: string; hops: Hop[]; skipCheck: string[] },
  choose: (tag: string, belowMinimum: boolean) => Promise<ComposeCommand> = (t, b) => composeForTag(t as never, b),
): Promise<void> {
  for (const [i, hop] of o.hops.entries()) {
    try {
      await choose(hop.to, o.skipCheck.includes('compose'));
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      const min = minimumsFor(hop.to);
      const v2 = !min.composeV1;
      throw new UserError(
        `upgrade refused before it changes anything: hop ${i + 1} of ${o.hops.length} (${hop.from} -> ${hop.to}) needs Docker Compose ${min.compose} or newer${v2 ? ' as the v2 plugin (docker compose): Compose v1 runs no release from 23.6.0 on' : ''}; ${e.message}`,
        EXIT.prerequisite,
        `${v2 ? `Install the Docker Compose v2 plugin (docker-compose-plugin) ${min.compose} or newer` : `Install Docker Compose ${min.compose} or newer`}, then run the upgrade again. Nothing was changed; Sentry ${o.from} keeps running.`,
      );
    }
  }
}

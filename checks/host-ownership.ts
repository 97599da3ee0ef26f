/**
 * host-ownership: the volumes, compose project and built images this install directory would use belong
 * to no other install directory, no checkout of the official installer, and no other project's running
 * container. The same decision `install`, `upgrade`, `backup` and `restore` refuse on (exit 3).
 */
import { connectEngine, ENGINE_TIMEOUT_MS } from '../src/engine/engine.js';
import { ownershipEngine } from '../src/ownership/engine.js';
import { findConflicts, type Conflict, type OwnershipRequest } from '../src/ownership/resolve.js';
import { ownershipRequest, readOwnState, savedStorage } from '../src/ownership/request.js';
import { conflictLine, remedy } from '../src/ownership/refusal.js';
import type { SupportedTag } from '../src/catalog.js';
import { engineUnavailable } from './engine-unavailable.js';
import type { Check, Verdict } from './types.js';

const REQUIRED = 'no volume, compose project or built image of this install owned by another install directory or in use by another project';

export function decideOwnership(req: OwnershipRequest, conflicts: readonly Conflict[]): Verdict {
  const data = { conflicts };
  if (!conflicts.length) {
    const what = [
      req.volumes.length && `${req.volumes.length} volumes`,
      req.dataDirs.length && `${req.dataDirs.length} data directories`,
      `compose project ${req.projects.join(', ')}`,
      `${req.images.length} image name${req.images.length > 1 ? 's' : ''}`,
    ].filter(Boolean);
    return { status: 'pass', found: `${what.join(', ')}: free or this install's own`, required: REQUIRED, remedy: null, data };
  }
  return { status: 'fail', found: conflicts.map(conflictLine).join('; '), required: REQUIRED, remedy: remedy(conflicts, req.dir), data };
}

export const hostOwnershipCheck: Check = {
  id: 'host-ownership',
  title: 'Volumes, project and images are this install\'s',
  async run(ctx) {
    const probe = await ctx.engine();
    if (!probe.ok || !ctx.endpoint) return engineUnavailable(REQUIRED);
    const engine = connectEngine(ctx.endpoint, ENGINE_TIMEOUT_MS);
    const req = ownershipRequest({
      dir: ctx.installDir,
      tags: [ctx.tag as SupportedTag],
      storage: ctx.ownership?.storage ?? savedStorage(ctx.installDir),
      state: readOwnState(ctx.installDir),
      adoptVolumes: ctx.ownership?.adoptVolumes,
    });
    return decideOwnership(req, await findConflicts(ctx.ownership?.engine ?? ownershipEngine((path) => engine.get(path)), req));
  },
};

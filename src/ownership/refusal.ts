/** The words for ownership conflicts: one line per object, and what to do, per owner. */
import { EXIT, UserError } from '../errors.js';
import type { Conflict, Owner } from './resolve.js';

export function describeOwner(o: Owner): string {
  if (o.kind === 'unknown') return 'no recorded owner';
  if (o.kind === 'container') return `container ${o.name} (not part of a Compose project)`;
  switch (o.dirKind) {
    case 'install':
      return `the sentry-onprem install in ${o.dir}`;
    case 'official':
      return `a checkout of the official installer in ${o.dir}`;
    case 'missing':
      return `${o.dir} (that directory no longer exists)`;
    default:
      return `the Compose project in ${o.dir}`;
  }
}

export function conflictLine(c: Conflict): string {
  const what = c.object === 'project' ? `compose project ${c.name}` : `${c.object} ${c.name}`;
  // The containers named as evidence already say which run; a label needs the running ones added.
  const shown = c.running.slice(0, 3).join(', ') + (c.running.length > 3 ? ` and ${c.running.length - 3} more` : '');
  const run = c.running.length && c.evidence.startsWith('label') ? `; in use by running container${c.running.length > 1 ? 's' : ''} ${shown}` : '';
  return `${what}: ${describeOwner(c.owner)} (${c.evidence})${run}`;
}

const ownerKey = (o: Owner) => (o.kind === 'dir' ? `dir:${o.dir}` : o.kind === 'container' ? `container:${o.name}` : 'unknown');

/** One sentence per owner saying how to resolve it; ends with "Nothing was changed." */
export function remedy(conflicts: readonly Conflict[], dir: string): string {
  const seen = new Map<string, { owner: Owner; objects: Conflict[] }>();
  for (const c of conflicts) {
    const k = ownerKey(c.owner);
    if (!seen.has(k)) seen.set(k, { owner: c.owner, objects: [] });
    seen.get(k)!.objects.push(c);
  }
  const parts = ['These names are the same for every install on this Docker engine: one Sentry per engine.'];
  for (const { owner, objects } of seen.values()) {
    const volumes = objects.filter((c) => c.object === 'volume').map((c) => c.name);
    if (owner.kind === 'unknown') {
      parts.push(
        `If ${volumes.join(', ')} hold${volumes.length > 1 ? '' : 's'} this install's data, run again with --adopt-volumes (recorded in ${dir}/.sentry-onprem/state.json); otherwise back ${volumes.length > 1 ? 'them' : 'it'} up and remove ${volumes.length > 1 ? 'them' : 'it'} (docker volume rm ${volumes.join(' ')}).`,
      );
    } else if (owner.kind === 'container') {
      parts.push(`Stop and remove container ${owner.name} (docker rm -f ${owner.name}) if it is not needed, then run again.`);
    } else if (owner.dirKind === 'install') {
      parts.push(
        `Run this command in that install instead (--dir ${owner.dir}), or remove that install first: sentry-onprem uninstall --dir ${owner.dir} --delete-data (back it up before: sentry-onprem backup --dir ${owner.dir}).`,
      );
    } else if (owner.dirKind === 'official') {
      parts.push(
        `Use that install, or stop and remove it first (cd ${owner.dir} && docker-compose down), then remove its volumes (docker volume rm ${volumes.join(' ') || '...'}) or take its data over with --adopt-volumes.`,
      );
    } else {
      const ids = objects.filter((c) => c.object !== 'project').map((c) => c.name);
      parts.push(`Stop the containers of ${owner.dir} (docker compose down there) and remove what it left${ids.length ? ` (${ids.join(', ')})` : ''}, or run this command there.`);
    }
  }
  parts.push('Nothing was changed.');
  return parts.join(' ');
}

export function ownershipRefusal(conflicts: readonly Conflict[], dir: string): UserError {
  return new UserError(
    `${dir} would use Docker objects that belong to another install:\n${conflicts.map((c) => `  - ${conflictLine(c)}`).join('\n')}`,
    EXIT.prerequisite,
    remedy(conflicts, dir),
  );
}

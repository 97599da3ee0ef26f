/**
 * Who owns the Docker objects an install would use. The official releases name volumes, compose projects
 * and built images host-wide, so a second install directory would attach itself to the first one's data.
 * Owner sources, in order: our label (io.sentry-onprem.dir); else the containers (any state) that mount
 * the volume, belong to the project or run the image: their Compose working_dir label; else, for a
 * volume, this install's own record of having created or adopted it; else the owner is unknown.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DIR_LABEL, PROJECT_LABEL, WORKING_DIR_LABEL, type ContainerFacts, type OwnershipEngine } from './engine.js';

export interface OwnershipRequest {
  /** the install directory, absolute */
  dir: string;
  projects: readonly string[];
  /** named data volumes (storage.mode volumes) */
  volumes: readonly string[];
  /** host data directories (storage.mode bind) */
  dataDirs: readonly string[];
  /** locally built image names */
  images: readonly string[];
  /** volumes this install's own state says it created or adopted (proof for volumes made before labels) */
  ownVolumes: readonly string[];
  /** take unlabelled volumes that nothing uses as this install's (--adopt-volumes) */
  adoptVolumes?: boolean;
}

export type DirKind = 'install' | 'official' | 'other' | 'missing';

export type Owner = { kind: 'dir'; dir: string; dirKind: DirKind } | { kind: 'container'; name: string } | { kind: 'unknown' };

export interface Conflict {
  object: 'volume' | 'project' | 'image' | 'data directory';
  name: string;
  owner: Owner;
  /** how the owner is known */
  evidence: string;
  /** running containers of the owner that use the object */
  running: string[];
}

/** What an owner directory is: a sentry-onprem install, a checkout of the official installer, or neither. */
export function describeDir(dir: string): DirKind {
  if (!existsSync(dir)) return 'missing';
  if (existsSync(join(dir, '.sentry-onprem'))) return 'install';
  if (existsSync(join(dir, 'install.sh'))) return 'official';
  return 'other';
}

export async function findConflicts(engine: OwnershipEngine, req: OwnershipRequest, kindOf: (dir: string) => DirKind = describeDir): Promise<Conflict[]> {
  const here = resolve(req.dir);
  const [volumes, containers, images] = await Promise.all([
    engine.volumes(req.volumes),
    engine.containers(),
    engine.images(req.images),
  ]);
  const workingDir = (c: ContainerFacts) => c.labels[WORKING_DIR_LABEL];
  const foreign = (c: ContainerFacts) => !workingDir(c) || resolve(workingDir(c)) !== here;
  const dirOwner = (dir: string): Owner => ({ kind: 'dir', dir, dirKind: kindOf(dir) });
  const containerOwner = (list: ContainerFacts[]): Owner => {
    const c = list.find((x) => x.running) ?? list[0];
    return workingDir(c) ? dirOwner(workingDir(c)) : { kind: 'container', name: c.name };
  };
  // Running ones first; a long list is cut (a 20.7.0 project has 24 containers).
  const names = (list: ContainerFacts[]) => {
    const sorted = [...list.filter((c) => c.running), ...list.filter((c) => !c.running)];
    const shown = sorted.slice(0, 3).map((c) => `${c.name}${c.running ? ' (running)' : ''}`).join(', ');
    return sorted.length > 3 ? `${shown} and ${sorted.length - 3} more` : shown;
  };
  const running = (list: ContainerFacts[]) => list.filter((c) => c.running).map((c) => c.name);
  const out: Conflict[] = [];

  for (const v of volumes) {
    const users = containers.filter((c) => c.mounts.some((m) => m.type === 'volume' && m.name === v.name));
    const others = users.filter(foreign);
    const label = v.labels[DIR_LABEL];
    if (label && resolve(label) !== here) {
      out.push({ object: 'volume', name: v.name, owner: dirOwner(label), evidence: `label ${DIR_LABEL}`, running: running(others) });
    } else if (others.length) {
      out.push({ object: 'volume', name: v.name, owner: containerOwner(others), evidence: `mounted by ${names(others)}`, running: running(others) });
    } else if (!label && !users.length && !req.ownVolumes.includes(v.name) && !req.adoptVolumes) {
      out.push({ object: 'volume', name: v.name, owner: { kind: 'unknown' }, evidence: 'no owner label and no container using it', running: [] });
    }
  }

  for (const p of req.projects) {
    const others = containers.filter((c) => c.labels[PROJECT_LABEL] === p && foreign(c));
    if (others.length) out.push({ object: 'project', name: p, owner: containerOwner(others), evidence: `containers ${names(others)}`, running: running(others) });
  }

  for (const d of req.dataDirs) {
    const under = (s?: string) => s !== undefined && (s === d || s.startsWith(`${d}/`));
    const others = containers.filter((c) => c.running && foreign(c) && c.mounts.some((m) => m.type === 'bind' && under(m.source)));
    if (others.length) out.push({ object: 'data directory', name: d, owner: containerOwner(others), evidence: `mounted by ${names(others)}`, running: running(others) });
  }

  // An image can be built again; only a live install's image is worth a refusal: one with containers or
  // volumes on this engine. (A directory whose stack and volumes were removed leaves its labelled image.)
  const live = (dir: string) => containers.some((c) => workingDir(c) && resolve(workingDir(c)) === resolve(dir)) || volumes.some((v) => v.labels[DIR_LABEL] && resolve(v.labels[DIR_LABEL]) === resolve(dir));
  for (const [name, image] of images) {
    const label = image.labels[DIR_LABEL];
    const others = containers.filter((c) => c.imageId === image.id && foreign(c));
    if (label && resolve(label) !== here && live(label)) {
      out.push({ object: 'image', name, owner: dirOwner(label), evidence: `label ${DIR_LABEL}`, running: running(others) });
    } else if (!label && others.length) {
      out.push({ object: 'image', name, owner: containerOwner(others), evidence: `used by ${names(others)}`, running: running(others) });
    }
  }
  return out;
}

/** Which objects an install directory would use, from its release(s), storage answers and own state. */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RELEASES, isSupportedTag, type SupportedTag } from '../catalog.js';
import type { OwnershipRequest } from './resolve.js';

export interface Storage {
  mode: 'volumes' | 'bind';
  /** absolute (bind) */
  dataDir: string;
}

/** The part of the install's state that proves ownership (a subset of InstallState, read without its loader). */
export interface OwnState {
  tag?: string;
  volumes?: string[];
  history?: Array<{ step: string }>;
}

/**
 * storage.mode and storage.dataDir of the saved answers (sentry-onprem.yml, block style as the tool
 * writes it), read with two patterns: `check` reads this too and stays free of the YAML loader.
 */
export function savedStorage(dir: string): Storage {
  const file = join(dir, 'sentry-onprem.yml');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const block = /^storage:[ \t]*\{([^}]*)\}|^storage:[ \t]*\n((?:[ \t]+.*\n?)*)/m.exec(text);
  const body = block ? (block[1] ?? block[2] ?? '') : '';
  const field = (name: string) => new RegExp(`(?:^|[\\s,{])${name}:[ \\t]*['"]?([^'",}\\n]+?)['"]?[ \\t]*(?:[,}\\n]|$)`, 'm').exec(body)?.[1];
  return { mode: field('mode') === 'bind' ? 'bind' : 'volumes', dataDir: resolve(dir, field('dataDir') ?? './data') };
}

export function readOwnState(dir: string): OwnState {
  try {
    return JSON.parse(readFileSync(join(dir, '.sentry-onprem', 'state.json'), 'utf8')) as OwnState;
  } catch {
    return {};
  }
}

/**
 * Volumes the install's state records as its own. Installs made before volumes were recorded have no
 * list: a state that got past the volumes step (or has an installed release) owns its release's volumes.
 */
export function ownVolumes(state: OwnState, volumes: readonly string[]): string[] {
  if (state.volumes) return state.volumes;
  if (state.tag && isSupportedTag(state.tag)) return RELEASES[state.tag].externalVolumes.filter((v) => volumes.includes(v));
  return (state.history ?? []).some((h) => h.step === 'volumes') ? [...volumes] : [];
}

export function ownershipRequest(o: { dir: string; tags: readonly SupportedTag[]; storage: Storage; state: OwnState; adoptVolumes?: boolean }): OwnershipRequest {
  const uniq = (xs: string[]) => [...new Set(xs)];
  const names = uniq(o.tags.flatMap((t) => RELEASES[t].externalVolumes));
  const volumes = o.storage.mode === 'volumes' ? names : [];
  return {
    dir: resolve(o.dir),
    projects: uniq(o.tags.map((t) => RELEASES[t].projectName)),
    volumes,
    dataDirs: o.storage.mode === 'bind' ? names.map((n) => join(o.storage.dataDir, n)) : [],
    images: uniq(o.tags.flatMap((t) => RELEASES[t].builtImages.map((b) => b.image))),
    ownVolumes: ownVolumes(o.state, volumes),
    adoptVolumes: o.adoptVolumes,
  };
}

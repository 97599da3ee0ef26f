/**
 * Which services `up` must (re)create, decided here rather than left to Compose: a plain `up -d` also
 * recreates every service that depends on a recreated one (nginx after web), so a plugin change would
 * replace containers whose configuration did not change. Compose's own config hash (the label it puts
 * on each container, printed by `config --hash`) and the image id tell what changed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { ComposeRunner } from '../../compose/runner.js';
import { inspectImage, type ServiceContainer } from './docker.js';

interface ServiceDoc {
  image?: string;
  depends_on?: string[] | Record<string, unknown>;
}

export function dependsOn(dir: string): Map<string, string[]> {
  const doc = yaml.load(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ServiceDoc> };
  return new Map(Object.entries(doc.services).map(([name, s]) => [name, Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {})]));
}

function parseHashes(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const m = /^(\S+)\s+([0-9a-f]{64})$/.exec(line.trim());
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

/**
 * Compose's config hash of each service. Compose v2.23.0 prints nothing for `--hash *`
 * (docker/compose#11145) but answers for services named one by one, so with names given an empty
 * answer is asked again with the names: otherwise every service would count as changed.
 */
export async function configHashes(runner: ComposeRunner, names: string[] = []): Promise<Map<string, string>> {
  const all = parseHashes((await runner.run(['config', '--hash', '*'], { onLine: () => undefined })).stdout);
  if (all.size || !names.length) return all;
  return parseHashes((await runner.run(['config', '--hash', names.join(',')], { onLine: () => undefined })).stdout);
}

type ImageId = (image: string) => Promise<string | undefined>;
const engineImageId: ImageId = async (i) => (await inspectImage(i))?.id;

/** A container made from another configuration or another image than the service has now. */
async function outdated(s: { name: string; image?: string }, c: ServiceContainer, hashes: Map<string, string>, imageId: ImageId): Promise<boolean> {
  if (c.configHash !== hashes.get(s.name)) return true;
  const image = s.image ? await imageId(s.image.replace(/\$\$/g, '$')) : undefined;
  return Boolean(image && c.image !== image);
}

/** Services without a running container, or whose container has another config hash or image. */
export async function servicesToRecreate(
  services: Array<{ name: string; image?: string }>,
  containers: ServiceContainer[],
  hashes: Map<string, string>,
  imageId: ImageId = engineImageId,
): Promise<string[]> {
  const out: string[] = [];
  for (const s of services) {
    const c = containers.find((x) => x.service === s.name && !x.oneoff);
    if (!c || c.state !== 'running' || (await outdated(s, c, hashes, imageId))) out.push(s.name);
  }
  return out;
}

/** Services that have a container (running or not) made from another configuration or image. */
export async function outdatedServices(
  services: Array<{ name: string; image?: string }>,
  containers: ServiceContainer[],
  hashes: Map<string, string>,
  imageId: ImageId = engineImageId,
): Promise<string[]> {
  const out: string[] = [];
  for (const s of services) {
    const c = containers.find((x) => x.service === s.name && !x.oneoff);
    if (c && (await outdated(s, c, hashes, imageId))) out.push(s.name);
  }
  return out;
}

/** Everything `compose run service` starts: its dependencies, theirs, and so on. */
export function dependencyClosure(deps: Map<string, string[]>, service: string): string[] {
  const seen = new Set<string>();
  const visit = (s: string) => {
    for (const d of deps.get(s) ?? []) if (!seen.has(d)) (seen.add(d), visit(d));
  };
  visit(service);
  seen.delete(service);
  return [...seen];
}

/**
 * Kept services that depend on one whose address may have changed (recreated, or restarted: Docker can
 * give a restarted container another address). nginx resolves `web` once, when it loads its config.
 */
export function dependentsToRefresh(deps: Map<string, string[]>, moved: Set<string>, kept: Set<string>): string[] {
  return [...deps].filter(([name, on]) => kept.has(name) && !moved.has(name) && on.some((d) => moved.has(d))).map(([name]) => name);
}

/** Services that can pick up new addresses without a restart: a reload keeps the container and its connections. */
const RELOAD: Record<string, string[]> = { nginx: ['nginx', '-s', 'reload'] };

/** Reloads (nginx) or restarts the dependents; returns what was done, for the step's summary. */
export async function refreshDependents(runner: ComposeRunner, services: string[], out: (l: string) => void): Promise<string[]> {
  const done: string[] = [];
  for (const s of services.filter((x) => RELOAD[x])) {
    await runner.run(['exec', '-T', s, ...RELOAD[s]], { onLine: out });
    done.push(`reloaded ${s}`);
  }
  const restart = services.filter((x) => !RELOAD[x]);
  if (restart.length) {
    await runner.run(['restart', ...restart], { onLine: out });
    done.push(`restarted ${restart.join(', ')}`);
  }
  return done;
}

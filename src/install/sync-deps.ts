/**
 * Before a step's `compose run`: Compose starts the service's dependencies as they are, so a container
 * left by an earlier run keeps the configuration it was made with (a ulimit corrected in
 * docker-compose.override.yml, a new image) and the run fails again the same way. `up` would recreate
 * it; here the same decision (config hash, image id) is made for the dependencies alone, and only
 * those that exist and changed are recreated, with `up -d --no-deps`, not the whole stack.
 */
import type { ComposeRunner } from '../../compose/runner.js';
import type { Ctx } from './context.js';
import { projectContainers, type ServiceContainer } from './docker.js';
import { configHashes, dependencyClosure, dependsOn, outdatedServices } from './recreate-plan.js';
import { composeServices } from './steps/up.js';

export interface SyncIo {
  services(): Array<{ name: string; image?: string }>;
  deps(): Map<string, string[]>;
  containers(): Promise<ServiceContainer[]>;
  hashes(names: string[]): Promise<Map<string, string>>;
  imageId?: (image: string) => Promise<string | undefined>;
  run(args: string[]): Promise<unknown>;
}

/** Recreates the dependencies of `service` whose container is outdated; returns their names. */
export async function syncDependenciesWith(io: SyncIo, service: string): Promise<string[]> {
  const wanted = new Set(dependencyClosure(io.deps(), service));
  if (!wanted.size) return [];
  const containers = (await io.containers()).filter((c) => !c.oneoff && wanted.has(c.service));
  if (!containers.length) return []; // a first run: `compose run` creates them from the current file
  const services = io.services().filter((s) => containers.some((c) => c.service === s.name));
  const stale = await outdatedServices(services, containers, await io.hashes(services.map((s) => s.name)), io.imageId);
  if (stale.length) await io.run(['up', '-d', '--no-deps', ...stale]);
  return stale;
}

// The compose file does not change between the steps of one run: its hashes are asked once.
const hashCache = new WeakMap<ComposeRunner, Promise<Map<string, string>>>();

export async function syncDependencies(ctx: Ctx, service: string, out: (line: string) => void): Promise<string[]> {
  const runner = ctx.runner!;
  const dir = ctx.layout.dir;
  const stale = await syncDependenciesWith(
    {
      services: () => composeServices(dir),
      deps: () => dependsOn(dir),
      containers: () => projectContainers(ctx.project!),
      hashes: (names) => {
        let p = hashCache.get(runner);
        if (!p) hashCache.set(runner, (p = configHashes(runner, composeServices(dir).map((s) => s.name))));
        return p.then((all) => new Map(names.filter((n) => all.has(n)).map((n) => [n, all.get(n)!])));
      },
      run: (args) => runner.run(args, { onLine: out }),
    },
    service,
  );
  if (stale.length) out(`recreated ${stale.join(', ')} with the current configuration before \`run ${service}\``);
  return stale;
}

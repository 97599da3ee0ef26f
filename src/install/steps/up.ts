/**
 * Step: start the stack with `up -d` and wait for health through the vhost. Compose recreates what changed
 * in the compose file or images; services whose mounted config files changed are restarted (same container).
 * When nothing changed and everything runs, nothing is touched.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import yaml from 'js-yaml';
import { RELEASES } from '../../catalog.js';
import { inspectImage, projectContainers, containerLogs } from '../docker.js';
import { readPlanned } from '../planned-file.js';
import { configHashes, dependentsToRefresh, dependsOn, refreshDependents, servicesToRecreate } from '../recreate-plan.js';
import { healthTarget, waitHealthy } from '../health.js';
import { UserError, EXIT } from '../../errors.js';
import { done, skipped, type Ctx, type Step } from '../context.js';
import { profileOf } from '../../render/view.js';
import { postgresSource, refuseSecondPostgres } from '../../ownership/postgres-guard.js';

/**
 * The services of the install's compose file; with `profile`, only those Compose starts under it (no
 * `profiles:`, or one that lists it), as `COMPOSE_PROFILES` in .env selects them.
 */
export function composeServices(dir: string, profile?: string): Array<{ name: string; image?: string }> {
  const doc = yaml.load(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { image?: string; profiles?: string[] }> };
  return Object.entries(doc.services)
    .filter(([, s]) => profile === undefined || !s.profiles?.length || s.profiles.includes(profile))
    .map(([name, s]) => ({ name, image: s.image }));
}

/** The services that run in this install: the compose file's, under the answers' profile. */
export const activeServices = (ctx: Ctx) => composeServices(ctx.layout.dir, profileOf(ctx.answers!));

function hashFiles(ctx: Ctx, paths: string[]): string {
  const h = createHash('sha256');
  for (const p of paths) h.update(p).update('\0').update(readPlanned(ctx, p)).update('\0');
  return h.digest('hex').slice(0, 32);
}

/** Groups of mounted files (the release's mountGroups) and the services that read them. */
export function mountGroups(ctx: Ctx): Record<string, { files: string[]; services: string[] }> {
  const a = ctx.answers!;
  const d = (p: string) => join(ctx.layout.dir, p);
  const tls = a.tls.mode === 'off' ? [] : a.tls.mode === 'self-signed' ? [d('tls/cert.pem'), d('tls/key.pem')] : [resolve(ctx.layout.dir, a.tls.cert), resolve(ctx.layout.dir, a.tls.key)];
  const groups: Record<string, { files: string[]; services: string[] }> = {};
  for (const g of RELEASES[a.tag].mountGroups) groups[g.name] = { files: [...g.files.map(d), ...(g.tls ? tls : [])], services: g.services };
  return groups;
}

async function upHash(ctx: Ctx): Promise<string> {
  const h = createHash('sha256');
  h.update(readPlanned(ctx, join(ctx.layout.dir, 'docker-compose.yml'))).update(readPlanned(ctx, join(ctx.layout.dir, '.env')));
  const overrides = join(ctx.layout.dir, 'docker-compose.override.yml');
  if (existsSync(overrides)) h.update(readFileSync(overrides));
  for (const s of activeServices(ctx)) if (s.image) h.update(s.image).update((await inspectImage(s.image.replace(/\$\$/g, '$')))?.id ?? 'missing');
  for (const [name, g] of Object.entries(mountGroups(ctx))) h.update(name).update(hashFiles(ctx, g.files));
  return h.digest('hex').slice(0, 32);
}

async function notRunning(ctx: Ctx): Promise<string[]> {
  const running = new Set((await projectContainers(ctx.project!)).filter((c) => !c.oneoff && c.state === 'running').map((c) => c.service));
  return activeServices(ctx).map((s) => s.name).filter((n) => !running.has(n));
}

/** Waits until Sentry answers `path` through the nginx vhost; on a timeout the error shows what is not running. */
async function waitVhost(ctx: Ctx, path: string): Promise<string> {
  const target = healthTarget(ctx.answers!, ctx.layout.dir);
  const timeout = Number(process.env.SENTRY_ONPREM_HEALTH_TIMEOUT_MS ?? 180_000);
  const health = await waitHealthy(target, timeout, () => ctx.runner!.cancelled, path);
  ctx.log.write(`wait health ${health.ms} ms`);
  if (!health.ok) {
    const containers = await projectContainers(ctx.project!);
    const bad = containers.filter((c) => !c.oneoff && c.state !== 'running');
    const details: string[] = [];
    for (const c of bad.slice(0, 6)) details.push(`--- ${c.service} (${c.state}) ---\n${(await containerLogs(c.id, 15)).trimEnd()}`);
    const candidates = bad.length ? '' : `\n--- web ---\n${(await containerLogs(containers.find((c) => c.service === 'web')?.id ?? '', 15).catch(() => '')).trimEnd()}`;
    throw new UserError(
      `Sentry did not answer ${target.protocol}://${target.host}:${target.port}${path} within ${Math.round(timeout / 1000)} s (last: ${health.last})` +
        (bad.length ? `; not running: ${bad.map((c) => c.service).join(', ')}\n${details.join('\n')}` : candidates),
      EXIT.failure,
      'Fix what the logs above show, then run install again: it resumes from here.',
    );
  }
  return `healthy over ${target.protocol} after ${(health.ms / 1000).toFixed(1)} s`;
}

/**
 * Waits until every running service with a compose healthcheck reports healthy (`up --wait`, which recreates
 * nothing here: --no-recreate), as the official installer's last step does.
 */
export async function waitComposeHealthy(ctx: Ctx, out: (l: string) => void, services: string[] = []): Promise<string> {
  const start = Date.now();
  const timeout = Math.round(Number(process.env.SENTRY_ONPREM_HEALTH_TIMEOUT_MS ?? 600_000) / 1000);
  await ctx.runner!.run(['up', '-d', '--no-recreate', '--wait', '--wait-timeout', String(timeout), ...services], { onLine: out });
  ctx.log.write(`wait compose healthy ${services.join(' ') || 'all'} ${Date.now() - start} ms`);
  return `${services.length ? services.join(', ') : 'every service'} healthy after ${((Date.now() - start) / 1000).toFixed(1)} s`;
}

export const upStep: Step = {
  id: 'up',
  title: 'Start Sentry',
  async run(ctx, out) {
    if (ctx.dryRun && !existsSync(join(ctx.layout.dir, 'docker-compose.yml'))) {
      return skipped('dry run: would run `up -d` and wait for /_health/ through the vhost');
    }
    const hash = await upHash(ctx);
    const down = await notRunning(ctx);
    const groups = mountGroups(ctx);
    const mountHashes = Object.fromEntries(Object.entries(groups).map(([k, g]) => [k, hashFiles(ctx, g.files)]));
    const rebuilt = ctx.wouldBuild ?? [];
    if (hash === ctx.state.upHash && down.length === 0 && !rebuilt.length) return skipped('every service runs with the current configuration');
    if (ctx.dryRun) {
      const why = [down.length && `not running: ${down.join(', ')}`, rebuilt.length && `recreates the services of ${rebuilt.join(', ')}`].filter(Boolean);
      return skipped(`dry run: would run \`up -d\`${why.length ? ` (${why.join('; ')})` : ''}`);
    }
    const existing = (await projectContainers(ctx.project!)).filter((c) => !c.oneoff);
    const before = new Map(existing.map((c) => [c.service, c.id]));
    const services = activeServices(ctx);
    const changed = await servicesToRecreate(services, existing, await configHashes(ctx.runner!, services.map((s) => s.name)));
    await refuseSecondPostgres({ source: postgresSource(ctx.answers!, ctx.layout.dir), ownProject: ctx.project });
    // --no-deps with the list: Compose would otherwise also recreate the dependents of what it recreates.
    await ctx.runner!.run(['up', '-d', '--remove-orphans', ...(changed.length ? ['--no-deps', ...changed] : [])], { onLine: out });
    const previous = ctx.state.mountHashes ?? {};
    const after = new Map((await projectContainers(ctx.project!)).filter((c) => !c.oneoff).map((c) => [c.service, c.id]));
    const kept = new Set([...after.keys()].filter((s) => before.get(s) && before.get(s) === after.get(s)));
    const replaced = new Set([...after.keys()].filter((s) => before.get(s) && before.get(s) !== after.get(s)));
    const restart = new Set<string>();
    // Bind-mounted files changed, container kept: restart only the services that read them.
    for (const [name, g] of Object.entries(groups)) {
      if (previous[name] && previous[name] !== mountHashes[name]) {
        for (const s of g.services) if (kept.has(s)) restart.add(s);
      }
    }
    if (restart.size) await ctx.runner!.run(['restart', ...restart], { onLine: out });
    // Then what depends on a recreated or restarted service, so it reaches the new address.
    const dependents = dependentsToRefresh(dependsOn(ctx.layout.dir), new Set([...replaced, ...restart]), kept);
    const refreshed = await refreshDependents(ctx.runner!, dependents, out);
    // What the release waits for before it counts as started (its `waits`).
    const waited: string[] = [];
    for (const w of RELEASES[ctx.answers!.tag].waits) waited.push(w.kind === 'vhost' ? await waitVhost(ctx, w.path) : await waitComposeHealthy(ctx, out));
    ctx.state.upHash = await upHash(ctx);
    ctx.state.mountHashes = mountHashes;
    const changes = [restart.size && `restarted ${[...restart].join(', ')}`, ...refreshed].filter(Boolean);
    return done(`${waited.join('; ') || 'started'}${changes.length ? `; ${changes.join('; ')}` : ''}`);
  },
};

/**
 * The `check` preflight for the target release, before anything changes: a host too small for the
 * target stops the upgrade here. The ports are held by the running release's own nginx, which the
 * upgrade replaces, so that project counts as ours.
 */
import type { Answers } from '../answers/schema.js';
import type { SupportedTag } from '../catalog.js';
import { runPreflight } from '../install/preflight.js';
import { UserError, EXIT } from '../errors.js';
import { docker, inspectImage } from '../install/docker.js';
import { humanBytes } from '../backup/free-space.js';
import type { HopDisk } from './disk.js';

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

/** Pulled images of a release: present here, or the registry answers for them (the manifest is there). */
export interface ImagesReady {
  present: string[];
  /** Not on the engine, carried by the run's verified bundle (`--bundle`): loaded from it, never pulled. */
  bundled?: string[];
  pullable: string[];
  missing: Array<{ image: string; why: string }>;
}

const registryAnswers = new Map<string, Promise<string | undefined>>();

/** undefined: the registry has the image; else why not (one look-up per image and run, bounded in time). */
function askRegistry(image: string, timeoutMs: number): Promise<string | undefined> {
  let p = registryAnswers.get(image);
  if (!p) {
    p = (async () => {
      const d = await docker();
      const ask = d.getImage(image).distribution().then(
        () => undefined,
        (err: Error) => err.message.split('\n')[0].replace(/^\(HTTP code \d+\)\s*/, '').slice(0, 200),
      );
      const late = new Promise<string>((r) => setTimeout(() => r(`no answer within ${timeoutMs / 1000} s`), timeoutMs).unref());
      return Promise.race([ask, late]);
    })();
    registryAnswers.set(image, p);
  }
  return p;
}

export async function imagesReady(
  images: string[],
  inBundle: (image: string) => boolean = () => false,
  timeoutMs = Number(process.env.SENTRY_ONPREM_REGISTRY_TIMEOUT_MS ?? 10_000),
): Promise<ImagesReady> {
  const r: ImagesReady = { present: [], bundled: [], pullable: [], missing: [] };
  for (const image of [...new Set(images)]) {
    if (await inspectImage(image)) {
      r.present.push(image);
      continue;
    }
    // A bundle's images are loaded from it by the hop's images step: no registry is asked (offline hosts).
    if (inBundle(image)) {
      r.bundled!.push(image);
      continue;
    }
    const why = await askRegistry(image, timeoutMs);
    if (why === undefined) r.pullable.push(image);
    else r.missing.push({ image, why });
  }
  return r;
}

export function describeImages(r: ImagesReady): string {
  const parts = [`${r.present.length} present`];
  if (r.bundled?.length) parts.push(`${r.bundled.length} to load from the bundle`);
  if (r.pullable.length) parts.push(`${r.pullable.length} to pull (the registry has them: ${r.pullable.join(', ')})`);
  if (r.missing.length) parts.push(`${r.missing.length} NEITHER present NOR pullable: ${r.missing.map((m) => `${m.image} (${m.why})`).join(', ')}`);
  return parts.join('; ');
}

/**
 * Before a hop's first change: the disk its worst moment needs and its images. A shortfall refuses the hop
 * (exit 3) naming what is short and by how much; the release that runs keeps running.
 */
export function hopRefusal(o: { from: string; to: string; disk: HopDisk; images: ImagesReady }): UserError | undefined {
  const problems: string[] = [];
  const remedies: string[] = [];
  if (o.disk.short) {
    const s = o.disk.short;
    problems.push(`the ${s.label} disk ${s.path} has ${humanBytes(s.free)} free, the hop needs ${humanBytes(s.needed)} at its worst moment: short by ${humanBytes(s.by)}`);
    remedies.push(`Free ${humanBytes(s.by)} or more on ${s.path}.`);
  }
  if (o.images.missing.length) {
    problems.push(`${o.images.missing.length} image${o.images.missing.length > 1 ? 's are' : ' is'} neither here nor in the registry: ${o.images.missing.map((m) => `${m.image} (${m.why})`).join(', ')}`);
    remedies.push('Load them with `docker load`, or set images.registry to a mirror that has them.');
  }
  if (!problems.length) return undefined;
  return new UserError(
    `upgrade ${o.from} -> ${o.to} refused before it changes anything: ${problems.join('; ')}`,
    EXIT.prerequisite,
    `${remedies.join(' ')} Sentry ${o.from} keeps running; nothing was changed by this hop.`,
  );
}

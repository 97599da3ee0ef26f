/**
 * Every image an install of a release (or an upgrade to it) needs, from the release data: the images the
 * rendered compose file runs under the answers' profile, the bases of the locally built images, and the
 * helper images of the upgrade's one-off steps, hop by hop. Names go through the answers' `images.registry`.
 */
import { CLICKHOUSE_21_8_TO_23_3, CLICKHOUSE_23_8_TO_24_8 } from '../upgrade/one-offs/clickhouse-steps.js';
import yaml from 'js-yaml';
import { RELEASES, type SupportedTag } from '../catalog.js';
import { imageName } from '../releases/index.js';
import type { Answers } from '../answers/schema.js';
import { imagesFor, mirroredName } from '../render/images.js';
import { buildView, profileOf } from '../render/view.js';
import { renderFiles } from '../render/files.js';
import { planPath } from '../upgrade/plan-path.js';
import { PG_9_5_TO_9_6 } from '../upgrade/one-offs/postgres-major.js';
import { PG_9_6_TO_14 } from '../upgrade/one-offs/postgres-14.js';
import type { OneOffId } from '../releases/types.js';
import { UserError, EXIT } from '../errors.js';

/** Why an image is needed: a compose service runs it, a local build starts FROM it, or a one-off step runs it. */
export type ImageUse =
  | { kind: 'service'; tag: string; services: string[] }
  | { kind: 'build-base'; tag: string; builds: string }
  | { kind: 'helper'; tag: string; step: string };

export interface NeededImage {
  /** The name the install uses (after the registry mapping). */
  name: string;
  /** The registry it is pulled from (docker.io when the name carries none). */
  registry: string;
  uses: ImageUse[];
}

/** Helper images each one-off step runs beyond the target release's own images. */
export const ONE_OFF_IMAGES: Record<OneOffId, string[]> = {
  'file-storage-to-data-files': [],
  'postgres-9.5-to-9.6': [PG_9_5_TO_9_6.image],
  'postgres-9.6-to-14': [PG_9_6_TO_14.image],
  'zookeeper-log-volume': [],
  'tsdb-switchover': [],
  'clickhouse-21.8-to-23.3': CLICKHOUSE_21_8_TO_23_3.steps,
  'clickhouse-23.8-to-24.8': CLICKHOUSE_23_8_TO_24_8.steps,
  'kafka-zookeeper-to-kraft': [],
};

/** The registry host of an image name (docker.io when its first part is no host). */
export function registryOfName(name: string): string {
  const first = name.split('/')[0];
  return name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

/** Services of a rendered compose file that run under the profile, with the image each names. */
export function profileServices(composeText: string, profile: string): Array<{ service: string; image?: string; build: boolean }> {
  const doc = yaml.load(composeText) as { services: Record<string, { image?: string; build?: unknown; profiles?: string[] }> };
  return Object.entries(doc.services)
    .filter(([, s]) => !profile || !s.profiles?.length || s.profiles.includes(profile))
    .map(([service, s]) => ({ service, image: s.image, build: s.build !== undefined }));
}

/** The compose file of the release rendered in memory for these answers (placeholder secrets: only names matter). */
function renderedCompose(a: Answers): string {
  const generated = Object.fromEntries((RELEASES[a.tag].generatedSecrets ?? []).map((n) => [n, 'x']));
  const file = renderFiles(buildView(a, 'x'.repeat(50), '/nonexistent', generated)).find((f) => f.path === 'docker-compose.yml');
  if (!file) throw new Error(`Sentry ${a.tag} renders no docker-compose.yml`);
  return file.content;
}

/** The images an install of `a.tag` needs. */
export function installImages(a: Answers): NeededImage[] {
  const release = RELEASES[a.tag];
  const built = new Set(release.builtImages.map((b) => b.image));
  const out = new Map<string, NeededImage>();
  const add = (name: string, use: ImageUse) => {
    const known = out.get(name);
    if (known) known.uses.push(use);
    else out.set(name, { name, registry: registryOfName(name), uses: [use] });
  };
  const byImage = new Map<string, string[]>();
  for (const s of profileServices(renderedCompose(a), profileOf(a))) {
    if (!s.image || built.has(s.image)) continue;
    byImage.set(s.image, [...(byImage.get(s.image) ?? []), s.service]);
  }
  for (const [name, services] of byImage) add(name, { kind: 'service', tag: a.tag, services });
  const images = imagesFor(a.tag, a.images);
  for (const b of release.builtImages) {
    // The build step builds every one of them, whatever the profile; a base built here is no image to fetch.
    if ('built' in b.base) continue;
    add(imageName(images, b.base), { kind: 'build-base', tag: a.tag, builds: b.image });
  }
  return [...out.values()];
}

/** The releases an upgrade from `from` to `to` installs, hop by hop (only `to` when they are the same). */
export function hopTargets(from: string, to: string): SupportedTag[] {
  const plan = planPath(from, to);
  if (plan.kind === 'refused') throw new UserError(`--from ${from}: ${plan.message}`, EXIT.usage, plan.hint);
  return plan.kind === 'same' ? [to as SupportedTag] : plan.hops.map((h) => h.to as SupportedTag);
}

/**
 * The images an upgrade from `from` to `a.tag` needs: every hop's target images and its one-off helpers.
 * A path this tool refuses is refused here too (exit 2).
 */
export function upgradeImages(from: string, a: Answers): NeededImage[] {
  const plan = planPath(from, a.tag);
  if (plan.kind === 'refused') throw new UserError(`--from ${from}: ${plan.message}`, EXIT.usage, plan.hint);
  if (plan.kind === 'same') return installImages(a);
  const out = new Map<string, NeededImage>();
  for (const hop of plan.hops) {
    const hopAnswers = { ...a, tag: hop.to as SupportedTag, profile: RELEASES[hop.to as SupportedTag].profiles ? a.profile : undefined };
    const list = [...installImages(hopAnswers)];
    for (const id of hop.oneOffs) {
      for (const helper of ONE_OFF_IMAGES[id]) {
        const name = mirroredName(helper, a.images);
        list.push({ name, registry: registryOfName(name), uses: [{ kind: 'helper', tag: hop.to, step: id }] });
      }
    }
    for (const n of list) {
      const known = out.get(n.name);
      if (known) known.uses.push(...n.uses);
      else out.set(n.name, { ...n, uses: [...n.uses] });
    }
  }
  return [...out.values()];
}

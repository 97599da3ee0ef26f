/**
 * Image names of a release (from its data in src/releases/), rewritten through the answers' `images.registry`:
 * one mirror prefix for every image, or a prefix per registry the release pulls from.
 */
import { RELEASES, imageName, officialName, registryOf, type PulledImage, type SupportedTag } from '../releases/index.js';
import type { Answers } from '../answers/schema.js';

/** Pulled images by key (`images.snuba` in the templates). */
export type ImageSet = Record<string, string>;
export type RegistryAnswer = Answers['images']['registry'];
/** The answers' `images` (registry mapping and digest pins), or only a registry (helpers, old callers). */
export type ImagesAnswer = Pick<Answers['images'], 'registry'> & Partial<Pick<Answers['images'], 'digests'>>;
export type ImagesArg = RegistryAnswer | ImagesAnswer;
/** A registry mapping's keys are hosts (with a dot, a port or `localhost`), so a `registry` key means the whole answer. */
const asImages = (x: ImagesArg): ImagesAnswer => (typeof x === 'object' && 'registry' in x ? (x as ImagesAnswer) : { registry: x as RegistryAnswer });
const unpinned = (name: string) => name.replace(/@sha256:[0-9a-f]{64}$/, '');

/** `postgres:9.6` -> `<prefix>/library/postgres:9.6`; `getsentry/snuba:20.7.0` -> `<prefix>/getsentry/snuba:20.7.0`. */
export function throughRegistry(image: string, prefix: string): string {
  if (!prefix) return image;
  const name = image.includes('/') ? image : `library/${image}`;
  return `${prefix}/${name}`;
}

/**
 * One image through the answer. A prefix keeps the registry host in the path (`<prefix>/ghcr.io/getsentry/snuba:…`),
 * as a pull-through mirror of several registries names them. A mapping replaces the registry host by its prefix
 * (`ghcr.io/getsentry/snuba:…` -> `<ghcr prefix>/getsentry/snuba:…`); an empty prefix pulls from the registry itself.
 */
export function mirrored(i: PulledImage, answer: ImagesArg): string {
  const { registry, digests } = asImages(answer);
  const name = digests === 'drop' ? { ...i, image: unpinned(i.image) } : i;
  if (typeof registry === 'string') return throughRegistry(officialName(name), registry);
  const prefix = registry[registryOf(name)];
  if (prefix === undefined) throw new Error(`images.registry maps no prefix for ${registryOf(name)}`);
  return prefix ? throughRegistry(name.image, prefix) : officialName(name);
}

/** A helper image the installer runs (not in the release's list), named with its registry host when not Docker Hub. */
export function mirroredName(name: string, registry: ImagesArg): string {
  const first = name.split('/')[0];
  const hosted = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return mirrored(hosted ? { key: name, image: name.slice(first.length + 1), registry: first, services: [] } : { key: name, image: name, services: [] }, registry);
}

export function imagesFor(tag: SupportedTag, registry: ImagesArg): ImageSet {
  const out: ImageSet = {};
  for (const i of RELEASES[tag].images) out[i.key] = mirrored(i, registry);
  return out;
}

/** Every image the install pulls (not built locally), in the compose file's form. */
export function pulledImages(tag: SupportedTag, registry: ImagesArg): string[] {
  return [...new Set(Object.values(imagesFor(tag, registry)))];
}

/** `.env` lines the official release carries for its images (SENTRY_IMAGE=..., or 20.7.0's SENTRY_VERSION=...). */
export function imageEnv(tag: SupportedTag, registry: ImagesArg): Array<{ name: string; value: string }> {
  const images = imagesFor(tag, registry);
  const out: Array<{ name: string; value: string }> = [];
  for (const i of RELEASES[tag].images) {
    if (!i.env || out.some((e) => e.name === i.env!.name)) continue;
    out.push({ name: i.env.name, value: i.env.holds === 'image' ? images[i.key] : i.image.slice(i.image.lastIndexOf(':') + 1) });
  }
  return out;
}

/** The image the release's Sentry services run (web, the migrations): its local build or a pulled image. */
export function sentryImageFor(tag: SupportedTag, registry: ImagesArg): string {
  return imageName(imagesFor(tag, registry), RELEASES[tag].sentryImage);
}

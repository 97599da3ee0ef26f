/** Image names of a release (from its data in src/releases/), rewritten through a registry mirror prefix when the answers ask for one. */
import { RELEASES, imageName, officialName, type SupportedTag } from '../releases/index.js';

/** Pulled images by key (`images.snuba` in the templates). */
export type ImageSet = Record<string, string>;

/** `postgres:9.6` -> `<prefix>/library/postgres:9.6`; `getsentry/snuba:20.7.0` -> `<prefix>/getsentry/snuba:20.7.0`. */
export function throughRegistry(image: string, prefix: string): string {
  if (!prefix) return image;
  const name = image.includes('/') ? image : `library/${image}`;
  return `${prefix}/${name}`;
}

export function imagesFor(tag: SupportedTag, registry: string): ImageSet {
  const out: ImageSet = {};
  for (const i of RELEASES[tag].images) out[i.key] = throughRegistry(officialName(i), registry);
  return out;
}

/** Every image the install pulls (not built locally), in the compose file's form. */
export function pulledImages(tag: SupportedTag, registry: string): string[] {
  return [...new Set(Object.values(imagesFor(tag, registry)))];
}

/** `.env` lines the official release carries for its images (SENTRY_IMAGE=..., or 20.7.0's SENTRY_VERSION=...). */
export function imageEnv(tag: SupportedTag, registry: string): Array<{ name: string; value: string }> {
  const images = imagesFor(tag, registry);
  const out: Array<{ name: string; value: string }> = [];
  for (const i of RELEASES[tag].images) {
    if (!i.env || out.some((e) => e.name === i.env!.name)) continue;
    out.push({ name: i.env.name, value: i.env.holds === 'image' ? images[i.key] : i.image.slice(i.image.lastIndexOf(':') + 1) });
  }
  return out;
}

/** The image the release's Sentry services run (web, the migrations): its local build or a pulled image. */
export function sentryImageFor(tag: SupportedTag, registry: string): string {
  return imageName(imagesFor(tag, registry), RELEASES[tag].sentryImage);
}

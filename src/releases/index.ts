/**
 * The releases this tool installs, oldest first. Adding a release: its module in this folder, its
 * templates in templates/<tag>/, and one line in LIST. No step names a tag.
 */
import { release as r9_1_2 } from './9.1.2.js';
import { release as r20_7_0 } from './20.7.0.js';
import { release as r21_5_0 } from './21.5.0.js';
import { release as r21_6_3 } from './21.6.3.js';
import { release as r23_6_2 } from './23.6.2.js';
import { release as r23_11_0 } from './23.11.0.js';
import { release as r24_8_0 } from './24.8.0.js';
import { release as r25_5_1 } from './25.5.1.js';
import { release as r26_5_1 } from './26.5.1.js';
import { release as r26_8_0 } from './26.8.0.js';
import type { Release, PulledImage, ImageRef, BootstrapAction } from './types.js';

const LIST = [r9_1_2, r20_7_0, r21_5_0, r21_6_3, r23_6_2, r23_11_0, r24_8_0, r25_5_1, r26_5_1, r26_8_0] as const;

export type SupportedTag = (typeof LIST)[number]['tag'];
export type ReleaseInfo = Release<SupportedTag>;

/** Releases whose files this tool renders and installs, oldest first. */
export const SUPPORTED_TAGS = LIST.map((r) => r.tag) as unknown as readonly [SupportedTag, ...SupportedTag[]];
export const NEWEST_TAG: SupportedTag = LIST[LIST.length - 1].tag;
/**
 * The release of an answers file that names none: the newest release at the time `tag` became optional, so
 * such a file keeps installing what it installed (a newer release asks more of the host; name it to get it).
 */
export const DEFAULT_TAG: SupportedTag = '20.7.0';

export const RELEASES = Object.fromEntries(LIST.map((r) => [r.tag, r])) as Record<SupportedTag, ReleaseInfo>;

export function isSupportedTag(tag: string): tag is SupportedTag {
  return (SUPPORTED_TAGS as readonly string[]).includes(tag);
}

/** The registry an image comes from (`docker.io` when the image names none). */
export function registryOf(i: PulledImage): string {
  return i.registry ?? 'docker.io';
}

/** Every registry the release pulls from, in pull order. */
export function registriesOf(r: Release): string[] {
  return [...new Set(r.images.map(registryOf))];
}

/** The image a service runs or builds from, as the compose file names it (before a registry mirror). */
export function officialName(i: PulledImage): string {
  return i.registry ? `${i.registry}/${i.image}` : i.image;
}

/** Pulled images by key, or a built image's own name. */
export function imageName(images: Record<string, string>, ref: ImageRef): string {
  if ('built' in ref) return ref.built;
  const name = images[ref.pulled];
  if (!name) throw new Error(`no pulled image "${ref.pulled}" in this release`);
  return name;
}

/** What the bootstrap of a release does, in words (the upgrade's dry-run plan). */
export function describeBootstrap(actions: BootstrapAction[]): string {
  const words = actions.map((a) => {
    switch (a.kind) {
      case 'snuba-bootstrap':
        return a.commands.map((c) => `snuba ${c.join(' ')}`).join(', ');
      case 'relay-credentials':
        return 'Relay credentials when missing';
      case 'file-check':
        return `${a.file} must name ${a.require}`;
      case 'geoip-database':
        return `an empty ${a.path} when missing`;
      case 'sentry-script':
        return `sentry exec: ${a.id}`;
      case 's3-buckets':
        return `${a.service} buckets ${a.buckets.map((b) => b.name).join(', ')} when missing`;
      case 'compose-wait':
        return `wait for ${a.services.join(', ')} healthy`;
      case 'kafka-topics':
        return `Kafka topics ${a.topics.join(', ')} when missing`;
    }
  });
  return words.length ? `bootstrap: ${words.join(', ')}` : 'no bootstrap';
}

export type { Release, Profile, PulledImage, BuiltImage, ImageRef, FileSpec, MountGroup, BootstrapAction, Wait, Arrival, OneOffUse, OneOffId, MigrationMarks } from './types.js';

/** The data volumes of the release's own PostgreSQL and Redis services (answers postgres.external / redis.external replace them). */
export const SERVER_VOLUMES = { postgres: 'sentry-postgres', redis: 'sentry-redis' } as const;

/** The release's external volumes this install uses: those of a server the answers put elsewhere are left out. */
export function installVolumes(r: ReleaseInfo, a: { postgres?: { external?: unknown }; redis?: { external?: unknown } }): string[] {
  const skip = new Set<string>();
  if (a.postgres?.external) skip.add(SERVER_VOLUMES.postgres);
  if (a.redis?.external) skip.add(SERVER_VOLUMES.redis);
  return r.externalVolumes.filter((v) => !skip.has(v));
}

/** The release services of a server the answers put elsewhere: they are not rendered, so nothing waits for them. */
export function omittedServices(a: { postgres?: { external?: unknown }; redis?: { external?: unknown } }): Set<string> {
  return new Set([...(a.postgres?.external ? ['postgres', 'pgbouncer'] : []), ...(a.redis?.external ? ['redis'] : [])]);
}

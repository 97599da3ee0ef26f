/** Image names of a release, rewritten through a registry mirror prefix when the answers ask for one. */
import type { SupportedTag } from '../catalog.js';
import { SYMBOLICATOR_VERSION_20_7_0 } from '../catalog.js';

export interface ImageSet {
  smtp: string;
  memcached: string;
  redis: string;
  postgres: string;
  nginx: string;
  sentryBase: string;
  zookeeper?: string;
  kafka?: string;
  clickhouse?: string;
  snuba?: string;
  relay?: string;
  symbolicator?: string;
}

const IMAGES: Record<SupportedTag, ImageSet> = {
  '9.1.2': {
    smtp: 'tianon/exim4',
    memcached: 'memcached:1.5-alpine',
    redis: 'redis:3.2-alpine',
    postgres: 'postgres:9.5',
    nginx: 'nginx:1.16',
    sentryBase: 'sentry:9.1.2',
  },
  '20.7.0': {
    smtp: 'tianon/exim4',
    memcached: 'memcached:1.5-alpine',
    redis: 'redis:5.0-alpine',
    postgres: 'postgres:9.6',
    nginx: 'nginx:1.16',
    sentryBase: 'getsentry/sentry:20.7.0',
    zookeeper: 'confluentinc/cp-zookeeper:5.5.0',
    kafka: 'confluentinc/cp-kafka:5.5.0',
    clickhouse: 'yandex/clickhouse-server:19.17',
    snuba: 'getsentry/snuba:20.7.0',
    relay: 'getsentry/relay:20.7.0',
    symbolicator: `getsentry/symbolicator:${SYMBOLICATOR_VERSION_20_7_0}`,
  },
};

/** `postgres:9.6` -> `<prefix>/library/postgres:9.6`; `getsentry/snuba:20.7.0` -> `<prefix>/getsentry/snuba:20.7.0`. */
export function throughRegistry(image: string, prefix: string): string {
  if (!prefix) return image;
  const name = image.includes('/') ? image : `library/${image}`;
  return `${prefix}/${name}`;
}

export function imagesFor(tag: SupportedTag, registry: string): ImageSet {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(IMAGES[tag])) out[k] = throughRegistry(v, registry);
  return out as unknown as ImageSet;
}

/** Every image the install pulls (not built locally), in the compose file's form. */
export function pulledImages(tag: SupportedTag, registry: string): string[] {
  return [...new Set(Object.values(imagesFor(tag, registry)))];
}

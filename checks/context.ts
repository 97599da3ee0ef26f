/** Builds the context the checks read from: the real engine, Compose, and host, each asked once. */
import { minimumsFor, RELEASES, type SupportedTag } from '../src/catalog.js';
import type { DockerEndpoint } from '../src/engine/endpoint.js';
import { DEFAULT_DISK_FLOOR_BYTES } from './disk.js';
import { realHostProbes } from './host/index.js';
import { startProbes, type SharedProbes } from './probes.js';
import type { CheckContext, HostProbes, OwnershipOptions } from './types.js';
import type { ExternalDbOptions } from './external-db.js';

export interface ContextOptions {
  tag: SupportedTag;
  /** The answers' Compose profile: errors-only has smaller RAM and CPU minimums. */
  profile?: string;
  installDir: string;
  ports: { http: number; https?: number };
  ownProject?: string;
  env?: NodeJS.ProcessEnv;
  diskFloorBytes?: number;
  host?: HostProbes;
  ownership?: OwnershipOptions;
  externalDb?: ExternalDbOptions;
  /** probes already under way (see probes.ts); started here when absent */
  probes?: SharedProbes;
}

/** Disk and CPU flags of an engine reached over the network are not this host's. */
export function isLocalEndpoint(endpoint: DockerEndpoint | null): boolean {
  if (!endpoint) return true;
  try {
    const url = new URL(endpoint.host);
    if (url.protocol === 'unix:' || url.protocol === 'npipe:') return true;
    return ['localhost', '127.0.0.1', '[::1]', '::1'].includes(url.hostname);
  } catch {
    return true;
  }
}

export function createCheckContext(o: ContextOptions): CheckContext {
  const probes = o.probes ?? startProbes({ tag: o.tag, env: o.env });
  return {
    tag: o.tag,
    minimums: minimumsFor(o.tag, o.profile),
    release: RELEASES[o.tag],
    endpoint: probes.endpoint,
    engineIsLocal: isLocalEndpoint(probes.endpoint),
    engine: probes.engine,
    publishedPorts: probes.publishedPorts,
    compose: probes.compose,
    host: o.host ?? realHostProbes,
    installDir: o.installDir,
    ports: o.ports,
    ownProject: o.ownProject,
    diskFloorBytes: o.diskFloorBytes ?? DEFAULT_DISK_FLOOR_BYTES,
    ownership: o.ownership,
    externalDb: o.externalDb,
  };
}

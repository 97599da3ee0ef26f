/**
 * Everything that differs between Sentry releases, as data: minimums, images, services, hard stops.
 * Values follow the official onpremise / self-hosted release of each tag.
 */

export interface Minimums {
  docker: string;
  compose: string;
  ramMb: number;
  ramSoftMb?: number;
  cpus?: number;
  sse42: boolean;
  /** KVM virtual CPUs that hide the flag get a warning, not a failure (20.7.0+). */
  kvmEscape: boolean;
  composeV1: boolean;
  /** why `compose` is higher than the official installer's minimum, for the check's message */
  composeWhy?: string;
}

/** Minimums of the official installer, by tag range (inclusive lower bound, newest first). */
const MINIMUMS: Array<{ from: string; min: Minimums }> = [
  { from: '25.2.0', min: { docker: '19.03.6', compose: '2.32.2', ramMb: 14000, cpus: 4, sse42: true, kvmEscape: true, composeV1: false } },
  { from: '24.9.0', min: { docker: '19.03.6', compose: '2.19.0', ramMb: 14000, cpus: 4, sse42: true, kvmEscape: true, composeV1: false } },
  { from: '24.6.0', min: { docker: '19.03.6', compose: '2.19.0', ramMb: 3800, ramSoftMb: 7800, cpus: 2, sse42: true, kvmEscape: true, composeV1: false } },
  { from: '23.6.0', min: { docker: '19.03.6', compose: '2.0.1', ramMb: 3800, ramSoftMb: 7800, cpus: 2, sse42: true, kvmEscape: true, composeV1: false } },
  { from: '21.8.0', min: { docker: '19.03.6', compose: '1.28.0', ramMb: 3800, ramSoftMb: 7800, cpus: 2, sse42: true, kvmEscape: true, composeV1: true } },
  { from: '21.2.0', min: { docker: '19.03.6', compose: '1.24.1', ramMb: 3800, ramSoftMb: 7800, cpus: 2, sse42: true, kvmEscape: true, composeV1: true } },
  { from: '21.1.0', min: { docker: '19.03.6', compose: '1.24.1', ramMb: 4000, ramSoftMb: 8000, sse42: true, kvmEscape: true, composeV1: true } },
  { from: '20.10.0', min: { docker: '19.03.6', compose: '1.24.1', ramMb: 2400, sse42: true, kvmEscape: true, composeV1: true } },
  { from: '20.9.0', min: { docker: '19.03.8', compose: '1.24.1', ramMb: 2400, sse42: true, kvmEscape: true, composeV1: true } },
  { from: '20.7.0', min: { docker: '17.05.0', compose: '1.23.0', ramMb: 2400, sse42: true, kvmEscape: true, composeV1: true } },
  { from: '10.0.0', min: { docker: '17.05.0', compose: '1.23.0', ramMb: 2400, sse42: true, kvmEscape: false, composeV1: true } },
  // The official 9.1.2 asked for Compose 1.17.0; this tool's `up` needs `config --hash` (1.23.0).
  { from: '9.1.2', min: { docker: '17.05.0', compose: '1.23.0', ramMb: 3072, sse42: false, kvmEscape: false, composeV1: true, composeWhy: 'sentry-onprem runs `config --hash`, which Compose v1 has since 1.23.0 (the official 9.1.2 installer asked for 1.17.0)' } },
];

/** Releases whose files this tool renders and installs. */
export const SUPPORTED_TAGS = ['9.1.2', '20.7.0'] as const;
export type SupportedTag = (typeof SUPPORTED_TAGS)[number];
export const NEWEST_TAG: SupportedTag = '20.7.0';

/** Official hard stops: an upgrade may not skip any of these. */
export const HARD_STOPS = ['9.1.2', '21.5.0', '21.6.3', '23.6.2', '23.11.0', '24.8.0', '25.5.1', '26.5.1'];

export function isSupportedTag(tag: string): tag is SupportedTag {
  return (SUPPORTED_TAGS as readonly string[]).includes(tag);
}

export function compareTags(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function minimumsFor(tag: string): Minimums {
  const row = MINIMUMS.find((r) => compareTags(tag, r.from) >= 0);
  if (!row) throw new Error(`no minimums known for tag ${tag}`);
  return row.min;
}

export interface ReleaseInfo {
  tag: SupportedTag;
  /** Compose project name the official release uses. */
  projectName: string;
  /** uid of the `sentry` user inside the Sentry image: mounted files holding secrets are owned by it, mode 0600. */
  sentryUid: number;
  /** uid Relay runs as in its image (20.7.0+): its credentials file is 0600, owned by it. */
  relayUid?: number;
  /** Images built locally, with the services that use them. */
  builtImages: string[];
  /** Services whose image is the local Sentry image (recreated when it changes). */
  sentryServices: string[];
  /** External volumes the installer creates. */
  externalVolumes: string[];
  /** Whether the release runs ClickHouse (SSE 4.2 matters). */
  clickhouse: boolean;
  /** The compose file's `ulimits` (the engine must be able to set them; the `ulimits` check). */
  ulimits?: Record<string, Record<string, { soft: number; hard: number }>>;
}

export const RELEASES: Record<SupportedTag, ReleaseInfo> = {
  '9.1.2': {
    tag: '9.1.2',
    projectName: 'onpremise',
    sentryUid: 999,
    builtImages: ['sentry-onpremise-local'],
    sentryServices: ['web', 'cron', 'worker'],
    externalVolumes: ['sentry-data', 'sentry-postgres'],
    clickhouse: false,
  },
  '20.7.0': {
    tag: '20.7.0',
    projectName: 'sentry_onpremise',
    sentryUid: 999,
    relayUid: 10001,
    builtImages: ['sentry-onpremise-local', 'sentry-cleanup-onpremise-local', 'snuba-cleanup-onpremise-local', 'symbolicator-cleanup-onpremise-local'],
    sentryServices: ['web', 'cron', 'worker', 'ingest-consumer', 'post-process-forwarder', 'sentry-cleanup'],
    externalVolumes: ['sentry-data', 'sentry-postgres', 'sentry-redis', 'sentry-zookeeper', 'sentry-kafka', 'sentry-clickhouse', 'sentry-symbolicator'],
    clickhouse: true,
    ulimits: { clickhouse: { nofile: { soft: 262144, hard: 262144 } } },
  },
};

export const SYMBOLICATOR_VERSION_20_7_0 = 'eac35a6058c7749bdf20ed219a377e49e02d0b76';

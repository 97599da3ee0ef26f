/**
 * Facts of the official installer across its whole history: minimums by tag range and the hard stops.
 * Values follow the official onpremise / self-hosted release of each tag. What a supported release is
 * (images, files, bootstrap, ...) lives in src/releases/, re-exported here.
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
  /** Why the Compose minimum is higher than the official one, when it is. */
  composeWhy?: string;
  /** The smaller stack of COMPOSE_PROFILES=errors-only (25.x and later): its own RAM and CPU minimums. */
  errorsOnly?: { ramMb: number; cpus: number };
}

/** Minimums of the official installer, by tag range (inclusive lower bound, newest first). */
const MINIMUMS: Array<{ from: string; min: Minimums }> = [
  { from: '25.2.0', min: { docker: '19.03.6', compose: '2.32.2', ramMb: 14000, cpus: 4, sse42: true, kvmEscape: true, composeV1: false, errorsOnly: { ramMb: 7000, cpus: 2 } } },
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

export { SUPPORTED_TAGS, NEWEST_TAG, DEFAULT_TAG, RELEASES, isSupportedTag, type SupportedTag, type ReleaseInfo } from './releases/index.js';

/** Official hard stops: an upgrade may not skip any of these. */
export const HARD_STOPS = ['9.1.2', '21.5.0', '21.6.3', '23.6.2', '23.11.0', '24.8.0', '25.5.1', '26.5.1'];

export function compareTags(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The minimums of a release; with profile errors-only, its smaller RAM and CPU minimums where it has them. */
export function minimumsFor(tag: string, profile?: string): Minimums {
  const row = MINIMUMS.find((r) => compareTags(tag, r.from) >= 0);
  if (!row) throw new Error(`no minimums known for tag ${tag}`);
  if (profile === 'errors-only' && row.min.errorsOnly) return { ...row.min, ...row.min.errorsOnly };
  return row.min;
}

/**
 * What it takes to arrive at a release from an older one, as data. Every hop runs the same pipeline
 * (backup, pull, build, render, stop the old stack, bootstrap, migrations, up); a release lists here only
 * the oldest release it can be reached from and the one-off data steps the official installer runs for it.
 * Adding a release = its files and images (render/), its RELEASES entry, and one entry here.
 */
import type { SupportedTag } from '../catalog.js';
import { compareTags } from '../catalog.js';

/** One-off data steps, implemented in src/upgrade/one-offs/. */
export type OneOffId = 'file-storage-to-data-files' | 'postgres-9.5-to-9.6';

export interface OneOffUse {
  id: OneOffId;
  /** Only when the hop starts before this release (the layout it fixes changed there). */
  onlyFromBefore?: string;
}

export interface Arrival {
  /** Oldest release this one is reached from in one hop (official: "you need to be on at least 9.1.2"). */
  from: string;
  oneOffs: OneOffUse[];
}

export const ARRIVALS: Partial<Record<SupportedTag, Arrival>> = {
  '20.7.0': {
    from: '9.1.2',
    oneOffs: [
      // 9.1.2 mounted sentry-data at /var/lib/sentry/files; 10.0.0 and later at /data, files in /data/files.
      { id: 'file-storage-to-data-files', onlyFromBefore: '10.0.0' },
      // postgres:9.5 -> postgres:9.6: the data directory is upgraded when PG_VERSION says 9.5.
      { id: 'postgres-9.5-to-9.6' },
    ],
  },
};

export function oneOffsFor(from: string, to: string, arrivals: Partial<Record<string, Arrival>> = ARRIVALS): OneOffId[] {
  const arrival = arrivals[to];
  if (!arrival) return [];
  return arrival.oneOffs.filter((o) => !o.onlyFromBefore || compareTags(from, o.onlyFromBefore) < 0).map((o) => o.id);
}

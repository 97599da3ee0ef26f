/**
 * What it takes to arrive at a release from an older one, as data. Every hop runs the same pipeline
 * (backup, pull, build, render, stop the old stack, bootstrap, migrations, up); a release's `arrival`
 * (src/releases/) names only the oldest release it is reached from and the one-off data steps the official
 * installer runs for it.
 */
import { compareTags, RELEASES, type SupportedTag } from '../catalog.js';
import type { Arrival, OneOffId } from '../releases/index.js';

export type { OneOffId, OneOffUse, Arrival } from '../releases/index.js';

/** Each supported release's `arrival`, by tag. */
export const ARRIVALS: Partial<Record<SupportedTag, Arrival>> = Object.fromEntries(
  Object.values(RELEASES).flatMap((r) => (r.arrival ? [[r.tag, r.arrival]] : [])),
);

export function oneOffsFor(from: string, to: string, arrivals: Partial<Record<string, Arrival>> = ARRIVALS): OneOffId[] {
  const arrival = arrivals[to];
  if (!arrival) return [];
  return arrival.oneOffs.filter((o) => !o.onlyFromBefore || compareTags(from, o.onlyFromBefore) < 0).map((o) => o.id);
}

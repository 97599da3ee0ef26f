/**
 * The upgrade path from the installed release to a target: every official hard stop in between is a hop
 * of its own. A target this tool cannot reach is refused here, before anything on the host changes.
 */
import { compareTags, HARD_STOPS, SUPPORTED_TAGS } from '../catalog.js';
import { ARRIVALS, oneOffsFor, type Arrival, type OneOffId } from './hops.js';
import { isOfficialTag } from './known-tags.js';

export interface Hop {
  from: string;
  to: string;
  oneOffs: OneOffId[];
}

export type Refusal = 'unknown-tag' | 'downgrade' | 'unsupported';

export type PathPlan =
  | { kind: 'same'; path: string[] }
  | { kind: 'ok'; path: string[]; hops: Hop[] }
  | { kind: 'refused'; reason: Refusal; path: string[]; missing: string[]; message: string; hint: string; hops?: Hop[] };

export interface PathRules {
  hardStops: readonly string[];
  supported: readonly string[];
  arrivals: Partial<Record<string, Arrival>>;
  isKnown: (tag: string) => boolean;
}

export const OFFICIAL_RULES: PathRules = { hardStops: HARD_STOPS, supported: SUPPORTED_TAGS, arrivals: ARRIVALS, isKnown: isOfficialTag };

/** Installed release, then every hard stop strictly between, then the target. */
export function hopTags(from: string, to: string, hardStops: readonly string[]): string[] {
  const stops = hardStops.filter((h) => compareTags(h, from) > 0 && compareTags(h, to) < 0);
  return [from, ...[...stops].sort(compareTags), to];
}

function canHop(from: string, to: string, r: PathRules): boolean {
  return hopBlockers(from, to, r).length === 0;
}

/** Why this version cannot run a hop, in words; empty when it can. */
export function hopBlockers(from: string, to: string, r: PathRules = OFFICIAL_RULES): string[] {
  if (!r.supported.includes(to)) return [`this tool does not install Sentry ${to}`];
  if (!r.supported.includes(from)) return [`this tool does not install Sentry ${from}`];
  const arrival = r.arrivals[to];
  if (!arrival) return [`no upgrade into Sentry ${to} is described yet (its release data has no arrival)`];
  if (compareTags(from, arrival.from) < 0) return [`Sentry ${to} is reached from ${arrival.from} or later only`];
  return [...(arrival.unimplemented ?? [])];
}

export function planPath(from: string, to: string, r: PathRules = OFFICIAL_RULES): PathPlan {
  const supported = r.supported.join(', ');
  if (!r.isKnown(to)) {
    return {
      kind: 'refused',
      reason: 'unknown-tag',
      path: [from],
      missing: [to],
      message: `${JSON.stringify(to)} is not a release of the official self-hosted Sentry installer`,
      hint: `Give a release tag such as ${r.supported[r.supported.length - 1]} (this tool installs ${supported}). Nothing was changed.`,
    };
  }
  const order = compareTags(to, from);
  if (order === 0) return { kind: 'same', path: [from] };
  if (order < 0) {
    return {
      kind: 'refused',
      reason: 'downgrade',
      path: [from, to],
      missing: [],
      message: `${from} -> ${to} is a downgrade: Sentry's migrations only go forward`,
      hint: `To go back, restore a backup taken while ${to} was installed (sentry-onprem restore BACKUP_DIR). Nothing was changed.`,
    };
  }
  const path = hopTags(from, to, r.hardStops);
  const hops: Hop[] = [];
  for (let i = 1; i < path.length; i++) hops.push({ from: path[i - 1], to: path[i], oneOffs: oneOffsFor(path[i - 1], path[i], r.arrivals) });
  const blocked = hops.filter((h) => !canHop(h.from, h.to, r));
  if (blocked.length === 0) return { kind: 'ok', path, hops };
  const missing = path.slice(1).filter((t) => !r.supported.includes(t));
  const stops = path.slice(1, -1);
  // Hops between supported releases refused for the official one-off work they still lack, in words.
  const undone = blocked.flatMap((h) => (missing.length ? r.arrivals[h.to]?.unimplemented ?? [] : hopBlockers(h.from, h.to, r)).map((w) => `${h.from} -> ${h.to}: ${w}`));
  return {
    kind: 'refused',
    reason: 'unsupported',
    path,
    hops,
    missing,
    message:
      `the upgrade ${formatPath(path, r)} needs ${missing.length ? missing.join(', ') : blocked.map((h) => `${h.from} -> ${h.to}`).join(', ')}, ` +
      `which this version of sentry-onprem cannot ${missing.length ? 'install' : 'run'} yet` +
      (stops.length ? ` (${stops.join(', ')} ${stops.length > 1 ? 'are hard stops' : 'is a hard stop'}: no upgrade may skip ${stops.length > 1 ? 'them' : 'it'})` : '') +
      (undone.length ? `; not implemented yet: ${undone.join('; ')}` : ''),
    hint: `This version upgrades between ${supported} only. Nothing was changed.`,
  };
}

/** "9.1.2 -> 21.5.0 (hard stop) -> 23.6.2"; releases this tool cannot install are marked. */
export function formatPath(path: string[], r: PathRules = OFFICIAL_RULES): string {
  return path
    .map((t, i) => {
      const notes: string[] = [];
      if (i > 0 && i < path.length - 1 && r.hardStops.includes(t)) notes.push('hard stop');
      if (i > 0 && !r.supported.includes(t)) notes.push('not supported yet');
      return notes.length ? `${t} (${notes.join(', ')})` : t;
    })
    .join(' -> ');
}

/**
 * disk: free space where Docker keeps images and volumes (DockerRootDir) and in the install directory.
 * install.sh never checks it, and a full disk is what breaks a running Sentry (Kafka, ClickHouse and
 * Postgres volumes grow), so under twice the floor is already worth a warning.
 */
import { engineUnavailable } from './engine-unavailable.js';
import type { Check, CheckStatus, FreeSpace, Verdict } from './types.js';

export const DEFAULT_DISK_FLOOR_BYTES = 20e9;
const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;
const RANK: Record<CheckStatus, number> = { pass: 0, warn: 1, fail: 2 };

export function decideFreeSpace(bytes: number, floorBytes: number): CheckStatus {
  if (bytes < floorBytes) return 'fail';
  return bytes < 2 * floorBytes ? 'warn' : 'pass';
}

interface Place {
  label: string;
  space: FreeSpace | { ok: false; path: string; reason: string };
}

export function decideDisk(places: Place[], floorBytes: number): Verdict {
  const required = `${gb(floorBytes)} free (${gb(2 * floorBytes)} recommended) for Docker data and the install directory`;
  // Two places on one filesystem share its free space: report it once.
  const seen = new Map<number, Place>();
  const parts: string[] = [];
  let status: CheckStatus = 'pass';
  let worst: Place | undefined;
  for (const place of places) {
    const s = place.space;
    if (s.ok && seen.has(s.device)) {
      parts.push(`${place.label} ${s.path}: same filesystem as ${seen.get(s.device)!.label}`);
      continue;
    }
    const st: CheckStatus = s.ok ? decideFreeSpace(s.bytes, floorBytes) : 'warn';
    if (s.ok) seen.set(s.device, place);
    parts.push(s.ok ? `${place.label} ${s.path}: ${gb(s.bytes)} free` : `${place.label} ${s.path}: not measured (${s.reason})`);
    if (RANK[st] > RANK[status]) [status, worst] = [st, place];
  }
  const data = { places: places.map((p) => ({ label: p.label, path: p.space.path, freeBytes: p.space.ok ? p.space.bytes : null })), floorBytes };
  const found = parts.join('; ');
  if (status === 'pass') return { status, found, required, remedy: null, data };
  const where = worst!.space.path;
  if (!worst!.space.ok) return { status, found, required, remedy: `Make sure ${where} has ${gb(floorBytes)} free; it could not be measured from here.`, data };
  return status === 'fail'
    ? { status, found, required, remedy: `Free at least ${gb(floorBytes)} on ${where}, or move it to a larger disk.`, data }
    : { status, found, required, remedy: `Plan for ${gb(2 * floorBytes)} free on ${where}: Sentry's volumes grow with use.`, data };
}

export const diskCheck: Check = {
  id: 'disk',
  title: 'Free disk space',
  async run(ctx) {
    const installDirSpace = ctx.host.freeSpace(ctx.installDir); // measured while the engine answers
    const probe = await ctx.engine();
    if (!probe.ok) return engineUnavailable(`${gb(ctx.diskFloorBytes)} free for Docker data`);
    const root = probe.facts.info.DockerRootDir;
    const [rootSpace, dirSpace] = await Promise.all([
      ctx.engineIsLocal ? ctx.host.freeSpace(root) : Promise.resolve({ ok: false as const, path: root, reason: 'the engine runs on another host' }),
      installDirSpace,
    ]);
    return decideDisk(
      [
        { label: 'Docker root dir', space: rootSpace },
        { label: 'install dir', space: dirSpace },
      ],
      ctx.diskFloorBytes,
    );
  },
};

/**
 * dockerd's own limits, capabilities and user namespace, read from /proc (all readable without root),
 * plus fs.nr_open. runc inherits them through containerd, so they bound what a container may be given.
 * The pid comes from the pid file dockerd writes beside its socket (/var/run/docker.pid, or
 * $XDG_RUNTIME_DIR/docker.pid for rootless Docker). Only for an engine on this host: a remote one's
 * /proc is not ours, nor is one in a VM (Docker Desktop), which writes no pid file here.
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseProcLimits, type EngineLimits } from '../../src/engine/rlimits.js';

const CAP_SYS_RESOURCE = 24n;
/** The identity map of the initial user namespace. */
const INIT_USERNS = '0 0 4294967295';

export type EngineLimitsProbe = { ok: true; limits: EngineLimits } | { ok: false; reason: string };

export function pidFileCandidates(host: string): string[] {
  const out: string[] = [];
  if (host.startsWith('unix://')) out.push(`${dirname(host.slice('unix://'.length))}/docker.pid`);
  out.push('/var/run/docker.pid', '/run/docker.pid');
  return [...new Set(out)];
}

async function text(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** CapEff from /proc/PID/status and the user namespace from uid_map, decided from their text. */
export function parseStatusCaps(status: string): bigint | null {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  return m ? BigInt(`0x${m[1]}`) : null;
}

export function isInitUserns(uidMap: string): boolean {
  return uidMap.trim().split(/\s+/).join(' ') === INIT_USERNS;
}

export async function readEngineLimits(host: string, proc = '/proc'): Promise<EngineLimitsProbe> {
  for (const file of pidFileCandidates(host)) {
    const pidText = await text(file);
    const pid = Number(pidText?.trim());
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const [comm, limits, status, uidMap, nrOpen] = await Promise.all(
      [`${proc}/${pid}/comm`, `${proc}/${pid}/limits`, `${proc}/${pid}/status`, `${proc}/${pid}/uid_map`, `${proc}/sys/fs/nr_open`].map(text),
    );
    if (comm?.trim() !== 'dockerd') continue; // a stale pid file, or dockerd in another pid namespace
    const caps = status ? parseStatusCaps(status) : null;
    if (!limits || caps === null || uidMap === null) return { ok: false, reason: `cannot read /proc/${pid} of dockerd (${file})` };
    return {
      ok: true,
      limits: {
        pid,
        limits: parseProcLimits(limits),
        capSysResource: ((caps >> CAP_SYS_RESOURCE) & 1n) === 1n,
        userns: !isInitUserns(uidMap),
        nrOpen: nrOpen && /^\d+\s*$/.test(nrOpen) ? Number(nrOpen) : null,
      },
    };
  }
  return { ok: false, reason: `no running dockerd found through ${pidFileCandidates(host).join(', ')}` };
}

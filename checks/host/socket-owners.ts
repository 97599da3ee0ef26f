/**
 * Names the processes that hold given socket inodes by matching /proc/<pid>/fd links (`socket:[N]`).
 * Without root only the user's own processes are visible; the caller says so instead of guessing.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export interface SocketOwner {
  pid: number;
  name: string;
}

export function socketOwners(inodes: number[], procRoot = '/proc'): { owners: SocketOwner[]; unreadable: number } {
  const wanted = new Set(inodes.map((i) => `socket:[${i}]`));
  const owners: SocketOwner[] = [];
  let unreadable = 0;
  let pids: string[];
  try {
    pids = readdirSync(procRoot).filter((d) => /^\d+$/.test(d));
  } catch {
    return { owners, unreadable: 0 };
  }
  // Published container ports are held by docker-proxy: look there first, stop once every socket is named.
  const proxies = pids.filter((pid) => processName(procRoot, pid) === 'docker-proxy');
  const ordered = [...proxies, ...pids.filter((pid) => !proxies.includes(pid))];
  const named = new Set<string>();
  for (const pid of ordered) {
    if (named.size === wanted.size) break;
    let fds: string[];
    try {
      fds = readdirSync(join(procRoot, pid, 'fd'));
    } catch {
      unreadable++;
      continue;
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(join(procRoot, pid, 'fd', fd));
      } catch {
        continue; // closed while we looked
      }
      if (wanted.has(link)) {
        named.add(link);
        owners.push({ pid: Number(pid), name: processName(procRoot, pid) });
        break;
      }
    }
  }
  return { owners, unreadable };
}

function processName(procRoot: string, pid: string): string {
  try {
    return readFileSync(join(procRoot, pid, 'comm'), 'utf8').trim() || '?';
  } catch {
    return '?';
  }
}

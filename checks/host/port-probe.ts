/**
 * Is a host port free for Docker to publish, and if not, who has it, as far as the host shows:
 * the bind test (needs root below 1024), then /proc/net listeners (any user) and the processes that
 * own them (root, or the user's own). /proc/net is read only when the bind test cannot settle it or a
 * holder needs a name: on some kernels each read costs 5 to 15 ms. Containers' published ports are
 * added by the ports check (see ports.ts).
 */
import { readFileSync } from 'node:fs';
import type { PortProbe } from '../types.js';
import { bindTest, type BindResult } from './bind-test.js';
import type { Listener } from './parse-proc-net-tcp.js';

// Docker publishes on 0.0.0.0 (and [::] where there is IPv6). Loopback too: a loopback-only mapping
// needs it, and BSD-style stacks (macOS) let a wildcard bind succeed next to a listener on 127.0.0.1.
// The dual-stack wildcard is asked without a host string: parsing "::" costs Node ~4 ms of regex.
const BIND_HOSTS = ['127.0.0.1', '0.0.0.0', undefined];

async function listenersOn(port: number, procRoot: string): Promise<Listener[] | null> {
  const { parseProcNetTcp } = await import('./parse-proc-net-tcp.js'); // only for a port that is not plainly free
  let seen = false;
  const out: Listener[] = [];
  for (const f of ['tcp', 'tcp6']) {
    try {
      out.push(...parseProcNetTcp(readFileSync(`${procRoot}/net/${f}`, 'utf8')).filter((l) => l.port === port));
      seen = true;
    } catch {
      /* no IPv6, or not Linux */
    }
  }
  return seen ? out : null;
}

export async function probePort(port: number, procRoot = '/proc'): Promise<PortProbe> {
  const binds: BindResult[] = [];
  for (const host of BIND_HOSTS) binds.push(await bindTest(port, host)); // one at a time: they would block each other
  // Needed to name a holder, or to decide at all when binding was not allowed (a port < 1024 without root).
  const listeners = binds.includes('in-use') || binds.includes('denied') ? await listenersOn(port, procRoot) : [];
  const holders: string[] = [];
  const notes: string[] = [];

  if (listeners?.length) {
    const { socketOwners } = await import('./socket-owners.js');
    const { owners, unreadable } = socketOwners([...new Set(listeners.map((l) => l.inode))], procRoot);
    for (const o of owners) holders.push(`${o.name} (pid ${o.pid})`);
    if (!owners.length) {
      const addrs = [...new Set(listeners.map((l) => l.address))].join(', ');
      holders.push(`a process listening on ${addrs}`);
      if (unreadable) notes.push('run as root to see which process it is');
    }
  }
  if (binds.includes('denied') && !listeners?.length) notes.push(`binding port ${port} needs root; no listener seen`);
  const free = !binds.includes('in-use') && !listeners?.length;
  if (!free && !holders.length) holders.push('an unknown process');
  return { port, free, holders, notes };
}

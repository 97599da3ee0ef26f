/** ports: the http and https ports of the answers are free on this host, and who holds them if not. */
import type { PublishedPort } from '../src/engine/engine.js';
import type { Check, PortProbe, Verdict } from './types.js';

export interface PortWant {
  port: number;
  answer: string;
  flag: string;
}

export function decidePorts(wants: PortWant[], probes: PortProbe[]): Verdict {
  const required = `port${wants.length > 1 ? 's' : ''} ${wants.map((w) => `${w.port} (${w.answer})`).join(' and ')} free on this host`;
  const parts = probes.map((p, i) => {
    const label = `${p.port} (${wants[i].answer})`;
    const note = p.notes.length ? ` [${p.notes.join('; ')}]` : '';
    return p.free ? `${label} free${note}` : `${label} taken by ${p.holders.join(', ')}${note}`;
  });
  const data = { ports: probes.map((p) => ({ port: p.port, free: p.free, holders: p.holders })) };
  const taken = probes.findIndex((p) => !p.free);
  if (taken < 0) return { status: 'pass', found: parts.join('; '), required, remedy: null, data };
  const p = probes[taken];
  const w = wants[taken];
  return {
    status: 'fail',
    found: parts.join('; '),
    required,
    remedy: `Stop ${p.holders[0]} or choose another port with ${w.answer} (or ${w.flag}).`,
    data,
  };
}

/**
 * Adds the containers that publish the port: with docker-proxy off they hold it through iptables
 * alone, invisible to the bind test. A port held only by this install's own container (a re-run) is
 * not a conflict, the install recreates that container; its visible holder is then docker-proxy, or
 * a listener this user cannot name.
 */
export function withContainers(probe: PortProbe, published: PublishedPort[], ownProject?: string): PortProbe {
  const on = published.filter((p) => p.publicPort === probe.port);
  const mine = on.filter((p) => ownProject && p.project === ownProject);
  const others = on.filter((p) => !mine.includes(p));
  const viaProxy = probe.holders.every((h) => /^docker-proxy \(pid \d+\)$/.test(h) || h.startsWith('a process listening on'));
  if (mine.length && !others.length && viaProxy) {
    return { ...probe, free: true, holders: [], notes: [...probe.notes, `held by this install's container ${mine[0].container}`] };
  }
  if (!on.length) return probe;
  return { ...probe, free: false, holders: [...probe.holders, ...on.map((p) => `container ${p.container}`)] };
}

/** Containers publish on the engine's host; this host's sockets say nothing about it. */
function remoteEngine(wants: PortWant[], published: PublishedPort[], ownProject?: string): Verdict {
  const unknown = (port: number): PortProbe => ({ port, free: true, holders: [], notes: ['on the engine host, not tested from here'] });
  const v = decidePorts(wants, wants.map((w) => withContainers(unknown(w.port), published, ownProject)));
  if (v.status === 'fail') return v;
  return { ...v, status: 'warn', remedy: `The engine runs on another host: make sure ${wants.map((w) => w.port).join(' and ')} are free there.` };
}

export function portWants(ports: { http: number; https?: number }): PortWant[] {
  const wants = [{ port: ports.http, answer: 'ports.http', flag: '--http-port' }];
  if (ports.https !== undefined) wants.push({ port: ports.https, answer: 'ports.https', flag: '--https-port' });
  return wants;
}

export const portsCheck: Check = {
  id: 'ports',
  title: 'Ports free',
  async run(ctx) {
    const wants = portWants(ctx.ports);
    // Asked while the host is probed; without an engine the host's sockets still tell most of it.
    const publishedP = ctx.publishedPorts().catch((): PublishedPort[] => []);
    if (!ctx.engineIsLocal) return remoteEngine(wants, await publishedP, ctx.ownProject);
    const host: PortProbe[] = [];
    for (const w of wants) host.push(await ctx.host.port(w.port)); // one at a time: bind tests of one port would collide
    const published = await publishedP;
    return decidePorts(wants, host.map((p) => withContainers(p, published, ctx.ownProject)));
  },
};

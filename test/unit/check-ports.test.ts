import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { probePort } from '../../checks/host/port-probe.js';
import { decidePorts, portWants, withContainers } from '../../checks/ports.js';
import type { PortProbe } from '../../checks/types.js';

// Only loopback sockets of this process: nothing leaves the host.
function listen(host: string, port = 0): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen({ port, host }, () => resolve(s));
  });
}
const portOf = (s: net.Server) => (s.address() as net.AddressInfo).port;
const close = (s: net.Server) => new Promise<void>((r) => s.close(() => r()));

test('a port this process holds on loopback is taken, and the holder is named from /proc', { skip: process.platform !== 'linux' }, async () => {
  const s = await listen('127.0.0.1');
  try {
    const p = await probePort(portOf(s));
    assert.equal(p.free, false);
    assert.ok(p.holders.some((h) => h.endsWith(`(pid ${process.pid})`)), p.holders.join(', '));
  } finally {
    await close(s);
  }
});

test('a listener on IPv6 loopback only is seen too', { skip: process.platform !== 'linux' }, async (t) => {
  let s: net.Server;
  try {
    s = await listen('::1');
  } catch {
    t.skip('no IPv6 loopback on this host');
    return;
  }
  try {
    const p = await probePort(portOf(s));
    assert.equal(p.free, false);
  } finally {
    await close(s);
  }
});

test('a port nobody holds is free', async () => {
  const s = await listen('127.0.0.1');
  const port = portOf(s);
  await close(s);
  const p = await probePort(port);
  assert.deepEqual(p, { port, free: true, holders: [], notes: [] });
});

const probe = (port: number, free: boolean, holders: string[] = []): PortProbe => ({ port, free, holders, notes: [] });

test('decidePorts: a taken port fails and the remedy names the holder and the answer to change', () => {
  const wants = portWants({ http: 80, https: 443 });
  const v = decidePorts(wants, [probe(80, true), probe(443, false, ['nginx (pid 812)'])]);
  assert.equal(v.status, 'fail');
  assert.equal(v.found, '80 (ports.http) free; 443 (ports.https) taken by nginx (pid 812)');
  assert.equal(v.remedy, 'Stop nginx (pid 812) or choose another port with ports.https (or --https-port).');
});

test('decidePorts: both free passes; TLS off means no https port is asked for', () => {
  assert.equal(decidePorts(portWants({ http: 80, https: 443 }), [probe(80, true), probe(443, true)]).status, 'pass');
  assert.deepEqual(portWants({ http: 8080 }).map((w) => w.port), [8080]);
});

test('a container publishing the port takes it even when no process listens (docker-proxy off)', () => {
  const p = withContainers(probe(80, true), [{ publicPort: 80, hostIp: '0.0.0.0', container: 'other_web_1', project: 'other' }]);
  assert.equal(p.free, false);
  assert.deepEqual(p.holders, ['container other_web_1']);
});

test("this install's own container holding the port is not a conflict (a re-run)", () => {
  const own = [{ publicPort: 80, hostIp: '0.0.0.0', container: 'sentry_onpremise_nginx_1', project: 'sentry_onpremise' }];
  const p = withContainers(probe(80, false, ['docker-proxy (pid 4242)']), own, 'sentry_onpremise');
  assert.equal(p.free, true);
  assert.match(p.notes.join(), /this install's container sentry_onpremise_nginx_1/);
  // ... but another process on the same port still is
  assert.equal(withContainers(probe(80, false, ['nginx (pid 1)']), own, 'sentry_onpremise').free, false);
});

test('an engine on another host: its ports are not this host\'s, so a warning (a container already on the port still fails)', async () => {
  const { portsCheck } = await import('../../checks/ports.js');
  const ctx = (published: object[]) =>
    ({
      engineIsLocal: false,
      ports: { http: 80, https: 443 },
      publishedPorts: async () => published,
      host: { port: async () => assert.fail('the local host must not be probed for a remote engine') },
    }) as never;
  const v = await portsCheck.run(ctx([]));
  assert.equal(v.status, 'warn');
  assert.match(v.remedy!, /another host/);
  const taken = await portsCheck.run(ctx([{ publicPort: 443, hostIp: '0.0.0.0', container: 'web' }]));
  assert.equal(taken.status, 'fail');
  assert.match(taken.found, /443 \(ports\.https\) taken by container web/);
});

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEngine } from '../../src/engine/engine.js';
import { EngineError, type EngineErrorKind } from '../../src/engine/engine-error.js';
import { dockerDaemonCheck } from '../../checks/docker-daemon.js';
import { memoryCheck } from '../../checks/memory.js';
import { minimumsFor } from '../../src/catalog.js';
import type { CheckContext, EngineProbe } from '../../checks/types.js';

// Stand-in engines on unix sockets in a temporary directory: nothing but local sockets.
const dir = mkdtempSync(join(tmpdir(), 'engine-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function serve(name: string, handler: http.RequestListener): Promise<{ host: string; close: () => Promise<void> }> {
  const path = join(dir, name);
  const server = http.createServer(handler);
  return new Promise((resolve) =>
    server.listen(path, () => resolve({ host: `unix://${path}`, close: () => new Promise((r) => server.close(() => r())) })),
  );
}
const endpoint = (host: string) => ({ host, source: 'DOCKER_HOST' });
async function kindOf(p: Promise<unknown>): Promise<EngineErrorKind> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof EngineError, String(err));
    return err.kind;
  }
  throw new Error('expected an engine error');
}

test('reads /info (with the server version) and published ports over a unix socket', async () => {
  const fake = await serve('ok.sock', (req, res) => {
    const body: Record<string, unknown> = {
      '/info': { MemTotal: 25276502016, NCPU: 2, DockerRootDir: '/var/lib/docker', Architecture: 'x86_64', ServerVersion: '20.10.24+dfsg1' },
      '/containers/json': [{ Names: ['/proj_nginx_1'], Labels: { 'com.docker.compose.project': 'proj' }, Ports: [{ PublicPort: 8080, IP: '0.0.0.0', Type: 'tcp' }, { PrivatePort: 9000, Type: 'tcp' }] }],
    };
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body[req.url ?? '']));
  });
  try {
    const e = connectEngine(endpoint(fake.host));
    assert.equal((await e.info()).ServerVersion, '20.10.24+dfsg1');
    assert.equal((await e.info()).NCPU, 2);
    assert.deepEqual(await e.publishedPorts(), [{ publicPort: 8080, hostIp: '0.0.0.0', container: 'proj_nginx_1', project: 'proj' }]);
  } finally {
    await fake.close();
  }
});

test('no socket file: no-socket', async () => {
  assert.equal(await kindOf(connectEngine(endpoint(`unix://${join(dir, 'missing.sock')}`)).info()), 'no-socket');
});

test('a socket file nobody listens on (engine stopped uncleanly): refused', async () => {
  const path = join(dir, 'stale.sock');
  // a process that binds the socket and exits without removing it, like a crashed dockerd
  spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => process.exit(0))`]);
  assert.equal(await kindOf(connectEngine(endpoint(`unix://${path}`)).info()), 'refused');
});

test('an engine that never answers: timeout', async () => {
  const path = join(dir, 'hang.sock');
  const held = new Set<net.Socket>();
  const server = net.createServer((c) => held.add(c)); // accepts, reads, never answers
  await new Promise<void>((r) => server.listen(path, () => r()));
  try {
    assert.equal(await kindOf(connectEngine(endpoint(`unix://${path}`), 200).info()), 'timeout');
  } finally {
    for (const c of held) c.destroy();
    server.close();
  }
});

test('an HTTP error answer: http, with the engine message', async () => {
  const fake = await serve('err.sock', (_req, res) => {
    res.statusCode = 500;
    res.end(JSON.stringify({ message: 'boom' }));
  });
  try {
    const e = connectEngine(endpoint(fake.host));
    await assert.rejects(e.info(), (err: EngineError) => err.kind === 'http' && /HTTP 500: boom/.test(err.message));
  } finally {
    await fake.close();
  }
});

test('unsupported scheme: unsupported, named', () => {
  assert.throws(() => connectEngine(endpoint('fd://')), (err: EngineError) => err.kind === 'unsupported');
});

function ctxWith(probe: EngineProbe): CheckContext {
  return { engine: async () => probe, endpoint: { host: 'unix:///var/run/docker.sock', source: 'default' }, minimums: minimumsFor('20.7.0') } as unknown as CheckContext;
}

test('docker-daemon: permission denied gets its own remedy (docker group or root)', async () => {
  const v = await dockerDaemonCheck.run(ctxWith({ ok: false, error: new EngineError('permission', 'permission denied on unix:///var/run/docker.sock') }));
  assert.equal(v.status, 'fail');
  assert.match(v.remedy!, /docker group/);
  assert.match(v.remedy!, /root/);
});

test('docker-daemon: engine not running says to start it; the checks that need it fail pointing at it', async () => {
  const probe: EngineProbe = { ok: false, error: new EngineError('no-socket', 'no Docker socket at unix:///var/run/docker.sock') };
  const v = await dockerDaemonCheck.run(ctxWith(probe));
  assert.equal(v.status, 'fail');
  assert.match(v.found, /no Docker socket at unix:\/\/\/var\/run\/docker\.sock \(endpoint from default\)/);
  assert.match(v.remedy!, /Start the Docker engine/);
  const m = await memoryCheck.run(ctxWith(probe));
  assert.equal(m.status, 'fail');
  assert.match(m.remedy!, /docker-daemon/);
});

test('the engine reader takes whole answers, chunked or not, and refuses cut or foreign ones', async () => {
  const { parseRawAnswer } = await import('../../src/engine/engine-http.js');
  const answer = (s: string) => parseRawAnswer(Buffer.from(s, 'latin1'));
  assert.deepEqual(answer('HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{"a":1}'), { status: 200, body: '{"a":1}' });
  assert.deepEqual(answer('HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n{"a":1}'), { status: 200, body: '{"a":1}' });
  assert.deepEqual(answer('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{"a\r\n4;x=y\r\n":1}\r\n0\r\n\r\n'), { status: 200, body: '{"a":1}' });
  assert.deepEqual(answer('HTTP/1.1 404 Not Found\r\n\r\n{"message":"page not found"}'), { status: 404, body: '{"message":"page not found"}' });
  // UTF-8 split across reads is joined before decoding
  assert.equal(parseRawAnswer(Buffer.concat([Buffer.from('HTTP/1.0 200 OK\r\n\r\n"'), Buffer.from('Zürich"')])).body, '"Zürich"');
  for (const cut of [
    '',
    'SSH-2.0-OpenSSH_9.2\r\n',
    'HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 70\r\n\r\n{"a":1}',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n30\r\n{"a":1}',
  ]) {
    assert.throws(() => answer(cut), (e: NodeJS.ErrnoException) => e.code === 'ECONNRESET', JSON.stringify(cut));
  }
});

test('a socket that closes without answering, or answers with something else, is a clear engine error', async () => {
  const servers: net.Server[] = [];
  const raw = async (name: string, onConn: (s: net.Socket) => void) => {
    const path = join(dir, name);
    const server = net.createServer(onConn);
    servers.push(server);
    await new Promise<void>((r) => server.listen(path, () => r()));
    return endpoint(`unix://${path}`);
  };
  try {
    const silent = await raw('silent.sock', (s) => s.once('data', () => s.end()));
    const foreign = await raw('foreign.sock', (s) => s.once('data', () => s.end('SSH-2.0-OpenSSH_9.2\r\n')));
    const notJson = await raw('html.sock', (s) => s.once('data', () => s.end('HTTP/1.0 200 OK\r\n\r\n<html>hello</html>')));
    assert.equal(await kindOf(connectEngine(silent).info()), 'refused');
    assert.equal(await kindOf(connectEngine(foreign).info()), 'refused');
    assert.equal(await kindOf(connectEngine(notJson).info()), 'http');
  } finally {
    for (const s of servers) s.close();
  }
});

test('engine reads started early are abandoned at once when the command stops (a bad flag)', async () => {
  const { startEngineProbes } = await import('../../checks/probes.js');
  const path = join(dir, 'mute.sock');
  const held: net.Socket[] = [];
  let closed = 0;
  const server = net.createServer((s) => {
    held.push(s); // accepts and reads, never answers
    s.resume();
    s.on('close', () => closed++);
  });
  await new Promise<void>((r) => server.listen(path, () => r()));
  try {
    const probes = startEngineProbes({ DOCKER_HOST: `unix://${path}` });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(held.length, 2, 'both reads (/info, /containers/json) were sent');
    const t = performance.now();
    probes.cancel();
    const probe = await probes.engine();
    assert.ok(performance.now() - t < 500, 'cancel ends the read at once, not at the 8 s timeout');
    assert.equal(probe.ok, false);
    await assert.rejects(probes.publishedPorts());
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(closed, 2, 'the engine sees both connections closed');
  } finally {
    held.forEach((s) => s.destroy());
    server.close();
  }
});

test('tcp:// on loopback (no TLS) and tcp:// with TLS verification (DOCKER_TLS_VERIFY) both answer, and a wrong CA is a tls error', async (t) => {
  if (spawnSync('openssl', ['version']).status !== 0) {
    if (process.env.CI) assert.fail('openssl is missing');
    t.skip('no openssl');
    return;
  }
  const { makeSelfSigned } = await import('../../src/render/tls.js');
  const info = { MemTotal: 8e9, NCPU: 4, DockerRootDir: '/var/lib/docker', Architecture: 'x86_64', ServerVersion: '24.0.7' };
  const seen: Array<{ url?: string; host?: string; tls: boolean }> = [];
  const handler: http.RequestListener = (req, res) => {
    seen.push({ url: req.url, host: req.headers.host, tls: 'encrypted' in req.socket });
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(info));
  };
  // The engine's TLS files as `docker context` or DOCKER_CERT_PATH keep them: ca.pem, cert.pem, key.pem.
  const certs = join(dir, 'certs');
  makeSelfSigned({ cert: join(certs, 'ca.pem'), key: join(certs, 'server-key.pem') }, '127.0.0.1');
  const https = await import('node:https');
  const plain = http.createServer(handler);
  const secure = https.createServer({ cert: readFileSync(join(certs, 'ca.pem')), key: readFileSync(join(certs, 'server-key.pem')) }, handler);
  const listen = (s: net.Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as net.AddressInfo).port)));
  const [plainPort, securePort] = [await listen(plain), await listen(secure)];
  try {
    const { resolveDockerEndpoint } = await import('../../src/engine/endpoint.js');
    const overTcp = connectEngine(resolveDockerEndpoint({ DOCKER_HOST: `tcp://127.0.0.1:${plainPort}` }));
    assert.equal((await overTcp.info()).ServerVersion, '24.0.7');
    assert.deepEqual(seen.pop(), { url: '/info', host: `127.0.0.1:${plainPort}`, tls: false });

    const tlsEnv = { DOCKER_HOST: `tcp://127.0.0.1:${securePort}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs };
    const overTls = connectEngine(resolveDockerEndpoint(tlsEnv));
    assert.equal((await overTls.info()).NCPU, 4);
    assert.equal(seen.pop()?.tls, true);

    // Another CA than the engine's: the handshake fails, and says so.
    const other = join(dir, 'other-certs');
    makeSelfSigned({ cert: join(other, 'ca.pem'), key: join(other, 'key.pem') }, '127.0.0.1');
    assert.equal(await kindOf(connectEngine(resolveDockerEndpoint({ ...tlsEnv, DOCKER_CERT_PATH: other })).info()), 'tls');
  } finally {
    plain.close();
    secure.close();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveDockerEndpoint, DEFAULT_HOST, EndpointError } from '../../src/engine/endpoint.js';
import { tryConnectEngine } from '../../src/engine/engine.js';
import { EngineError } from '../../src/engine/engine-error.js';

// A docker config dir laid out as `docker context create` writes it.
function configDir(contexts: Record<string, { host: string; skipTls?: boolean; tls?: boolean }>, current?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'docker-config-'));
  for (const [name, c] of Object.entries(contexts)) {
    const id = createHash('sha256').update(name).digest('hex');
    mkdirSync(join(dir, 'contexts', 'meta', id), { recursive: true });
    writeFileSync(
      join(dir, 'contexts', 'meta', id, 'meta.json'),
      JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: c.host, SkipTLSVerify: !!c.skipTls } } }),
    );
    if (c.tls) {
      mkdirSync(join(dir, 'contexts', 'tls', id, 'docker'), { recursive: true });
      for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, 'contexts', 'tls', id, 'docker', f), 'x');
    }
  }
  if (current) writeFileSync(join(dir, 'config.json'), JSON.stringify({ currentContext: current }));
  return dir;
}

test('no DOCKER_HOST and no context: the default socket', () => {
  const dir = configDir({});
  assert.deepEqual(resolveDockerEndpoint({ DOCKER_CONFIG: dir }), { host: DEFAULT_HOST, source: 'default', tls: undefined });
});

test('the current context of config.json is used', () => {
  const dir = configDir({ remote: { host: 'unix:///run/remote.sock' } }, 'remote');
  const e = resolveDockerEndpoint({ DOCKER_CONFIG: dir });
  assert.equal(e.host, 'unix:///run/remote.sock');
  assert.equal(e.source, 'context remote');
});

test('DOCKER_CONTEXT beats config.json; DOCKER_HOST beats both (as in the docker CLI)', () => {
  const dir = configDir({ a: { host: 'unix:///a.sock' }, b: { host: 'unix:///b.sock' } }, 'a');
  assert.equal(resolveDockerEndpoint({ DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'b' }).host, 'unix:///b.sock');
  const e = resolveDockerEndpoint({ DOCKER_CONFIG: dir, DOCKER_CONTEXT: 'b', DOCKER_HOST: 'tcp://127.0.0.1:2375' });
  assert.deepEqual(e, { host: 'tcp://127.0.0.1:2375', source: 'DOCKER_HOST', tls: undefined });
});

test('the "default" context means DOCKER_HOST-or-socket, not a stored context', () => {
  const dir = configDir({}, 'default');
  assert.equal(resolveDockerEndpoint({ DOCKER_CONFIG: dir }).host, DEFAULT_HOST);
});

test('TLS from DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, and from a context', () => {
  const e = resolveDockerEndpoint({ DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' });
  assert.deepEqual(e.tls, { ca: '/certs/ca.pem', cert: '/certs/cert.pem', key: '/certs/key.pem', verify: true });
  const dir = configDir({ secure: { host: 'tcp://127.0.0.1:2376', tls: true, skipTls: true } }, 'secure');
  const c = resolveDockerEndpoint({ DOCKER_CONFIG: dir });
  assert.equal(c.tls?.verify, false);
  assert.match(c.tls!.ca!, /contexts\/tls\/[0-9a-f]{64}\/docker\/ca\.pem$/);
});

test('a selected context that does not exist is an engine error for the docker-daemon check, not a crash', () => {
  const dir = configDir({}, 'gone');
  assert.throws(() => resolveDockerEndpoint({ DOCKER_CONFIG: dir }), EndpointError);
  const r = tryConnectEngine({ DOCKER_CONFIG: dir });
  assert.ok(r instanceof EngineError);
  assert.equal(r.kind, 'context');
  assert.match(r.message, /docker context "gone" \(selected by .*config\.json\) does not exist/);
});

test('an engine is local when reached over a socket or loopback; its disk and CPU are then this host\'s', async () => {
  const { isLocalEndpoint } = await import('../../checks/context.js');
  assert.ok(isLocalEndpoint({ host: 'unix:///var/run/docker.sock', source: 'default' }));
  assert.ok(isLocalEndpoint({ host: 'tcp://127.0.0.1:2375', source: 'DOCKER_HOST' }));
  assert.ok(!isLocalEndpoint({ host: 'tcp://10.1.2.3:2376', source: 'DOCKER_HOST' }));
  assert.ok(!isLocalEndpoint({ host: 'ssh://deploy@build-host', source: 'context build' }));
});

test('dockerode gets the same endpoint: socket, tcp, tls and ssh', async () => {
  const { dockerodeOptions } = await import('../../src/engine/dockerode-options.js');
  assert.deepEqual(dockerodeOptions({ host: 'unix:///run/user/1000/docker.sock', source: 'DOCKER_HOST' }), { socketPath: '/run/user/1000/docker.sock' });
  assert.deepEqual(dockerodeOptions({ host: 'tcp://127.0.0.1:2375', source: 'DOCKER_HOST' }), { protocol: 'http', host: '127.0.0.1', port: 2375 });
  const ssh = dockerodeOptions({ host: 'ssh://deploy@build-host:2222', source: 'context build' }) as Record<string, unknown>;
  assert.deepEqual([ssh.protocol, ssh.host, ssh.port, ssh.username], ['ssh', 'build-host', 2222, 'deploy']);
});

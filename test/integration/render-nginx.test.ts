/**
 * The rendered nginx/ directory read by the host's real nginx: `nginx -t` accepts it with the rendered
 * certificate, then nginx serves it for real on loopback test ports, in front of two tiny HTTP servers
 * playing `web:9000` and `relay:3000`. All traffic stays on 127.0.0.0/8.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, minimalAnswers, removeDir, render, tempDir, writeAnswers } from '../helpers/cli.js';
import { requireReaders } from '../helpers/readers.js';
import { nginxTest, nginxWork, startNginx } from '../helpers/nginx.js';

ensureBuilt();

const HOST = 'sentry.test';
const HTTP_PORT = 18080;
const HTTPS_PORT = 18443;

function renderTo(root: string, answers: Record<string, unknown>): string {
  const install = join(root, 'install');
  const r = render(install, writeAnswers(join(root, 'answers.yml'), answers));
  assert.equal(r.code, 0, r.stderr);
  return install;
}

for (const tag of ['9.1.2', '20.7.0'] as const) {
  test(`${tag}: nginx.conf includes sentry.conf beside it, uses /etc/nginx-tls and the web/relay upstreams; nginx -t accepts it`, (t) => {
    if (!requireReaders(t, 'nginx', 'unshare-root')) return;
    const root = tempDir();
    try {
      const install = renderTo(root, minimalAnswers(tag));
      const main = readFileSync(join(install, 'nginx', 'nginx.conf'), 'utf8');
      const vhost = readFileSync(join(install, 'nginx', 'sentry.conf'), 'utf8');
      assert.match(main, /^\s*include sentry\.conf;$/m, 'a relative include (resolved beside nginx.conf)');
      assert.match(main, /^\s*server web:9000;$/m);
      if (tag === '20.7.0') assert.match(main, /^\s*server relay:3000;$/m);
      else assert.doesNotMatch(main, /relay/);
      assert.match(vhost, /^\s*ssl_certificate \/etc\/nginx-tls\/cert\.pem;$/m);
      assert.match(vhost, /^\s*ssl_certificate_key \/etc\/nginx-tls\/key\.pem;$/m);

      const ok = nginxTest(nginxWork(install, { web: '127.0.0.1', relay: '127.0.0.1' }));
      assert.equal(ok.code, 0, ok.output);
      assert.match(ok.output, /test is successful/);

      // The check is real: without the upstream names in /etc/hosts the same files are refused.
      const bad = nginxTest(nginxWork(install, {}));
      assert.notEqual(bad.code, 0, 'nginx -t passed without web/relay resolvable');
      assert.match(bad.output, /host not found in upstream "web:9000"|host not found in upstream "relay:3000"/);
    } finally {
      removeDir(root);
    }
  });

  test(`${tag}: plain-http vhost (tls off) passes nginx -t and has no TLS server`, (t) => {
    if (!requireReaders(t, 'nginx', 'unshare-root')) return;
    const root = tempDir();
    try {
      const install = renderTo(root, minimalAnswers(tag, `http://${HOST}`));
      const vhost = readFileSync(join(install, 'nginx', 'sentry.conf'), 'utf8');
      assert.doesNotMatch(vhost, /ssl|443|return 301/);
      const r = nginxTest(nginxWork(install, { web: '127.0.0.1', relay: '127.0.0.1' }));
      assert.equal(r.code, 0, r.output);
    } finally {
      removeDir(root);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// nginx for real

interface Seen {
  server: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bytes: number;
}

/** A loopback HTTP server answering 200 with who it is; listens on `port` of the first free 127.0.0.x. */
async function stub(name: string, port: number, seen: Seen[]): Promise<{ server: Server; ip: string }> {
  for (const ip of ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4']) {
    const server = createServer((req, res) => {
      let bytes = 0;
      req.on('data', (d: Buffer) => (bytes += d.length));
      req.on('end', () => {
        seen.push({ server: name, method: req.method!, url: req.url!, headers: req.headers, bytes });
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`${name} ${bytes}`);
      });
    });
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, ip, () => resolve(true));
    });
    if (ok) return { server, ip };
  }
  throw new Error(`no free 127.0.0.x address for port ${port}`);
}

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function http(method: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: HTTP_PORT, method, path, headers: { host: `${HOST}:${HTTP_PORT}`, ...headers }, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** HTTPS to the rendered vhost, trusting only the rendered certificate. A body larger than needed is streamed. */
function https(ca: string, method: string, path: string, bodyBytes = 0): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port: HTTPS_PORT,
        servername: HOST,
        ca,
        method,
        path,
        headers: { host: `${HOST}:${HTTPS_PORT}`, ...(bodyBytes ? { 'content-length': String(bodyBytes), 'content-type': 'application/octet-stream' } : {}) },
        timeout: 30_000,
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    // nginx may answer (413) and close before the whole body is sent; the reply is what counts.
    req.on('error', (err) => (bodyBytes ? undefined : reject(err)));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    if (!bodyBytes) return req.end();
    const chunk = Buffer.alloc(1 << 20, 0x61);
    let sent = 0;
    const pump = () => {
      while (sent < bodyBytes) {
        const n = Math.min(chunk.length, bodyBytes - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

/** The TLS version negotiated with the vhost, or the error when none could be. */
function tlsVersion(ca: string | undefined, port: number, min: 'TLSv1' | 'TLSv1.2' | 'TLSv1.3', max: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'): Promise<string> {
  return new Promise((resolve) => {
    const s = tlsConnect({
      host: '127.0.0.1',
      port,
      servername: HOST,
      ca,
      rejectUnauthorized: ca !== undefined,
      minVersion: min,
      maxVersion: max,
      // Let this client really offer TLS 1.0/1.1 (OpenSSL 3 refuses them at the default security level).
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    s.once('secureConnect', () => {
      const v = s.getProtocol() ?? 'unknown';
      s.destroy();
      resolve(v);
    });
    s.once('error', (err) => resolve(`refused: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
  });
}

for (const tag of ['9.1.2', '20.7.0'] as const) {
  test(`${tag}: real nginx with the rendered vhost: redirects, TLS, headers, body limits, relay routes`, async (t) => {
    if (!requireReaders(t, 'nginx', 'unshare-root')) return;
    const root = tempDir();
    const seen: Seen[] = [];
    const servers: Server[] = [];
    let nginx: Awaited<ReturnType<typeof startNginx>> | undefined;
    try {
      const install = renderTo(root, { ...minimalAnswers(tag, `https://${HOST}`), ports: { http: HTTP_PORT, https: HTTPS_PORT } });
      const ca = readFileSync(join(install, 'tls', 'cert.pem'), 'utf8');
      const web = await stub('web', 9000, seen);
      const relay = await stub('relay', 3000, seen);
      servers.push(web.server, relay.server);
      const work = nginxWork(install, { web: web.ip, relay: relay.ip }, { http: HTTP_PORT, https: HTTPS_PORT });
      nginx = await startNginx(work, HTTPS_PORT);
      t.diagnostic(`nginx master pid ${nginx.pid}; web stub ${web.ip}:9000, relay stub ${relay.ip}:3000`);

      // Port 80 (here 18080): browsers go to https, nothing else is served in clear.
      const get = await http('GET', '/organizations/sentry/issues/?query=is:unresolved');
      assert.equal(get.status, 301);
      assert.equal(get.headers.location, `https://${HOST}:${HTTPS_PORT}/organizations/sentry/issues/?query=is:unresolved`);
      const post = await http('POST', '/api/1/store/', { 'content-length': '2' });
      assert.equal(post.status, 405);
      assert.equal(seen.length, 0, 'nothing on the http port reached an upstream');

      // HTTPS: reaches web with the forwarding headers; HSTS on the answer.
      const home = await https(ca, 'GET', '/');
      assert.equal(home.status, 200);
      assert.equal(home.body, 'web 0');
      assert.match(String(home.headers['strict-transport-security']), /max-age=\d+/);
      const first = seen.at(-1)!;
      assert.equal(first.server, 'web');
      assert.equal(first.headers.host, `${HOST}:${HTTPS_PORT}`, 'Host as the browser sent it (with the port), so Django builds and checks the right origin');
      assert.equal(first.headers['x-forwarded-proto'], 'https');
      assert.equal(first.headers['x-forwarded-for'], '127.0.0.1');
      assert.equal(first.headers['x-real-ip'], '127.0.0.1');
      assert.ok(first.headers['x-request-id']);

      // TLS versions: 1.1 refused, 1.2 and 1.3 accepted. The control server shows this client does offer 1.1.
      const control = createTlsServer({
        key: readFileSync(join(install, 'tls', 'key.pem')),
        cert: ca,
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
        ciphers: 'DEFAULT@SECLEVEL=0',
      });
      servers.push(control as unknown as Server);
      await new Promise<void>((r) => control.listen(0, '127.0.0.1', () => r()));
      control.on('secureConnection', (s) => s.end());
      const controlPort = (control.address() as { port: number }).port;
      assert.equal(await tlsVersion(undefined, controlPort, 'TLSv1', 'TLSv1.1'), 'TLSv1.1', 'control: the client can speak TLS 1.1');
      assert.match(await tlsVersion(ca, HTTPS_PORT, 'TLSv1', 'TLSv1.1'), /^refused/);
      assert.equal(await tlsVersion(ca, HTTPS_PORT, 'TLSv1.2', 'TLSv1.2'), 'TLSv1.2');
      assert.equal(await tlsVersion(ca, HTTPS_PORT, 'TLSv1.3', 'TLSv1.3'), 'TLSv1.3');

      // Body size: 60 MB refused before it reaches Sentry, 1 MB passes whole.
      const before = seen.length;
      const big = await https(ca, 'POST', '/api/0/organizations/sentry/files/', 60 * 1024 * 1024);
      assert.equal(big.status, 413);
      assert.equal(seen.length, before, 'the 60 MB body reached no upstream');
      const small = await https(ca, 'POST', '/api/0/organizations/sentry/files/', 1024 * 1024);
      assert.equal(small.status, 200);
      assert.equal(seen.at(-1)!.bytes, 1024 * 1024);

      // Ingestion routes: to relay on 20.7.0, to web on 9.1.2; the web API always to web.
      const ingest = tag === '20.7.0' ? 'relay' : 'web';
      for (const [method, path, to] of [
        ['POST', '/api/store/', ingest],
        ['POST', '/api/42/envelope/', ingest],
        ['POST', '/api/42/store/', ingest],
        ['GET', '/api/0/projects/', 'web'],
        ['GET', '/api/0/organizations/sentry/', 'web'],
        ['GET', '/_health/', 'web'],
      ] as const) {
        const r = await https(ca, method, path);
        assert.equal(r.status, 200, `${method} ${path}`);
        assert.equal(seen.at(-1)!.server, to, `${method} ${path} reaches ${to}`);
        assert.equal(seen.at(-1)!.url, path);
        assert.equal(seen.at(-1)!.headers['x-forwarded-proto'], 'https');
      }
      assert.equal(nginx.errorLog().match(/\[(emerg|alert|crit)\]/g), null, nginx.errorLog());
    } finally {
      await nginx?.stop();
      for (const s of servers) s.close();
      removeDir(root);
    }
    assert.throws(() => process.kill(nginx!.pid, 0), 'nginx is stopped');
  });
}

test('the nginx namespace wrapper leaves the host untouched', (t) => {
  if (!requireReaders(t, 'nginx', 'unshare-root')) return;
  assert.throws(() => readFileSync('/etc/nginx-tls/cert.pem'), /ENOENT/);
  const hosts = readFileSync('/etc/hosts', 'utf8');
  assert.doesNotMatch(hosts, /^\S+\s+web$/m);
});

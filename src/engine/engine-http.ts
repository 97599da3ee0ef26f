/**
 * Engine API GETs over node:http (unix socket, named pipe, tcp, tls). The checks need three small
 * reads; doing them here keeps dockerode's import cost out of `check`.
 */
import http from 'node:http';
import type https from 'node:https';
import { readFileSync } from 'node:fs';
import type { DockerEndpoint } from './endpoint.js';
import { EngineError } from './engine-error.js';

export type HttpTarget =
  | { kind: 'socket'; socketPath: string }
  | { kind: 'tcp'; hostname: string; port: number; tls?: https.AgentOptions };

/** null when node:http cannot reach the endpoint (ssh://): the caller falls back to dockerode. */
export function httpTarget(endpoint: DockerEndpoint): HttpTarget | null {
  let url: URL;
  try {
    url = new URL(endpoint.host);
  } catch {
    throw new EngineError('unsupported', `cannot parse the Docker host "${endpoint.host}" (from ${endpoint.source})`);
  }
  switch (url.protocol) {
    case 'unix:':
      return { kind: 'socket', socketPath: decodeURIComponent(url.pathname) };
    case 'npipe:':
      return { kind: 'socket', socketPath: decodeURIComponent(url.pathname).replace(/^\/+/, '\\\\').replace(/\//g, '\\') };
    case 'tcp:':
    case 'http:':
    case 'https:': {
      const useTls = url.protocol === 'https:' || !!endpoint.tls;
      const port = Number(url.port || (useTls ? 2376 : 2375));
      return { kind: 'tcp', hostname: url.hostname.replace(/^\[|\]$/g, ''), port, tls: useTls ? tlsOptions(endpoint) : undefined };
    }
    case 'ssh:':
      return null;
    default:
      throw new EngineError('unsupported', `Docker host scheme ${url.protocol} (from ${endpoint.source}) is not supported`);
  }
}

function tlsOptions(endpoint: DockerEndpoint): https.AgentOptions {
  const t = endpoint.tls;
  const read = (f?: string) => {
    if (!f) return undefined;
    try {
      return readFileSync(f);
    } catch {
      return undefined; // the CLI also goes on without a missing client cert; the handshake reports it
    }
  };
  return { ca: read(t?.ca), cert: read(t?.cert), key: read(t?.key), rejectUnauthorized: t?.verify ?? true };
}

export function getJson<T>(target: HttpTarget, path: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    // No keep-alive agent: a few requests per run, and a pooled socket only costs bookkeeping.
    const base = { path, method: 'GET', headers: { Accept: 'application/json' }, timeout: timeoutMs, agent: false };
    // servername '': without TLS it means nothing, and unset the agent derives it from the Host header
    // through Node's IPv6 regex (~4 ms cold).
    const plain: http.RequestOptions & { servername: string } = { ...base, servername: '' };
    const req =
      target.kind === 'socket'
        ? http.request({ ...plain, headers: { ...base.headers, Host: 'docker' }, socketPath: target.socketPath })
        : target.tls
          ? // https (and tls, crypto) load only for a TLS endpoint: most engines are a local socket.
            process.getBuiltinModule('node:https').request({ ...base, hostname: target.hostname, port: target.port, ...target.tls })
          : http.request({ ...plain, hostname: target.hostname, port: target.port });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('error', reject);
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        if ((res.statusCode ?? 0) >= 400 || json === undefined) {
          const message = (json as { message?: string } | undefined)?.message ?? body.slice(0, 200).trim();
          reject(Object.assign(new Error(message), { statusCode: res.statusCode, json: { message } }));
        } else resolve(json as T);
      });
    });
    req.end();
  });
}

/**
 * Engine API GETs (unix socket, named pipe, tcp, tls). The checks need a few small reads; doing them
 * here keeps dockerode's import cost out of `check`.
 */
import net from 'node:net';
import type https from 'node:https';
import { readFileSync } from 'node:fs';
import type { DockerEndpoint } from './endpoint.js';
import { EngineError } from './engine-error.js';

export type HttpTarget =
  | { kind: 'socket'; socketPath: string }
  | { kind: 'tcp'; hostname: string; port: number; tls?: https.AgentOptions };

/** null when it cannot be reached without ssh (ssh://): the caller falls back to dockerode. */
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

/** signal: abandons the request (the socket is closed), e.g. when the command stops before it needs the answer. */
export function getJson<T>(target: HttpTarget, path: string, timeoutMs: number, signal?: AbortSignal): Promise<T> {
  const answer = target.kind === 'tcp' && target.tls ? httpsGet(target, path, timeoutMs, signal) : rawGet(target, path, timeoutMs, signal);
  return answer.then(({ status, body }) => {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    if (status >= 400 || json === undefined) {
      const message = (json as { message?: string } | undefined)?.message ?? body.slice(0, 200).trim();
      throw Object.assign(new Error(message), { statusCode: status, json: { message } });
    }
    return json as T;
  });
}

interface RawAnswer {
  status: number;
  body: string;
}

/**
 * One GET as HTTP/1.0 over a plain socket (unix socket, named pipe or tcp without TLS): the engine
 * answers and closes, so the answer is everything read until the end. node:http would do the same
 * work, but its first request in a process costs ~10 ms of loading and compiling (measured here
 * against the same engine), a tenth of a whole `check`.
 */
function rawGet(target: HttpTarget, path: string, timeoutMs: number, signal?: AbortSignal): Promise<RawAnswer> {
  if (!/^\/[\x21-\x7e]*$/.test(path)) return Promise.reject(new Error(`not a request path: ${JSON.stringify(path)}`));
  return new Promise((resolve, reject) => {
    const socket =
      target.kind === 'socket' ? net.connect({ path: target.socketPath }) : net.connect({ host: target.hostname, port: target.port });
    const host = target.kind === 'socket' ? 'docker' : target.hostname.includes(':') ? `[${target.hostname}]:${target.port}` : `${target.hostname}:${target.port}`;
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    if (signal) {
      const abort = () => socket.destroy(Object.assign(new Error('the request was abandoned'), { code: 'ABORT_ERR' }));
      if (signal.aborted) abort();
      else {
        signal.addEventListener('abort', abort, { once: true });
        socket.on('close', () => signal.removeEventListener('abort', abort));
      }
    }
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.0\r\nHost: ${host}\r\nAccept: application/json\r\nUser-Agent: sentry-onprem\r\n\r\n`));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('end', () => {
      try {
        resolve(parseRawAnswer(Buffer.concat(chunks)));
      } catch (err) {
        reject(err);
      }
    });
  });
}

/** Status and body of a whole HTTP/1.x answer (a chunked body is decoded, though an engine sends none to 1.0). */
export function parseRawAnswer(raw: Buffer): RawAnswer {
  const end = raw.indexOf('\r\n\r\n');
  const head = (end < 0 ? raw : raw.subarray(0, end)).toString('latin1');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  if (!status || end < 0) {
    throw Object.assign(new Error(raw.length ? 'the engine sent something that is not an HTTP answer' : 'the engine closed the connection without answering'), {
      code: 'ECONNRESET',
    });
  }
  let body = raw.subarray(end + 4);
  if (/^transfer-encoding:[ \t]*chunked[ \t]*$/im.test(head)) body = dechunk(body);
  else {
    const length = /^content-length:[ \t]*(\d+)[ \t]*$/im.exec(head);
    if (length && body.length < Number(length[1])) throw Object.assign(new Error('the engine closed the connection in the middle of its answer'), { code: 'ECONNRESET' });
  }
  return { status: Number(status[1]), body: body.toString('utf8') };
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    const size = eol < 0 ? NaN : parseInt(body.subarray(at, eol).toString('latin1').split(';')[0], 16);
    if (!Number.isInteger(size) || eol + 2 + size > body.length) {
      throw Object.assign(new Error('the engine closed the connection in the middle of its answer'), { code: 'ECONNRESET' });
    }
    if (size === 0) return Buffer.concat(parts);
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

/** A TLS endpoint (tcp://host:2376 with certificates): https, loaded only then. */
function httpsGet(target: Extract<HttpTarget, { kind: 'tcp' }>, path: string, timeoutMs: number, signal?: AbortSignal): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const https = process.getBuiltinModule('node:https') as typeof import('node:https');
    const req = https.request({ path, method: 'GET', headers: { Accept: 'application/json' }, timeout: timeoutMs, agent: false, hostname: target.hostname, port: target.port, signal, ...target.tls });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.end();
  });
}

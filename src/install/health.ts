/** Waits until Sentry answers `/_health/` through the nginx vhost, over TLS with the rendered certificate. */
import https from 'node:https';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { resolve } from 'node:path';
import type { Answers } from '../answers/schema.js';
import { parseUrl } from '../answers/validators.js';

export interface HealthTarget {
  protocol: 'https' | 'http';
  port: number;
  host: string;
  ca?: string[];
}

export function healthTarget(a: Answers, dir: string): HealthTarget {
  const host = parseUrl(a.url)!.hostname.replace(/^\[|\]$/g, '');
  if (a.tls.mode === 'off') return { protocol: 'http', port: a.ports.http, host };
  const cert = a.tls.mode === 'self-signed' ? resolve(dir, 'tls/cert.pem') : resolve(dir, a.tls.cert);
  return { protocol: 'https', port: a.ports.https, host, ca: [...rootCertificates, readFileSync(cert, 'utf8')] };
}

/** One request to the vhost on this host's loopback, presenting the url's host name (SNI and Host). */
export function probe(t: HealthTarget, path = '/_health/', timeoutMs = 3000): Promise<{ status: number; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const opts = { host: '127.0.0.1', port: t.port, path, method: 'GET', headers: { Host: t.host }, timeout: timeoutMs };
    const req =
      t.protocol === 'https'
        ? https.request({ ...opts, servername: t.host, ca: t.ca, rejectUnauthorized: true })
        : http.request(opts);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

export async function waitHealthy(t: HealthTarget, timeoutMs: number, cancelled: () => boolean, path = '/_health/'): Promise<{ ok: boolean; last: string; ms: number }> {
  const start = Date.now();
  let last = 'no answer yet';
  while (Date.now() - start < timeoutMs && !cancelled()) {
    try {
      const r = await probe(t, path);
      if (r.status === 200 && r.body.trim() === 'ok') return { ok: true, last: 'ok', ms: Date.now() - start };
      last = `HTTP ${r.status} ${r.body.slice(0, 80).trim()}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return { ok: false, last, ms: Date.now() - start };
}

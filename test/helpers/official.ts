/**
 * The official topology fixtures (test/fixtures/official/<tag>-compose.json, made by
 * scripts/official-fixture.py) and the reduction of compose's output the render tests compare with them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from './cli.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Svc = Record<string, any>;
export interface OfficialTopology {
  services: Record<string, Svc>;
  volumes: Record<string, boolean>;
}

export function loadOfficial(tag: string): OfficialTopology {
  return JSON.parse(readFileSync(join(FIXTURES, 'official', `${tag}-compose.json`), 'utf8')) as OfficialTopology;
}

/** What a service runs, as in the fixture: compose's output reduced, paths relative to the install dir. */
export function reduce(s: Svc, dir: string): Svc {
  const rel = (p: unknown) => (typeof p === 'string' ? p.replace(`${dir}/`, './') : p);
  const e: Svc = { image: s.image };
  if (s.build) e.build = { context: rel(s.build.context), args: s.build.args ?? {} };
  for (const k of ['command', 'entrypoint', 'profiles', 'ulimits', 'platform', 'hostname', 'restart', 'healthcheck', 'ports']) if (k in s) e[k] = s[k];
  e.depends_on = Object.fromEntries(Object.entries(s.depends_on ?? {}).map(([k, v]) => [k, (v as { condition: string }).condition]));
  e.volumes = (s.volumes ?? []).map((v: Svc) => ({ type: v.type, source: rel(v.source), target: v.target, read_only: Boolean(v.read_only) }));
  e.environment = s.environment ?? {};
  return e;
}

/** The documented differences of the 23.x-25.x releases (nginx ports and certificate, build arguments), applied to the official service. */
export function expected(name: string, off: Svc, tlsDir: string): Svc {
  const e = structuredClone(off);
  // Local builds: the base image is given with its value, and the inputs hash becomes a label.
  if (e.build) {
    const base = e.build.args.SENTRY_IMAGE ?? e.build.args.BASE_IMAGE;
    e.build.args = { [e.build.args.SENTRY_IMAGE ? 'SENTRY_IMAGE' : 'BASE_IMAGE']: base };
  }
  if (name === 'nginx') {
    // Our TLS vhost: ./nginx as /etc/nginx instead of the official nginx.conf (25.x), the ports and the certificate from the answers.
    e.volumes = e.volumes.map((v: Svc) => (v.source === './nginx.conf' ? { type: 'bind', source: './nginx', target: '/etc/nginx', read_only: true } : v));
    e.ports = [
      { mode: 'ingress', target: 80, published: '80', protocol: 'tcp' },
      { mode: 'ingress', target: 443, published: '443', protocol: 'tcp' },
    ];
    e.volumes.push(
      { type: 'bind', source: `${tlsDir}/cert.pem`, target: '/etc/nginx-tls/cert.pem', read_only: true },
      { type: 'bind', source: `${tlsDir}/key.pem`, target: '/etc/nginx-tls/key.pem', read_only: true },
    );
  }
  return e;
}

/**
 * Helpers of the upgrade and backup end-to-end tests: events stored through the real vhost, dumps to
 * compare, and a snapshot of everything on the host an upgrade could touch ("nothing changed" checks).
 */
import https from 'node:https';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { containers, docker, psql, fixture, type Fixture } from './harness.js';
import { RELEASES } from '../../src/catalog.js';

export const PROJECTS = [RELEASES['9.1.2'].projectName, RELEASES['20.7.0'].projectName];
export const ALL_VOLUMES = [...new Set([...RELEASES['9.1.2'].externalVolumes, ...RELEASES['20.7.0'].externalVolumes])];
export const BUILT_IMAGES = [...new Set([...RELEASES['9.1.2'].builtImages, ...RELEASES['20.7.0'].builtImages].map((b) => b.image))];

/**
 * A 9.1.2 fixture whose compose override also suits 20.7.0: this host's dockerd cannot raise nofile above
 * 20000 (20.7.0's clickhouse asks 262144); the image line keeps the file valid for 9.1.2, where the
 * service only exists through this override.
 */
export function upgradeFixture(ports: { http: number; https: number }): Fixture {
  const fx = fixture('9.1.2', ports);
  writeFileSync(
    join(fx.dir, 'docker-compose.override.yml'),
    "version: '3.4'\nservices:\n  clickhouse:\n    image: yandex/clickhouse-server:19.17\n    ulimits:\n      nofile:\n        soft: 20000\n        hard: 20000\n",
  );
  return fx;
}

export function request(port: number, path: string, ca: string, opts: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, path, method: opts.method ?? 'GET', servername: 'sentry.e2e.test', headers: { Host: 'sentry.e2e.test', ...opts.headers }, ca, timeout: 5000 },
      (r) => {
        let body = '';
        r.on('data', (d) => (body += d));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

export async function health(port: number, ca: string): Promise<string> {
  const r = await request(port, '/_health/', ca);
  return `${r.status} ${r.body.trim()}`;
}

/** n events through nginx -> web -> redis queue -> worker -> PostgreSQL, like an SDK sends them. */
export async function storeEvents(project: string, port: number, ca: string, n: number, tag: string): Promise<void> {
  const key = psql(project, 'SELECT public_key FROM sentry_projectkey WHERE project_id = 1 LIMIT 1');
  const before = Number(psql(project, 'SELECT count(*) FROM sentry_message'));
  for (let i = 0; i < n; i++) {
    const r = await request(port, '/api/1/store/', ca, {
      method: 'POST',
      body: JSON.stringify({ message: `${tag} event ${i}`, platform: 'python', level: 'error' }),
      headers: { 'Content-Type': 'application/json', 'X-Sentry-Auth': `Sentry sentry_version=7, sentry_key=${key}, sentry_client=e2e/1.0` },
    });
    if (r.status !== 200) throw new Error(`store answered ${r.status}: ${r.body}`);
  }
  for (let i = 0; i < 120; i++) {
    if (Number(psql(project, 'SELECT count(*) FROM sentry_message')) >= before + n) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the worker did not store ${n} events within 60 s`);
}

export function addUsers(project: string, emails: string[]): void {
  psql(
    project,
    emails
      .map((e) => `INSERT INTO auth_user (username, email, password, is_staff, is_active, is_superuser, date_joined) VALUES ('${e}', '${e}', 'pbkdf2_sha256$x', false, true, false, now());`)
      .join('\n'),
  );
}

/** The rows that matter to a user, in a stable order. */
export function userRows(project: string): string {
  return psql(project, "SELECT id, username, email, password, is_superuser FROM auth_user ORDER BY id; SELECT id, message, project_id FROM sentry_message ORDER BY id; SELECT id, message, times_seen FROM sentry_groupedmessage ORDER BY id");
}

/**
 * The whole database as pg_dump writes it, without the stand-in's own process log (every stand-in
 * process adds a row when it starts) and without pg_dump's per-run \restrict token.
 */
export function databaseDump(project: string): string {
  const pg = containers(project).find((c) => c.service === 'postgres' && c.running && !c.oneoff);
  if (!pg) throw new Error(`postgres of ${project} is not running`);
  return docker(['exec', pg.id, 'pg_dump', '-U', 'postgres', '--exclude-table=standin_invocations', 'postgres'])
    .split('\n')
    .filter((l) => !/^\\(un)?restrict /.test(l))
    .join('\n');
}

function hashTree(dir: string, root = dir, out: Record<string, string> = {}): Record<string, string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) hashTree(p, root, out);
    else out[p.slice(root.length + 1)] = `${(statSync(p).mode & 0o7777).toString(8)} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
  }
  return out;
}

/** Files (content and mode), containers of both releases' projects, volumes, networks, the built images. */
export function hostSnapshot(dir: string): Record<string, unknown> {
  const ids = (args: string[]) => docker(args).split('\n').filter(Boolean).sort();
  const images: Record<string, string> = {};
  for (const name of BUILT_IMAGES) {
    try {
      images[name] = docker(['image', 'inspect', '--format', '{{.Id}}', name]).trim();
    } catch {
      images[name] = 'absent';
    }
  }
  return {
    files: hashTree(dir),
    containers: PROJECTS.flatMap((p) => containers(p).map((c) => `${c.service} ${c.id} ${c.startedAt} ${c.running}`)).sort(),
    volumes: ids(['volume', 'ls', '-q']),
    networks: ids(['network', 'ls', '-q']),
    rollbackTags: ids(['images', '--filter', 'reference=*:sentry-onprem-rollback', '--format', '{{.Repository}}']),
    images,
  };
}

export function composeServices(dir: string): string[] {
  return Object.keys((yaml.load(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')) as { services: object }).services);
}

/**
 * Services of the project that are not running, or not for long: all must be up, then stay up (same
 * container, same start time) for `stableMs`, so a service in a restart loop is caught.
 */
export async function runningServices(project: string, wanted: string[], timeoutMs = 30_000, stableMs = 6_000): Promise<string[]> {
  const t0 = Date.now();
  const up = () => new Map(containers(project).filter((c) => c.running && !c.oneoff).map((c) => [c.service, `${c.id} ${c.startedAt}`]));
  let missing: string[] = wanted;
  while (Date.now() - t0 < timeoutMs) {
    const first = up();
    missing = wanted.filter((s) => !first.has(s));
    if (!missing.length) {
      await new Promise((r) => setTimeout(r, stableMs));
      const second = up();
      const unstable = wanted.filter((s) => second.get(s) !== first.get(s));
      if (!unstable.length) return [];
      missing = unstable.map((s) => `${s} (restarted)`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  return missing;
}

/** The secret key the running web container uses (both releases answer `sentry config get`). */
export function runningSecretKey(project: string): string {
  const web = containers(project).find((c) => c.service === 'web' && c.running && !c.oneoff);
  if (!web) throw new Error(`web of ${project} is not running`);
  return docker(['exec', web.id, 'sentry', 'config', 'get', '--silent', 'system.secret-key']).trim();
}

/** Runs the built CLI the way a user does, and snapshots install directories for "nothing was written" checks. */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The installed command: package.json's bin (it runs `check` from dist/check.cjs and hands the rest to dist/install.js). */
export const CLI = join(ROOT, (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['sentry-onprem']);
const CHECK_BUNDLE = join(ROOT, 'dist', 'check.cjs');
export const FIXTURES = join(ROOT, 'test', 'fixtures');

/** Fails clearly when dist/ is missing or older than the sources (tests would run yesterday's code). */
export function ensureBuilt(): void {
  for (const f of [CLI, join(ROOT, 'dist', 'install.js'), CHECK_BUNDLE]) {
    if (!existsSync(f)) throw new Error(`${relative(ROOT, f)} is missing: run \`npm run build\` first`);
  }
  const built = statSync(join(ROOT, 'dist', 'install.js')).mtimeMs;
  const bundled = statSync(CHECK_BUNDLE).mtimeMs;
  const stale: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts') || p.endsWith('.cts')) {
        // A source newer than its own compiled file. (A new file with no compiled twin is only used
        // through an importer that changed too, and that one is caught.)
        const js = join(ROOT, 'dist', relative(ROOT, p)).replace(/\.ts$/, '.js').replace(/\.cts$/, '.cjs');
        if (existsSync(js) && statSync(p).mtimeMs > statSync(js).mtimeMs + 1000) stale.push(relative(ROOT, p));
        else if (statSync(p).mtimeMs > bundled + 1000) stale.push(`${relative(ROOT, p)} (dist/check.cjs)`);
      }
    }
  };
  walk(join(ROOT, 'src'));
  walk(join(ROOT, 'checks'));
  if (statSync(join(ROOT, 'install.ts')).mtimeMs > built + 1000) stale.push('install.ts');
  if (stale.length) throw new Error(`dist/ is older than ${stale.join(', ')}: run \`npm run build\` first`);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI with no TTY and no stdin (like cron or CI); CI and the debug switch are removed from its env. */
export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): CliResult {
  const env = { ...process.env, ...opts.env };
  delete env.CI;
  delete env.SENTRY_ONPREM_DEBUG;
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? ROOT,
    env,
    input: opts.input ?? '',
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function render(dir: string, answersFile: string | undefined, ...extra: string[]): CliResult {
  return runCli(['render', '--dir', dir, ...(answersFile ? ['--answers', answersFile] : []), '--yes', ...extra]);
}

export function tempDir(prefix = 'sentry-onprem-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function writeAnswers(path: string, answers: unknown): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, yaml.dump(answers, { lineWidth: -1 }));
  return path;
}

/** A known secret key, written before the first render so the output is reproducible. */
export const FIXED_SECRET_KEY = 'fixed-test-key-0123456789abcdefghijklmnopqrstuvwx!';

/** Fixed shared secrets a release generates (26.8.0: the launchpad RPC secret), for byte-stable renders. */
export const FIXED_GENERATED = { launchpadRpc: 'fixed-launchpad-0123456789abcdefghijklmnopqrstuvwx' };

export function writeFixedSecrets(installDir: string, extra: Record<string, unknown> = {}): void {
  const dir = join(installDir, '.sentry-onprem');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'secrets.json');
  writeFileSync(file, JSON.stringify({ secretKey: FIXED_SECRET_KEY, generated: FIXED_GENERATED, ...extra }, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
}

export interface Entry {
  kind: 'file' | 'dir' | 'link';
  mode: number;
  mtimeMs: number;
  sha256?: string;
}

/** Every path under dir (hidden ones too) with its mode, mtime and content hash. */
export function snapshot(dir: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  if (!existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      const rel = relative(dir, p);
      if (st.isSymbolicLink()) out.set(rel, { kind: 'link', mode: st.mode & 0o7777, mtimeMs: st.mtimeMs });
      else if (st.isDirectory()) {
        out.set(rel, { kind: 'dir', mode: st.mode & 0o7777, mtimeMs: st.mtimeMs });
        walk(p);
      } else {
        const sha256 = createHash('sha256').update(readFileSync(p)).digest('hex');
        out.set(rel, { kind: 'file', mode: st.mode & 0o7777, mtimeMs: st.mtimeMs, sha256 });
      }
    }
  };
  walk(dir);
  return out;
}

/** Differences between two snapshots, as readable lines (empty when identical). */
export function snapshotDiff(a: Map<string, Entry>, b: Map<string, Entry>): string[] {
  const lines: string[] = [];
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w) lines.push(`removed ${k}`);
    else if (JSON.stringify(v) !== JSON.stringify(w)) lines.push(`changed ${k}: ${JSON.stringify(v)} -> ${JSON.stringify(w)}`);
  }
  for (const k of b.keys()) if (!a.has(k)) lines.push(`added ${k}`);
  return lines;
}

export function read(path: string): string {
  return readFileSync(path, 'utf8');
}

/** Answers every required field, nothing else. */
export function minimalAnswers(tag: '9.1.2' | '20.7.0' | '21.5.0' | '21.6.3' | '24.8.0' | '26.8.0', url = 'https://sentry.example.com'): Record<string, unknown> {
  return { tag, url, admin: { email: 'admin@example.com', password: 'correct horse battery staple' } };
}

/** Every field given (LDAP on, mail with TLS, plugins, bind storage). */
export function fullAnswers(tag: '9.1.2' | '20.7.0' | '21.5.0' | '21.6.3' | '24.8.0' | '26.8.0'): Record<string, unknown> {
  return {
    tag,
    url: 'https://sentry.example.com',
    admin: { email: 'admin@example.com', password: 'correct horse battery staple' },
    mail: {
      backend: 'smtp',
      host: 'mail.example.com',
      port: 587,
      username: 'sentry-mailer',
      password: 'mail-secret-pw',
      useTls: true,
      useSsl: false,
      from: 'sentry@example.com',
      subjectPrefix: '[Errors] ',
    },
    timezone: 'Europe/Berlin',
    web: { workers: 5, bufferSize: 16384 },
    storage: { mode: 'volumes', dataDir: './data' },
    tls: { mode: 'self-signed' },
    ports: { http: 8080, https: 8443 },
    plugins: ['sentry-plugins==9.1.2', 'sentry-dingding~=0.0.2'],
    ldap: {
      enabled: true,
      server: 'ldaps://ldap.example.com:636',
      bindDn: 'cn=sentry,ou=services,dc=example,dc=com',
      bindPassword: 'ldap-bind-pw',
      userDn: 'ou=people,dc=example,dc=com',
      userFilter: '(&(objectClass=inetOrgPerson)(uid=%(user)s))',
      groupType: 'groupOfNames',
      defaultOrganization: 'acme',
    },
    retention: { days: 30 },
    cleanup: { days: 30, schedule: '15 4 * * *', vacuum: 'full' },
    images: { registry: 'mirror.example.com:5000/hub' },
  };
}

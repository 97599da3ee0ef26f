/**
 * End-to-end harness: the real CLI against the real Docker engine, with stand-in images built locally
 * under the official names (scripts/e2e-images.sh). Traffic stays on loopback and the test's own networks.
 */
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import https from 'node:https';
import yaml from 'js-yaml';
import { RELEASES, type SupportedTag } from '../../src/catalog.js';
import type { Profile } from '../../src/releases/types.js';
import { CLI } from '../helpers/cli.js';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** The installed command (package.json's bin), as operators run it. */
export { CLI };
export const V2_CONFIG = process.env.SENTRY_ONPREM_E2E_DOCKER_CONFIG ?? '/tmp/sentry-onprem-e2e/docker-config';

export type Flavor = 'v1' | 'v2';

/** Environment that makes the CLI pick Compose v2 (the private plugin) or v1 (no plugin visible). */
export function composeEnv(flavor: Flavor): NodeJS.ProcessEnv {
  if (flavor === 'v2') return { ...process.env, DOCKER_CONFIG: V2_CONFIG };
  const empty = join(tmpdir(), 'sentry-onprem-e2e-no-plugins');
  mkdirSync(empty, { recursive: true });
  return { ...process.env, DOCKER_CONFIG: empty };
}

/**
 * The release's own healthcheck variables, shortened for tests (the official .env reads HEALTHCHECK_*: 30 s
 * intervals and start periods up to 600 s would make every install wait minutes for nothing).
 */
export const SHORT_HEALTHCHECKS = { HEALTHCHECK_INTERVAL: '3s', HEALTHCHECK_START_PERIOD: '3s', HEALTHCHECK_FILE_INTERVAL: '10s' } as const;

export function composeArgv(flavor: Flavor): string[] {
  return flavor === 'v2' ? ['docker', 'compose'] : ['docker-compose'];
}

export function engineReachable(): boolean {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

export function docker(args: string[], input?: string): string {
  return execFileSync('docker', args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface Running {
  child: ChildProcess;
  output: () => string;
  done: Promise<RunResult>;
  /** Resolves when the combined output matches. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv): Running {
  const t0 = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ re: RegExp; resolve: () => void }> = [];
  const check = () => {
    for (const w of [...waiters]) if (w.re.test(stdout + stderr)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  child.stdout!.on('data', (d) => ((stdout += d), check()));
  child.stderr!.on('data', (d) => ((stderr += d), check()));
  const done = new Promise<RunResult>((res) => child.on('close', (code, signal) => res({ code, signal, stdout, stderr, ms: Date.now() - t0 })));
  return {
    child,
    output: () => stdout + stderr,
    done,
    waitFor(re, timeoutMs = 600_000) {
      return new Promise((res, rej) => {
        if (re.test(stdout + stderr)) return res();
        const timer = setTimeout(() => rej(new Error(`timed out waiting for ${re}; output so far:\n${(stdout + stderr).slice(-3000)}`)), timeoutMs);
        waiters.push({ re, resolve: () => (clearTimeout(timer), res()) });
      });
    },
  };
}

export async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return startCli(args, env).done;
}

export interface Fixture {
  dir: string;
  answersFile: string;
  passwords: { admin: string; mail: string; ldap: string };
}

/** The hard nofile limit of the test engine (scripts/e2e-engine.sh): what an override lowers a release's asks to. */
const ENGINE_NOFILE = 20000;

/** A fresh install directory and answers file for a tag, on high loopback ports. */
export function fixture(tag: string, ports: { http: number; https: number }, extra = ''): Fixture {
  const base = mkdtempSync(join(tmpdir(), `sentry-onprem-e2e-${tag}-`));
  const dir = join(base, 'install');
  const passwords = { admin: `Adm1n'"pw$${Date.now()}`, mail: `m@il"pw'${Date.now()}`, ldap: `ld@p$pw${Date.now()}` };
  const answersFile = join(base, 'answers.yml');
  writeFileSync(
    answersFile,
    [
      `tag: ${tag}`,
      'url: https://sentry.e2e.test',
      `admin: {email: admin@e2e.test, password: ${JSON.stringify(passwords.admin)}}`,
      `mail: {host: smtp, port: 25, username: mailer, password: ${JSON.stringify(passwords.mail)}, from: sentry@e2e.test}`,
      'timezone: Europe/Berlin',
      'web: {workers: 2}',
      `ports: {http: ${ports.http}, https: ${ports.https}}`,
      'cleanup: {days: 30, schedule: "17 4 * * *", vacuum: analyze}',
      extra,
    ].join('\n') + '\n',
  );
  mkdirSync(dir, { recursive: true });
  // This machine's dockerd cannot raise nofile above its own hard limit (20000); releases ask up to 262144.
  const release = RELEASES[tag as SupportedTag];
  const blocks = new Map<string, string[]>();
  const add = (service: string, block: string) => blocks.set(service, [...(blocks.get(service) ?? []), block]);
  for (const [service, l] of Object.entries(release?.ulimits ?? {})) {
    if ((l.nofile?.hard ?? 0) > ENGINE_NOFILE) add(service, `    ulimits:\n      nofile:\n        soft: ${ENGINE_NOFILE}\n        hard: ${ENGINE_NOFILE}\n`);
  }
  // Healthchecks with an interval of their own (SeaweedFS 30 s, Kafka and ClickHouse 10 s; the rest read
  // HEALTHCHECK_INTERVAL, see SHORT_HEALTHCHECKS): their first probe, and every wait on them, would come that
  // long after the start. Tests probe them every 3 s.
  for (const service of fixedIntervalServices(tag)) add(service, '    healthcheck:\n      interval: 3s\n      start_period: 3s\n');
  if (blocks.size) {
    const services = [...blocks].map(([service, b]) => `  ${service}:\n${b.join('')}`).join('');
    writeFileSync(join(dir, 'docker-compose.override.yml'), `version: '3.4'\nservices:\n${services}`);
  }
  return { dir, answersFile, passwords };
}

/** Services whose healthcheck in the release's compose template has a literal interval (not a variable). */
function fixedIntervalServices(tag: string): string[] {
  const file = join(ROOT, 'templates', tag, 'docker-compose.yml.hbs');
  if (!existsSync(file)) return [];
  const found = new Set<string>();
  let service: string | undefined;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^  ([a-z0-9][a-z0-9_-]*):\s*$/.exec(line);
    if (m) service = m[1];
    else if (/^\S/.test(line)) service = undefined;
    else if (service && /^ {6}interval: \d+s\s*$/.test(line)) found.add(service);
  }
  return [...found];
}

/** Everything an install leaves on the engine and host, removed: containers, volumes, networks, cron entry. */
export function teardown(dir: string, flavor: Flavor, project: string, volumes: string[]): void {
  if (existsSync(join(dir, 'docker-compose.yml'))) {
    try {
      execFileSync(composeArgv(flavor)[0], [...composeArgv(flavor).slice(1), 'down', '-v', '--remove-orphans', '-t', '2'], {
        cwd: dir,
        env: composeEnv(flavor),
        stdio: 'pipe',
        timeout: 180_000,
      });
    } catch {
      /* fall through to the forced removal */
    }
  }
  const ids = docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`]).split('\n').filter(Boolean);
  if (ids.length) docker(['rm', '-fv', ...ids]);
  for (const v of volumes) {
    try {
      docker(['volume', 'rm', '-f', v]);
    } catch {
      /* not there */
    }
  }
  try {
    execFileSync(process.execPath, [CLI, 'cron', 'remove', '--dir', dir], { stdio: 'pipe' });
  } catch {
    /* no cron command or no entry */
  }
}

export interface ContainerFacts {
  id: string;
  service: string;
  startedAt: string;
  running: boolean;
  oneoff: boolean;
  /** the image as the container was created from it (Config.Image) */
  image: string;
}

export function containers(project: string): ContainerFacts[] {
  const ids = docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`]).split('\n').filter(Boolean);
  if (!ids.length) return [];
  const info = JSON.parse(docker(['inspect', ...ids])) as Array<{ Id: string; State: { StartedAt: string; Running: boolean }; Config: { Labels: Record<string, string>; Image: string } }>;
  return info.map((c) => ({
    id: c.Id,
    service: c.Config.Labels['com.docker.compose.service'],
    startedAt: c.State.StartedAt,
    running: c.State.Running,
    oneoff: (c.Config.Labels['com.docker.compose.oneoff'] ?? '').toLowerCase() === 'true',
    image: c.Config.Image,
  }));
}

export function psql(project: string, sql: string): string {
  const pg = containers(project).find((c) => c.service === 'postgres' && c.running && !c.oneoff);
  if (!pg) throw new Error('postgres is not running');
  return docker(['exec', '-i', pg.id, 'psql', '-U', 'postgres', '-Atq', '-v', 'ON_ERROR_STOP=1'], sql).trim();
}

/** mtime of every file under dir (except logs/, which each run adds to). */
export function mtimes(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (p === join(dir, 'logs')) continue;
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.set(p.slice(dir.length + 1), st.mtimeMs);
    }
  };
  walk(dir);
  return out;
}

/** Samples every process's argv while a run goes on; returns the lines that contain a needle. */
export function watchArgv(needles: string[]): () => string[] {
  const hits = new Set<string>();
  const timer = setInterval(() => {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let cmd = '';
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        continue;
      }
      for (const n of needles) if (n && cmd.includes(n)) hits.add(`pid ${pid}: ${cmd.slice(0, 200)}`);
    }
  }, 40);
  return () => {
    clearInterval(timer);
    return [...hits];
  };
}

/** Seeds the external postgres volume with stand-in fault rows, before the install creates its database. */
export function seedFaults(volume: string, image: string, faults: Record<string, string>): void {
  docker(['volume', 'create', volume]);
  const name = `sentry-onprem-e2e-seed-${Date.now()}`;
  docker(['run', '-d', '--name', name, '-e', 'POSTGRES_HOST_AUTH_METHOD=trust', '-v', `${volume}:/var/lib/postgresql/data`, image]);
  try {
    const sql = ['CREATE TABLE IF NOT EXISTS standin_faults (name text PRIMARY KEY, value text);', 'DELETE FROM standin_faults;']
      .concat(Object.entries(faults).map(([k, v]) => `INSERT INTO standin_faults VALUES ('${k}', '${v}');`))
      .join('\n');
    for (let i = 0; i < 120; i++) {
      try {
        docker(['exec', '-i', name, 'psql', '-U', 'postgres', '-h', '127.0.0.1', '-v', 'ON_ERROR_STOP=1', '-q'], sql);
        return;
      } catch {
        execFileSync('sleep', ['0.5']);
      }
    }
    throw new Error('could not seed the postgres volume');
  } finally {
    docker(['rm', '-f', name]);
  }
}

export interface InstalledSuite {
  /** the reason the suite is skipped (no engine outside CI), or false */
  skip: string | false;
  tag: SupportedTag;
  project: string;
  volumes: string[];
  env: NodeJS.ProcessEnv;
  /** the install the suite's tests work on (set by the suite's before hook) */
  readonly fx: Fixture;
}

/**
 * One installed stack for a whole test file: before its tests, a fresh install of `tag` (Compose v2)
 * on the given loopback ports; after them, everything removed (containers, volumes, cron entry, files).
 */
export function installedSuite(tag: SupportedTag, ports: { http: number; https: number }): InstalledSuite {
  const skip = !engineReachable() && !process.env.CI ? 'no Docker engine (run .ci/run)' : false;
  const project = RELEASES[tag].projectName;
  const volumes = RELEASES[tag].externalVolumes;
  const env = composeEnv('v2');
  let fx: Fixture | undefined;
  before(async () => {
    if (skip) return;
    fx = fixture(tag, ports);
    teardown(fx.dir, 'v2', project, volumes);
    const r = await runCli(['install', '--dir', fx.dir, '--answers', fx.answersFile, '--yes'], env);
    assert.equal(r.code, 0, `install failed:\n${r.stderr.slice(-3000)}`);
  });
  after(() => {
    if (skip || !fx) return;
    teardown(fx.dir, 'v2', project, volumes);
    rmSync(dirname(fx.dir), { recursive: true, force: true });
  });
  return {
    skip,
    tag,
    project,
    volumes,
    env,
    get fx() {
      if (!fx) throw new Error('the suite has no install yet (used outside a test?)');
      return fx;
    },
  };
}

/** GET over TLS to the vhost on loopback, checking the certificate against `ca` (the rendered one). */
export function httpsGet(port: number, path: string, ca: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((res, rej) => {
    const req = https.request({ host: '127.0.0.1', port, path, servername: 'sentry.e2e.test', headers: { Host: 'sentry.e2e.test' }, ca, timeout: 5000 }, (r) => {
      let body = '';
      r.on('data', (d) => (body += d));
      r.on('end', () => res({ status: r.statusCode ?? 0, body, headers: r.headers }));
    });
    req.on('error', rej);
    req.end();
  });
}

/** Health state of each container by its compose service, from the engine ('none' without a healthcheck). */
export function healthOf(ids: string[]): Map<string, string> {
  const info = JSON.parse(docker(['inspect', ...ids])) as Array<{ Config: { Labels: Record<string, string> }; State: { Health?: { Status: string } } }>;
  return new Map(info.map((c) => [c.Config.Labels['com.docker.compose.service'], c.State.Health?.Status ?? 'none']));
}

type ComposeServices = Record<string, { healthcheck?: unknown; profiles?: string[] }>;

/** The services of the rendered compose file that the profile starts (every one when the release has no profiles). */
export function activeServices(dir: string, profile?: Profile): Array<[string, { healthcheck?: unknown }]> {
  const doc = yaml.load(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')) as { services: ComposeServices };
  return Object.entries(doc.services).filter(([, s]) => !s.profiles || (profile !== undefined && s.profiles.includes(profile)));
}

/**
 * Every service the rendered compose file starts under the profile runs (one container each), every one with a
 * compose healthcheck is healthy, and no one-off container is left. `waitMs`: how long a healthcheck may still
 * be `starting` (releases whose installer does not wait for them, as 21.x's).
 */
export function assertAllHealthy(dir: string, project: string, profile?: Profile, waitMs = 0): { services: string[]; checked: string[]; running: number } {
  const active = activeServices(dir, profile);
  const running = containers(project).filter((c) => !c.oneoff && c.running);
  for (const [name] of active) assert.ok(running.some((c) => c.service === name), `service ${name} is not running`);
  assert.equal(running.length, active.length, `running: ${running.map((c) => c.service).sort().join(' ')}`);
  const checked = active.filter(([, s]) => s.healthcheck).map(([n]) => n);
  const deadline = Date.now() + waitMs;
  let health = healthOf(running.map((c) => c.id));
  while (checked.some((s) => health.get(s) === 'starting') && Date.now() < deadline) {
    execFileSync('sleep', ['1']);
    health = healthOf(running.map((c) => c.id));
  }
  for (const s of checked) assert.equal(health.get(s), 'healthy', `${s} is ${health.get(s)}`);
  assert.equal(containers(project).filter((c) => c.oneoff).length, 0, 'one-off containers were left behind');
  return { services: active.map(([n]) => n), checked, running: running.length };
}

/** `/_health/` answers 200 `ok` through the vhost with the rendered certificate, and the admin is a superuser in auth_user. */
export async function assertVhostAndAdmin(dir: string, project: string, httpsPort: number): Promise<void> {
  const ca = readFileSync(join(dir, 'tls/cert.pem'), 'utf8');
  const h = await httpsGet(httpsPort, '/_health/', ca);
  assert.equal(h.status, 200);
  assert.equal(h.body.trim(), 'ok');
  assert.equal(psql(project, "select email, is_superuser from auth_user where email = 'admin@e2e.test'"), 'admin@e2e.test|t');
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * What a fresh install reports for each bootstrap action of the release's data (the bootstrap step's summary):
 * the Snuba bootstrap, Relay credentials, the geoip database, the Kafka topics it created, the buckets of the
 * profile, each `sentry exec` script. Checks and waits report nothing.
 */
export function bootstrapReports(tag: SupportedTag, profile?: Profile): RegExp[] {
  const out: RegExp[] = [];
  for (const a of RELEASES[tag].bootstrap) {
    if (a.kind === 'snuba-bootstrap') out.push(/snuba bootstrap/);
    else if (a.kind === 'relay-credentials') out.push(/relay credentials/);
    else if (a.kind === 'geoip-database') out.push(/empty geoip database/);
    else if (a.kind === 'kafka-topics') out.push(new RegExp(`kafka topics ${a.topics.map(escapeRe).join(', ')}`));
    else if (a.kind === 'sentry-script') out.push(new RegExp(escapeRe(a.id)));
    else if (a.kind === 's3-buckets') {
      const names = a.buckets.filter((b) => !b.profile || b.profile === profile).map((b) => b.name);
      if (names.length) out.push(new RegExp(`${escapeRe(a.service)} buckets ${names.map(escapeRe).join(', ')}`));
    }
  }
  return out;
}

/** The migrations ran with the release's command: `sentry upgrade` and each of its options (e.g. `--create-kafka-topics`). */
export function assertMigrated(tag: SupportedTag, project: string): void {
  const upgrade = psql(project, "select argv from standin_invocations where argv like '%\"upgrade\"%' order by ts");
  assert.ok(upgrade, 'sentry upgrade never ran');
  const migrate = RELEASES[tag].migrate ?? ['sentry', 'upgrade', '--noinput'];
  for (const option of migrate.slice(migrate.indexOf('upgrade') + 1)) assert.ok(upgrade.includes(`"${option}"`), `sentry upgrade ran without ${option}: ${upgrade}`);
}

/** The steps a no-op re-run of `install` reports as skipped. */
export const NOOP_SKIPPED_STEPS = ['Render configuration files', 'Build images', 'Bootstrap Snuba and Relay', 'Run database migrations', 'Create the admin user', 'Start Sentry'];

/**
 * A second `install` changes nothing: the same containers with the same start times, no file written (logs
 * aside), the work steps reported skipped. Returns the run (its time for the caller's report).
 */
export async function assertNoopRerun(dir: string, project: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  const before = new Map(containers(project).map((c) => [c.id, c.startedAt]));
  const times = mtimes(dir);
  const r = await runCli(['install', '--dir', dir, '--yes', ...args], env);
  assert.equal(r.code, 0, r.stderr.slice(-3000));
  const said = `; the re-run said:\n${r.stderr.slice(-4000)}`;
  const after = containers(project);
  const changed = after.filter((c) => before.get(c.id) !== c.startedAt).map((c) => `${c.service}${before.has(c.id) ? ' (restarted)' : ' (new)'}`);
  assert.deepEqual(changed, [], `containers recreated or restarted by the no-op run: ${changed.join(', ')}${said}`);
  assert.equal(after.length, before.size, `the no-op run removed containers${said}`);
  assert.deepEqual(mtimes(dir), times, `a file was written by the no-op run${said}`);
  for (const step of NOOP_SKIPPED_STEPS) assert.match(r.stderr, new RegExp(`- ${step}: skipped`), `${step} was not skipped${said}`);
  return r;
}

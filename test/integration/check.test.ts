/**
 * `sentry-onprem check` against the real Docker engine of this machine (Debian docker.io started by
 * scripts/e2e-engine.sh when none runs), under Compose v1 and v2. Compares what check reports with what the
 * docker CLI reports. Only local sockets and loopback are used.
 *
 * With CI set, a missing engine (or Compose flavour) fails these tests; without CI they are skipped
 * with the reason printed.
 */
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHECK_IDS } from '../../checks/check-ids.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// The installed command (package.json's bin), which runs check from the bundled dist/check.cjs.
const CLI = join(ROOT, (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['sentry-onprem']);
const BUNDLE = join(ROOT, 'dist', 'check.cjs');
const scratch = mkdtempSync(join(tmpdir(), 'check-it-'));
const NO_PLUGINS = join(scratch, 'docker-config-empty');
mkdirSync(NO_PLUGINS);

// ---- what the machine offers -------------------------------------------------------------------

function dockerCli(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync('docker', args, { env, encoding: 'utf8' });
}

const engine = (() => {
  const r = dockerCli(['version', '--format', '{{.Server.Version}}']);
  if (r.error) return { ok: false, reason: 'no docker CLI on PATH' };
  if (r.status !== 0 || !r.stdout.trim()) return { ok: false, reason: `no Docker engine answers (${r.stderr.trim().split('\n')[0]}); start dockerd first` };
  return { ok: true, reason: '' };
})();

// The v2 plugin as scripts/e2e-engine.sh installs it.
const V2_CONFIG = [process.env.SENTRY_ONPREM_E2E_DOCKER_CONFIG, '/tmp/sentry-onprem-e2e/docker-config', '/tmp/e2e-compose-v2/cfg'].find(
  (d) => d && existsSync(join(d, 'cli-plugins', 'docker-compose')),
);
const hasV1 = spawnSync('docker-compose', ['--version']).status === 0;

/** Fails under CI, skips (with the reason) elsewhere. Returns false when the test must not go on. */
function needs(t: TestContext, ok: boolean, reason: string): boolean {
  if (ok) return true;
  if (process.env.CI) assert.fail(`required for CI: ${reason}`);
  t.diagnostic(`skipped: ${reason}`);
  t.skip(reason);
  return false;
}
const needsEngine = (t: TestContext) => needs(t, engine.ok, engine.reason);

// ---- running the CLI ---------------------------------------------------------------------------

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCheck(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return runCheckWith(CLI, args, env);
}

function runCheckWith(cli: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'check', ...args], { env: { ...process.env, XDG_CACHE_HOME: join(scratch, 'cache'), ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill(), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface Result {
  id: string;
  status: 'pass' | 'warn' | 'fail';
  found: string;
  remedy: string | null;
  skipped?: boolean;
  data?: Record<string, any>;
}

function parse(run: Run): Result[] {
  try {
    return JSON.parse(run.stdout) as Result[];
  } catch {
    assert.fail(`check --json printed no JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}
const byId = (results: Result[], id: string) => results.find((r) => r.id === id) ?? assert.fail(`no result for ${id}`);

/** Exit 0 exactly when nothing failed, 3 otherwise; and never a stack trace. */
function assertExitMatches(run: Run, results: Result[]) {
  assert.equal(run.code, results.some((r) => r.status === 'fail') ? 3 : 0, run.stderr);
  assert.doesNotMatch(run.stderr, /^\s+at /m, 'stack trace on stderr');
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen({ port: 0, host: '127.0.0.1' }, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function answers(text: string): string {
  const f = join(scratch, `answers-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(f, text);
  return f;
}

// dist/ must be the current sources: rebuild when any source is newer (tsc emits even on type errors
// elsewhere in the tree, which is not this suite's business).
before(() => {
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = join(dir, e.name);
      return Math.max(m, e.isDirectory() ? newest(p) : e.name.endsWith('.ts') ? statSync(p).mtimeMs : 0);
    }, 0);
  const src = Math.max(newest(join(ROOT, 'src')), newest(join(ROOT, 'checks')), statSync(join(ROOT, 'install.ts')).mtimeMs);
  const built = Math.min(...[join(ROOT, 'dist', 'src', 'commands', 'check.js'), BUNDLE].map((f) => statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0));
  if (!existsSync(CLI) || built < src) {
    spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json')], { stdio: 'ignore' });
    spawnSync(process.execPath, [join(ROOT, 'scripts', 'bundle.mjs')], { stdio: 'ignore' });
  }
  assert.ok(existsSync(join(ROOT, 'dist', 'src', 'commands', 'check.js')) && existsSync(BUNDLE), 'dist/ could not be built');
});
after(() => rmSync(scratch, { recursive: true, force: true }));

// ---- the tests ---------------------------------------------------------------------------------

test('compose v2: check --json reports the engine version, MemTotal and NCPU that docker reports', async (t) => {
  if (!needsEngine(t) || !needs(t, !!V2_CONFIG, 'no compose v2 plugin (run scripts/e2e-engine.sh)')) return;
  const env = { DOCKER_CONFIG: V2_CONFIG };
  const run = await runCheck(['--json'], env);
  const results = parse(run);
  assertExitMatches(run, results);

  const info = JSON.parse(dockerCli(['info', '--format', '{{json .}}'], { ...process.env, ...env }).stdout);
  const server = dockerCli(['version', '--format', '{{.Server.Version}}'], { ...process.env, ...env }).stdout.trim();
  assert.equal(byId(results, 'docker-daemon').status, 'pass');
  assert.equal(byId(results, 'docker-version').data?.version, server);
  assert.equal(byId(results, 'memory').data?.memTotalBytes, info.MemTotal);
  assert.equal(byId(results, 'cpu').data?.ncpu, info.NCPU);
  assert.equal(byId(results, 'arch').data?.architecture, info.Architecture);
  assert.ok(byId(results, 'disk').data?.places.some((p: { path: string }) => p.path === info.DockerRootDir));

  const compose = byId(results, 'compose');
  const short = dockerCli(['compose', 'version', '--short'], { ...process.env, ...env }).stdout.trim();
  assert.equal(compose.status, 'pass');
  assert.deepEqual(compose.data?.argv, ['docker', 'compose']);
  assert.equal(compose.data?.flavor, 'v2');
  assert.equal(compose.data?.printed.replace(/^v/, ''), short.replace(/^v/, ''));
});

test('compose v1 (v2 plugin hidden): docker-compose is chosen, its version read once and then cached', async (t) => {
  if (!needsEngine(t) || !needs(t, hasV1, 'no docker-compose (v1) on PATH')) return;
  const env = { DOCKER_CONFIG: NO_PLUGINS, XDG_CACHE_HOME: join(scratch, 'v1-cache') };
  const expected = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8' }).stdout.trim();

  const first = await runCheck(['--json'], env);
  const firstResults = parse(first);
  assertExitMatches(first, firstResults);
  const c1 = byId(firstResults, 'compose');
  assert.equal(c1.status, 'pass');
  assert.deepEqual(c1.data?.argv, ['docker-compose']);
  assert.equal(c1.data?.flavor, 'v1');
  assert.equal(c1.data?.version, expected);
  assert.equal(c1.data?.cached, false);
  assert.match(c1.found, /docker compose: the docker CLI has no compose plugin/);

  const c2 = byId(parse(await runCheck(['--json'], env)), 'compose');
  assert.equal(c2.data?.version, expected);
  assert.equal(c2.data?.cached, true);
});

test('a port this test holds open is reported taken, naming this process; --skip-check turns it into a warning', async (t) => {
  if (!needsEngine(t)) return;
  const held = net.createServer();
  await new Promise<void>((r) => held.listen({ port: 0, host: '127.0.0.1' }, () => r()));
  const port = (held.address() as net.AddressInfo).port;
  try {
    const file = answers(`ports:\n  http: ${port}\n  https: ${await freePort()}\n`);
    const run = await runCheck(['--json', '--answers', file], { DOCKER_CONFIG: V2_CONFIG ?? NO_PLUGINS });
    const results = parse(run);
    const ports = byId(results, 'ports');
    assert.equal(ports.status, 'fail');
    assert.match(ports.found, new RegExp(`${port} \\(ports\\.http\\) taken by .*\\(pid ${process.pid}\\)`));
    assert.match(ports.remedy!, /ports\.http/);
    assert.equal(run.code, 3);

    const skipped = await runCheck(['--json', '--answers', file, '--skip-check', 'ports'], { DOCKER_CONFIG: V2_CONFIG ?? NO_PLUGINS });
    const sr = parse(skipped);
    assert.equal(byId(sr, 'ports').status, 'warn');
    assert.equal(byId(sr, 'ports').skipped, true);
    assertExitMatches(skipped, sr);
  } finally {
    held.close();
  }
});

test('a port held on 0.0.0.0 is taken too; the plain (non-TTY) output says so on one line', async (t) => {
  if (!needsEngine(t)) return;
  const held = net.createServer();
  await new Promise<void>((r) => held.listen({ port: 0, host: '0.0.0.0' }, () => r()));
  const port = (held.address() as net.AddressInfo).port;
  try {
    const run = await runCheck(['--answers', answers(`ports: {http: ${port}}\ntls: {mode: "off"}\n`)], { DOCKER_CONFIG: V2_CONFIG ?? NO_PLUGINS });
    assert.equal(run.code, 3);
    assert.match(run.stdout, new RegExp(`^FAIL ports: ${port} \\(ports\\.http\\) taken by `, 'm'));
    assert.match(run.stdout, /^\d+ passed, \d+ warnings?, \d+ failed/m);
  } finally {
    held.close();
  }
});

test('DOCKER_HOST pointing at a socket that does not exist: a clear docker-daemon failure, exit 3, no stack trace', async (t) => {
  if (!needsEngine(t)) return; // the same machine, so the other checks run as usual
  const sock = join(scratch, 'no-such-docker.sock');
  const run = await runCheck(['--json'], { DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: NO_PLUGINS });
  const results = parse(run);
  assert.equal(run.code, 3);
  assertExitMatches(run, results);
  const daemon = byId(results, 'docker-daemon');
  assert.equal(daemon.status, 'fail');
  assert.match(daemon.found, new RegExp(`no Docker socket at unix://${sock} \\(endpoint from DOCKER_HOST\\)`));
  assert.match(daemon.remedy!, /Start the Docker engine/);
  assert.match(byId(results, 'memory').remedy!, /docker-daemon/);

  const plain = await runCheck([], { DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: NO_PLUGINS });
  assert.equal(plain.code, 3);
  assert.match(plain.stdout, /^FAIL docker-daemon: no Docker socket at/m);
});

test('a socket file nobody listens on (dockerd stopped uncleanly): docker-daemon fails with exit 3', async (t) => {
  if (!needsEngine(t)) return;
  const sock = join(scratch, 'stale.sock');
  spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(sock)}, () => process.exit(0))`]);
  assert.ok(existsSync(sock));
  const run = await runCheck(['--json'], { DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: NO_PLUGINS });
  const daemon = byId(parse(run), 'docker-daemon');
  assert.equal(run.code, 3);
  assert.match(daemon.found, /nothing answers on/);
  assert.match(daemon.remedy!, /nothing listens on that address/);
});

test('the current docker context is honoured, as `docker context create/use` store it', async (t) => {
  if (!needsEngine(t)) return;
  const real = (dockerCli(['context', 'inspect', '--format', '{{.Endpoints.docker.Host}}']).stdout.trim() || 'unix:///var/run/docker.sock');
  const cfg = join(scratch, 'contexts');
  mkdirSync(cfg, { recursive: true });
  const ctl = (...args: string[]) => {
    const r = dockerCli(['--config', cfg, 'context', ...args], { ...process.env, DOCKER_HOST: '' });
    assert.equal(r.status, 0, r.stderr);
  };
  ctl('create', 'nowhere', '--docker', `host=unix://${join(scratch, 'nowhere.sock')}`);
  ctl('create', 'here', '--docker', `host=${real}`);
  const env = { DOCKER_CONFIG: cfg, DOCKER_HOST: '' };

  ctl('use', 'nowhere');
  const bad = await runCheck(['--json'], env);
  const badDaemon = byId(parse(bad), 'docker-daemon');
  assert.equal(bad.code, 3);
  assert.equal(badDaemon.status, 'fail');
  assert.match(badDaemon.found, /\(endpoint from context nowhere\)/);

  ctl('use', 'here');
  const good = byId(parse(await runCheck(['--json'], env)), 'docker-daemon');
  assert.equal(good.status, 'pass');
  assert.equal(good.data?.source, 'context here');

  // DOCKER_CONTEXT overrides the current context, like the CLI
  const viaEnv = byId(parse(await runCheck(['--json'], { ...env, DOCKER_CONTEXT: 'nowhere' })), 'docker-daemon');
  assert.equal(viaEnv.status, 'fail');
});

test("check only reads: every Engine API call is a GET of /info, /containers/json, or host-ownership's volume and container lists and its built images by name", async (t) => {
  if (!needsEngine(t)) return;
  const real = dockerCli(['context', 'inspect', '--format', '{{.Endpoints.docker.Host}}']).stdout.trim() || 'unix:///var/run/docker.sock';
  if (!needs(t, real.startsWith('unix://'), `the engine is not on a unix socket (${real})`)) return;
  // A recording proxy on a local socket in front of the real engine.
  const seen: string[] = [];
  const proxySock = join(scratch, 'proxy.sock');
  const proxy = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const up = http.request({ socketPath: new URL(real).pathname, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => proxy.listen(proxySock, () => r()));
  try {
    const run = await runCheck(['--json'], { DOCKER_HOST: `unix://${proxySock}`, DOCKER_CONFIG: V2_CONFIG ?? NO_PLUGINS });
    const results = parse(run);
    assertExitMatches(run, results);
    assert.equal(byId(results, 'docker-daemon').status, 'pass');
    assert.deepEqual(
      [...new Set(seen.map((s) => s.split('?filters=')[0]))].sort(),
      [
        'GET /containers/json',
        'GET /containers/json?all=1',
        // each image the release builds, by name (the engine-wide /images/json walks every image)
        'GET /images/sentry-cleanup-onpremise-local/json',
        'GET /images/sentry-onpremise-local/json',
        'GET /images/snuba-cleanup-onpremise-local/json',
        'GET /images/symbolicator-cleanup-onpremise-local/json',
        'GET /info',
        'GET /volumes',
      ],
    );
  } finally {
    proxy.close();
  }
});

test('permission denied on the socket: docker-daemon names the docker group or root', async (t) => {
  if (!needsEngine(t)) return;
  const setpriv = spawnSync('setpriv', ['--version']).status === 0;
  const sock = '/var/run/docker.sock';
  const worldAccessible = existsSync(sock) && (statSync(sock).mode & 0o006) === 0o006;
  const possible = process.getuid?.() === 0 && setpriv && existsSync(sock) && !worldAccessible;
  if (!needs(t, possible, 'needs root, setpriv and a socket not open to everyone, to run check as "nobody"')) return;
  if (!needs(t, reachableByOthers(process.execPath), `needs ${process.execPath} executable by other users, to run check as "nobody"`)) return;
  // The checkout may sit where other users cannot enter (a 0700 home): "nobody" runs a copy of the built
  // package from a directory open to everyone, with its own (empty) Docker config, and works in it.
  const pkg = mkdtempSync(join(reachableByOthers(join(tmpdir(), 'x')) ? tmpdir() : '/tmp', 'check-nobody-'));
  try {
    cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    mkdirSync(join(pkg, 'docker-config'));
    spawnSync('chmod', ['-R', 'a+rX', pkg]);
    const r = spawnSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, join(pkg, relative(ROOT, CLI)), 'check', '--json'],
      { cwd: pkg, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: '/nonexistent', DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: join(pkg, 'docker-config') } },
    );
    assert.equal(r.status, 3, r.stderr);
    const daemon = byId(parse({ code: r.status, stdout: r.stdout, stderr: r.stderr }), 'docker-daemon');
    assert.match(daemon.found, /permission denied on unix:\/\/\/var\/run\/docker\.sock/);
    assert.match(daemon.remedy!, /docker group/);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
  } finally {
    rmSync(pkg, { recursive: true, force: true });
  }
});

/** Whether users other than the owner can reach the path: every directory above it searchable by others. */
function reachableByOthers(path: string): boolean {
  for (let p = dirname(path); ; p = dirname(p)) {
    if ((statSync(p).mode & 0o001) === 0) return false;
    if (p === dirname(p)) return true;
  }
}

test('an unknown tag is exit 2 naming the field', async () => {
  const run = await runCheck(['--tag', '21.1.0'], {});
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--tag: got "21\.1\.0"; expected one of 9\.1\.2, 20\.7\.0/);
  assert.equal(run.stdout, '');
});

test('check --help goes to the full parser: usage with every flag, exit 0', async () => {
  const run = await runCheck(['--help'], {});
  assert.equal(run.code, 0);
  for (const flag of ['--dir', '--answers', '--tag', '--json', '--skip-check']) assert.match(run.stdout, new RegExp(`${flag} `));
  const bad = await runCheck(['--jsn'], {});
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown option '--jsn'/);
});

test('a build without dist/check.cjs runs check through the full CLI with the same results', async (t) => {
  if (!needsEngine(t)) return;
  // The package as plain `tsc` leaves it: dist/ without the bundle.
  const pkg = join(scratch, 'no-bundle');
  mkdirSync(pkg);
  cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true });
  rmSync(join(pkg, 'dist', 'check.cjs'));
  cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  for (const d of ['node_modules', 'templates', 'compose', 'nginx']) symlinkSync(join(ROOT, d), join(pkg, d));
  const env = { DOCKER_CONFIG: V2_CONFIG ?? NO_PLUGINS };
  const bundled = await runCheck(['--json', '--tag', '9.1.2'], env);
  const plain = await runCheckWith(join(pkg, relative(ROOT, CLI)), ['--json', '--tag', '9.1.2'], env);
  assert.equal(plain.code, bundled.code);
  const summary = (r: Run) => parse(r).map((c) => `${c.id}:${c.status}`);
  assert.deepEqual(summary(plain), summary(bundled));
  assert.deepEqual(parse(plain).map((c) => c.id), [...CHECK_IDS]);
});

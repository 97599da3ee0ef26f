#!/usr/bin/env node
// Times `sentry-onprem check` against what install.sh runs for the same facts, in the same run and on
// the same engine, under Compose v1 and (when its plugin is found) v2. Exits 1 when check is not at
// least 10x faster. Needs a running engine, dist/ built, and a local busybox image (no registry pull).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// The installed command (package.json's bin), as `npx sentry-onprem check` runs it. BENCH_CLI: time
// another entry point (e.g. dist/install.js, the full CLI) against the same install.sh run.
const BIN = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).bin['sentry-onprem'];
const CLI = process.env.BENCH_CLI || join(ROOT, BIN);
const RUNS = Number(process.env.BENCH_RUNS || 9);
const MIN_RATIO = 10;

function die(msg) {
  console.error(`bench-check: ${msg}`);
  process.exit(1);
}

const quiet = (cmd, args, env = process.env) => spawnSync(cmd, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

if (!existsSync(CLI)) die(`${CLI} is missing: run \`npm run build\` first`);
if (quiet('docker', ['version', '--format', '{{.Server.Version}}']).status !== 0) die('no Docker engine answers (start dockerd first)');
// install.sh runs `busybox`; without a registry the image must be local (e2e/busybox from scripts/e2e-base-image.sh works).
const image = ['busybox:latest', 'e2e/busybox:latest'].find((i) => quiet('docker', ['image', 'inspect', i]).status === 0);
if (!image) die('no local busybox image: build e2e/busybox:latest with scripts/e2e-base-image.sh, or `docker tag` one as busybox:latest');

// What install.sh runs to learn the same facts: engine version, compose version, RAM, SSE 4.2 (one container each).
const INSTALL_SH = [
  ['docker', ['version', '--format', '{{.Server.Version}}']],
  ['docker-compose', ['--version']],
  ['docker', ['run', '--rm', image, 'free', '-m']],
  ['docker', ['run', '--rm', image, 'grep', '-c', 'sse4_2', '/proc/cpuinfo']],
];

function timeInstallSh(env) {
  const t = performance.now();
  for (const [cmd, args] of INSTALL_SH) {
    const r = quiet(cmd, args, env);
    if (r.status !== 0 && !(args.includes('grep') && r.status === 1)) die(`${cmd} ${args.join(' ')} failed: ${r.stderr.trim()}`);
  }
  return (performance.now() - t) / 1000;
}

function timeCheck(env) {
  const t = performance.now();
  const r = quiet('node', [CLI, 'check', '--json'], env);
  const s = (performance.now() - t) / 1000;
  // 0 (all good) and 3 (this host misses something) are both answers; anything else is a broken run.
  if (r.status !== 0 && r.status !== 3) die(`check exited ${r.status}: ${r.stderr.trim()}`);
  JSON.parse(r.stdout);
  return s;
}

const settle = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);

function timed(cmd, args, env = process.env) {
  const t = performance.now();
  quiet(cmd, args, env);
  return (performance.now() - t) / 1000;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function pluginConfigDir() {
  const dirs = [process.env.SENTRY_ONPREM_E2E_DOCKER_CONFIG, '/tmp/sentry-onprem-e2e/docker-config', '/tmp/e2e-compose-v2/cfg'];
  return dirs.find((d) => d && existsSync(join(d, 'cli-plugins', 'docker-compose')));
}

const scratch = mkdtempSync(join(tmpdir(), 'bench-check-'));
const modes = [{ label: 'compose v1', dockerConfig: join(scratch, 'no-plugins') }];
const v2 = pluginConfigDir();
if (v2) modes.push({ label: 'compose v2', dockerConfig: v2 });
else console.error('bench-check: no compose v2 plugin found; timing compose v1 only');

let worst = Infinity;
let lastMode = null;
try {
  for (const mode of modes) {
    const cache = join(scratch, `cache-${mode.label.replace(/\W/g, '')}`);
    const env = { ...process.env, DOCKER_CONFIG: mode.dockerConfig, XDG_CACHE_HOME: cache };
    const cold = timeCheck(env); // empty cache: compose's version is really asked
    timeInstallSh(env); // warm-up, so neither side pays for a cold page cache
    const ours = [];
    const theirs = [];
    for (let i = 0; i < RUNS; i++) {
      // Interleaved, each after a pause: `docker run --rm` returns while the engine is still tearing the
      // container down, and neither side should be timed against the other's leftovers.
      settle();
      theirs.push(timeInstallSh(env));
      settle();
      ours.push(timeCheck(env));
    }
    const a = median(ours);
    const b = median(theirs);
    const ratio = b / a;
    worst = Math.min(worst, ratio);
    console.log(`check: ${a.toFixed(2)} s; install.sh equivalent: ${b.toFixed(2)} s; ratio ${ratio.toFixed(1)}x (${mode.label}, median of ${RUNS})`);
    console.log(`  first check with an empty version cache: ${cold.toFixed(2)} s; ratio ${(b / cold).toFixed(1)}x`);
    lastMode = { env, theirs: b };
  }
  // The floor any Node CLI pays on this machine, for reading the numbers above.
  const bare = median(Array.from({ length: RUNS }, () => timed(process.execPath, ['-e', '0'])));
  const cli = median(Array.from({ length: RUNS }, () => timed(process.execPath, [CLI, '--version'])));
  console.log(`  for scale: node -e 0: ${bare.toFixed(3)} s; sentry-onprem --version: ${cli.toFixed(3)} s`);
  // NODE_EXTRA_CA_CERTS makes Node parse that CA bundle at every start, before any script runs (here
  // ~30 ms of a bare start). The ratio above keeps the environment as it is; this line shows the share.
  if (process.env.NODE_EXTRA_CA_CERTS && lastMode) {
    const { NODE_EXTRA_CA_CERTS: _, ...without } = lastMode.env;
    const bareWithout = median(Array.from({ length: RUNS }, () => timed(process.execPath, ['-e', '0'], without)));
    const checkWithout = median(Array.from({ length: RUNS }, () => timeCheck(without)));
    console.log(
      `  for scale: this environment sets NODE_EXTRA_CA_CERTS, which Node reads at every start: node -e 0 without it: ${bareWithout.toFixed(3)} s; ` +
        `check without it: ${checkWithout.toFixed(3)} s (ratio ${(lastMode.theirs / checkWithout).toFixed(1)}x, not the one that counts)`,
    );
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
if (worst < MIN_RATIO) {
  console.error(`bench-check: check must be at least ${MIN_RATIO}x faster; worst ratio ${worst.toFixed(1)}x`);
  process.exit(1);
}

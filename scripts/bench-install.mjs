#!/usr/bin/env node
// A first 9.1.2 install on the stand-in images (their base images present, the local Sentry image built
// by the install), then a no-op re-run, measured in the same run.
// Prints the total time, the time spent inside Docker operations (compose commands, the waits for
// PostgreSQL and for health), the overhead ratio total/docker (target <= 1.10) and the no-op re-run
// time as a fraction of the full install (target <= 0.05). Needs the engine and images of .ci/run.
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'install.js');
const base = mkdtempSync(join(tmpdir(), 'sentry-onprem-bench-'));
const dir = join(base, 'install');
const answers = join(base, 'answers.yml');
writeFileSync(answers, 'tag: 9.1.2\nurl: https://sentry.bench.test\nadmin: {email: admin@bench.test, password: "bench-pw-1"}\nports: {http: 18980, https: 18981}\n');
const v2 = '/tmp/sentry-onprem-e2e/docker-config';
const env = { ...process.env, CI: 'true', DOCKER_CONFIG: v2 };

function clean() {
  try {
    execFileSync('docker', ['compose', 'down', '-v', '--remove-orphans', '-t', '2'], { cwd: dir, env, stdio: 'ignore' });
  } catch {}
  for (const v of ['sentry-data', 'sentry-postgres']) try { execFileSync('docker', ['volume', 'rm', '-f', v], { stdio: 'ignore' }); } catch {}
  try { execFileSync(process.execPath, [CLI, 'cron', 'remove', '--dir', dir], { stdio: 'ignore' }); } catch {}
}

function run(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`install exited ${r.status}:\n${r.stderr.slice(-2000)}`);
  return ms;
}

/** Sums the durations of the docker operations recorded in the run's log ($ cmd ... exit N: cmd; wait X ms). */
function dockerMs(logFile) {
  let total = 0;
  let started;
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    const at = Date.parse(line.slice(0, 24));
    const text = line.slice(25);
    if (text.startsWith('$ ')) started = at;
    else if (/^exit -?\d+/.test(text) && started !== undefined) {
      total += at - started;
      started = undefined;
    } else {
      const w = text.match(/^wait (postgres|health) (\d+) ms$/);
      if (w) total += Number(w[2]);
    }
  }
  return total;
}

let code = 0;
try {
  clean();
  // A first install: the release's images are on the host (as after a pull), the local Sentry image is not.
  for (const args of [['rmi', '-f', 'sentry-onpremise-local'], ['builder', 'prune', '-af']]) {
    try { execFileSync('docker', args, { stdio: 'ignore' }); } catch {}
  }
  const full = run(['install', '--dir', dir, '--answers', answers, '--yes']);
  const logs = readdirSync(join(dir, 'logs')).filter((f) => f.startsWith('install-')).sort();
  const inDocker = dockerMs(join(dir, 'logs', logs[logs.length - 1]));
  const noop = run(['install', '--dir', dir, '--yes']);
  const overhead = full / inDocker;
  const fraction = noop / full;
  console.log(`install 9.1.2: total ${(full / 1000).toFixed(2)} s; inside docker operations ${(inDocker / 1000).toFixed(2)} s; overhead ratio ${overhead.toFixed(2)} (target <= 1.10)`);
  console.log(`no-op re-run: ${(noop / 1000).toFixed(2)} s = ${fraction.toFixed(3)} of the full install (target <= 0.05)`);
  if (overhead > 1.1 || fraction > 0.05) code = 1;
} finally {
  clean();
  rmSync(base, { recursive: true, force: true });
}
process.exit(code);

#!/usr/bin/env node
// A first install on the stand-in images (their base images present, the local images built by the
// install), then a no-op re-run, measured in the same run: 9.1.2 (4 services) and 26.8.0 (57 services,
// feature-complete; --skip-check cpu on a 2-CPU machine).
// Prints per release the total time, the time spent inside Docker operations (compose commands, the
// waits for PostgreSQL and for health), the overhead ratio total/docker (target <= 1.10) and the no-op
// re-run time as a fraction of the full install (target <= 0.05). Needs the engine and images of .ci/run.
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readdirSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'install.js');
const v2 = '/tmp/sentry-onprem-e2e/docker-config';
const env = { ...process.env, CI: 'true', DOCKER_CONFIG: v2 };

const RELEASES = [
  { tag: '9.1.2', local: ['sentry-onpremise-local'], extra: '', flags: [] },
  {
    tag: '26.8.0',
    local: ['sentry-self-hosted-local', 'sentry-cleanup-self-hosted-local', 'clickhouse-self-hosted-local'],
    // Images by tag (stand-ins carry no digest) and the nodestore plugin from the local wheelhouse: no network.
    extra: 'images: {digests: drop}\nplugins: [sentry-nodestore-s3==1.0.0]\n',
    flags: ['--skip-check', 'cpu'],
    // The test engine's hard nofile limit is 20000 (scripts/e2e-engine.sh); the release asks up to 262144.
    override: ['kafka', 'clickhouse'].map((s) => `  ${s}:\n    ulimits:\n      nofile: {soft: 20000, hard: 20000}\n`).join(''),
  },
];

function run(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args[0]} exited ${r.status}:\n${r.stderr.slice(-2000)}`);
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

function bench(rel, i) {
  const base = mkdtempSync(join(tmpdir(), `sentry-onprem-bench-${rel.tag}-`));
  const dir = join(base, 'install');
  const answers = join(base, 'answers.yml');
  mkdirSync(dir);
  const port = 18980 + 2 * i;
  writeFileSync(answers, `tag: ${rel.tag}\nurl: https://sentry.bench.test\nadmin: {email: admin@bench.test, password: "bench-pw-1"}\nports: {http: ${port}, https: ${port + 1}}\n${rel.extra}`);
  if (rel.override) writeFileSync(join(dir, 'docker-compose.override.yml'), `services:\n${rel.override}`);
  const clean = () => {
    try { run(['uninstall', '--dir', dir, '--delete-data', '--yes']); } catch {}
  };
  try {
    // A first install: the release's images are on the host (as after a pull), its local images are not.
    for (const args of [['rmi', '-f', ...rel.local], ['builder', 'prune', '-af']]) {
      try { execFileSync('docker', args, { stdio: 'ignore' }); } catch {}
    }
    const full = run(['install', '--dir', dir, '--answers', answers, '--yes', ...rel.flags]);
    const logs = readdirSync(join(dir, 'logs')).filter((f) => f.startsWith('install-')).sort();
    const inDocker = dockerMs(join(dir, 'logs', logs[logs.length - 1]));
    const noop = run(['install', '--dir', dir, '--yes', ...rel.flags]);
    const overhead = full / inDocker;
    const fraction = noop / full;
    console.log(`install ${rel.tag}: total ${(full / 1000).toFixed(2)} s; inside docker operations ${(inDocker / 1000).toFixed(2)} s; overhead ratio ${overhead.toFixed(2)} (target <= 1.10)`);
    console.log(`no-op re-run ${rel.tag}: ${(noop / 1000).toFixed(2)} s = ${fraction.toFixed(3)} of the full install (target <= 0.05)`);
    return overhead <= 1.1 && fraction <= 0.05;
  } finally {
    clean();
    rmSync(base, { recursive: true, force: true });
  }
}

let code = 0;
const only = process.argv.slice(2);
for (const [i, rel] of RELEASES.entries()) {
  if (only.length && !only.includes(rel.tag)) continue;
  if (!bench(rel, i)) code = 1;
}
process.exit(code);

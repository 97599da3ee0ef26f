#!/usr/bin/env node
// `npm run bench`: start-up time of the installed command (package.json's bin, `--version`) against bare `node -e 0`,
// measured in the same run (interleaved, median of RUNS each). Fails when the CLI takes 3x or more.
// Then runs scripts/bench-check.mjs, scripts/bench-install.mjs and scripts/bench-bundle.ts (with tsx) when they exist,
// printing their lines.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).bin['sentry-onprem']);
const RUNS = Number(process.env.BENCH_RUNS || 20);
const MAX_RATIO = 3;

if (!existsSync(CLI)) {
  console.error(`bench: ${CLI} is missing: run \`npm run build\` first`);
  process.exit(1);
}

function timeOnce(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// One warm-up of each (file cache), then interleaved runs so load changes hit both alike.
timeOnce(['-e', '0']);
timeOnce([CLI, '--version']);
const bare = [];
const cli = [];
for (let i = 0; i < RUNS; i++) {
  bare.push(timeOnce(['-e', '0']));
  cli.push(timeOnce([CLI, '--version']));
}
const mBare = median(bare);
const mCli = median(cli);
const ratio = mCli / mBare;
console.log(`bench startup: node -e 0 median ${mBare.toFixed(1)} ms, sentry-onprem --version median ${mCli.toFixed(1)} ms, ratio ${ratio.toFixed(2)}x (limit < ${MAX_RATIO}x, ${RUNS} runs each)`);
let failed = ratio >= MAX_RATIO;
if (failed) console.log(`bench startup: FAIL, ${ratio.toFixed(2)}x >= ${MAX_RATIO}x: something heavy loads at start-up (see install.ts)`);

function runScript(name) {
  const file = join(ROOT, 'scripts', name);
  if (!existsSync(file)) {
    console.log(`bench: ${name} not present, skipped`);
    return Promise.resolve(0);
  }
  console.log(`bench: running ${name}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...(name.endsWith('.ts') ? ['--import', 'tsx'] : []), file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const prefix = (stream, out) => {
      let rest = '';
      stream.on('data', (d) => {
        const lines = (rest + d).split('\n');
        rest = lines.pop();
        for (const l of lines) out.write(`[${name}] ${l}\n`);
      });
      stream.on('end', () => rest && out.write(`[${name}] ${rest}\n`));
    };
    prefix(child.stdout, process.stdout);
    prefix(child.stderr, process.stderr);
    child.on('exit', (code) => {
      console.log(`bench: ${name} exited ${code}`);
      resolve(code ?? 1);
    });
  });
}

for (const s of ['bench-check.mjs', 'bench-install.mjs', 'bench-bundle.ts']) if ((await runScript(s)) !== 0) failed = true;
process.exit(failed ? 1 : 0);

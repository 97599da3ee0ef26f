/**
 * The published package: `npm pack`, installed into an empty folder with `npm install <tgz>` (its
 * dependencies come from the npm registry), gives a working `npx sentry-onprem` whose render finds its
 * templates and renders exactly what the repository renders.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ensureBuilt, fullAnswers, removeDir, render, ROOT, tempDir, writeAnswers, writeFixedSecrets } from '../helpers/cli.js';
import { requireReaders } from '../helpers/readers.js';

ensureBuilt();

function run(cmd: string, args: string[], cwd: string, timeout = 300_000) {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
  delete env.CI;
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout, maxBuffer: 32 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (relative(dir, p) !== '.sentry-onprem' && relative(dir, p) !== 'tls') walk(p);
      } else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

test('npm pack, installed into an empty folder: npx sentry-onprem --help works and renders with its templates', { timeout: 600_000 }, (t) => {
  if (!requireReaders(t, 'npm', 'openssl')) return;
  const root = tempDir();
  try {
    // --ignore-scripts: `prepare` would run tsc again; dist/ was just built and checked for freshness.
    const pack = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', root], ROOT);
    assert.equal(pack.code, 0, pack.stderr);
    const info = JSON.parse(pack.stdout)[0] as { filename: string; files: Array<{ path: string }> };
    assert.equal(info.filename, 'sentry-onprem-0.1.0.tgz');
    const packed = info.files.map((f) => f.path);
    for (const must of ['dist/install.js', 'package.json', 'templates/9.1.2/docker-compose.yml.hbs', 'templates/20.7.0/docker-compose.yml.hbs', 'nginx/nginx.conf.hbs', 'templates/common/config-head.yml.hbs', 'templates/20.7.0/sentry.conf.py.hbs']) {
      assert.ok(packed.includes(must), `${must} is not in the package`);
    }
    assert.ok(!packed.some((p) => p.startsWith('test/') || p.startsWith('src/') || p.endsWith('.ts')), 'tests or TypeScript sources are packed');

    const app = join(root, 'app');
    mkdirSync(app);
    const install = run('npm', ['install', '--no-audit', '--no-fund', join(root, info.filename)], app);
    assert.equal(install.code, 0, `npm install of the tarball failed:\n${install.stderr}`);
    assert.ok(existsSync(join(app, 'node_modules', '.bin', 'sentry-onprem')));

    const help = run('npx', ['sentry-onprem', '--help'], app, 60_000);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /Usage: sentry-onprem/);
    assert.match(help.stdout, /\brender\b/);
    const version = run('npx', ['sentry-onprem', '--version'], app, 60_000);
    assert.equal(version.stdout.trim(), '0.1.0');

    // A render from the installed package, started from another working directory.
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere);
    const answers = writeAnswers(join(root, 'answers.yml'), fullAnswers('20.7.0'));
    const fromPkg = join(root, 'from-package');
    writeFixedSecrets(fromPkg);
    const r = run(join(app, 'node_modules', '.bin', 'sentry-onprem'), ['render', '--dir', fromPkg, '--answers', answers, '--yes'], elsewhere, 60_000);
    assert.equal(r.code, 0, r.stderr);
    const viaNpx = run('npx', ['sentry-onprem', 'render', '--dir', join(root, 'via-npx'), '--answers', answers, '--yes', '--dry-run'], app, 60_000);
    assert.equal(viaNpx.code, 0, viaNpx.stderr);
    assert.match(viaNpx.stdout, /\+\+\+ b\/docker-compose\.yml/);

    // Same output as the repository's own render.
    const fromRepo = join(root, 'from-repo');
    writeFixedSecrets(fromRepo);
    assert.equal(render(fromRepo, answers).code, 0);
    assert.deepEqual(files(fromPkg), files(fromRepo));
    assert.ok(files(fromPkg).length >= 13);
    for (const f of files(fromRepo)) assert.equal(readFileSync(join(fromPkg, f), 'utf8'), readFileSync(join(fromRepo, f), 'utf8'), f);
  } finally {
    removeDir(root);
  }
});

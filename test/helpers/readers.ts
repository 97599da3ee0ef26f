/**
 * The programs that read rendered files in production, driven from tests: PyYAML, python3,
 * docker-compose (v1), docker compose (v2), nginx. A missing reader fails the test when CI is set
 * and skips it (with the reason printed) otherwise.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import yaml from 'js-yaml';
import { FIXTURES } from './cli.js';

export const COMPOSE_V2_CONFIG = '/tmp/sentry-onprem-e2e/docker-config';
export const COMPOSE_V1 = '/usr/bin/docker-compose';

export type Reader = 'pyyaml' | 'python3' | 'compose-v1' | 'compose-v2' | 'nginx' | 'unshare-root' | 'openssl' | 'npm';

function ok(cmd: string, args: string[], opts: SpawnSyncOptions = {}): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 30_000, ...opts });
  return r.status === 0;
}

const cache = new Map<Reader, string | null>();

/**
 * The python3 that has PyYAML (Debian's python3-yaml is for /usr/bin/python3; a python3 earlier on PATH,
 * e.g. a pyenv shim, may lack it), else the first python3 at all.
 */
export const PYTHON: string = (() => {
  const candidates = ['python3', '/usr/bin/python3'];
  return candidates.find((p) => ok(p, ['-c', 'import yaml'])) ?? candidates.find((p) => ok(p, ['-c', 'pass'])) ?? 'python3';
})();

/** null when the reader is usable, otherwise why not. */
export function missing(reader: Reader): string | null {
  if (cache.has(reader)) return cache.get(reader)!;
  let why: string | null = null;
  switch (reader) {
    case 'python3':
      if (!ok(PYTHON, ['-c', 'import ast, json, runpy'])) why = 'python3 is not on PATH';
      break;
    case 'pyyaml':
      if (!ok(PYTHON, ['-c', 'import yaml'])) why = 'PyYAML is not importable by python3 (apt-get install python3-yaml)';
      break;
    case 'compose-v1':
      if (!existsSync(COMPOSE_V1) || !ok(COMPOSE_V1, ['version'])) why = `${COMPOSE_V1} (compose v1) is missing (apt-get install docker-compose)`;
      break;
    case 'compose-v2':
      if (!existsSync(join(COMPOSE_V2_CONFIG, 'cli-plugins', 'docker-compose')) || !ok('docker', ['compose', 'version'], { env: { ...process.env, DOCKER_CONFIG: COMPOSE_V2_CONFIG } }))
        why = `compose v2 plugin missing at ${COMPOSE_V2_CONFIG}/cli-plugins (scripts/e2e-engine.sh installs it)`;
      break;
    case 'nginx':
      if (!ok('nginx', ['-v'])) why = 'nginx is not on PATH (apt-get install nginx)';
      break;
    case 'unshare-root':
      if (process.getuid?.() !== 0) why = 'not root: a private mount namespace needs root';
      else if (!ok('unshare', ['-m', 'true'])) why = 'unshare -m does not work here';
      break;
    case 'openssl':
      if (!ok('openssl', ['version'])) why = 'openssl is not on PATH';
      break;
    case 'npm':
      if (!ok('npm', ['--version'])) why = 'npm is not on PATH';
      break;
  }
  cache.set(reader, why);
  return why;
}

/** True when every reader is there. Otherwise: under CI the test fails; elsewhere it is skipped with the reason. */
export function requireReaders(t: TestContext, ...readers: Reader[]): boolean {
  const reasons = readers.map(missing).filter((r): r is string => r !== null);
  if (!reasons.length) return true;
  const reason = reasons.join('; ');
  if (process.env.CI) throw new Error(`required reader missing (CI is set, so this fails): ${reason}`);
  console.log(`# skipped: ${reason}`);
  t.skip(reason);
  return false;
}

function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024, ...opts });
  if (r.error) throw r.error;
  return { code: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** PyYAML's safe_load of a file, as JSON. */
export function pyyamlLoad(file: string): unknown {
  const r = run(PYTHON, ['-c', 'import json, sys, yaml\nwith open(sys.argv[1], "rb") as f:\n    d = yaml.safe_load(f)\njson.dump(d, sys.stdout)', file]);
  if (r.code !== 0) throw new Error(`PyYAML could not load ${file}:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Executes sentry.conf.py against the stand-in sentry.conf.server with the given environment. */
export function sentryConf(file: string, env: Record<string, string> = {}): Record<string, any> {
  const r = run(PYTHON, [join(FIXTURES, 'dump_settings.py'), file, JSON.stringify(env)]);
  if (r.code !== 0) throw new Error(`python3 could not execute ${file}:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Python 3.4-level syntax check and the encoding rule: ASCII only unless an encoding is declared. */
export function pythonSyntax(file: string): { ok: boolean; error?: string; ascii: boolean; declaresEncoding: boolean } {
  const script = [
    'import ast, json, re, sys',
    'src = open(sys.argv[1], "rb").read()',
    'head = src.split(b"\\n")[:2]',
    'declares = any(re.match(br"^[ \\t\\f]*#.*?coding[:=][ \\t]*([-\\w.]+)", l) for l in head)',
    'res = {"ascii": all(b < 128 for b in src), "declaresEncoding": bool(declares)}',
    'try:',
    '    ast.parse(src, filename=sys.argv[1], feature_version=(3, 4))',
    '    res["ok"] = True',
    'except SyntaxError as e:',
    '    res["ok"] = False',
    '    res["error"] = "%s (line %s)" % (e.msg, e.lineno)',
    'json.dump(res, sys.stdout)',
  ].join('\n');
  const r = run(PYTHON, ['-c', script, file]);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

/** The compose file and .env of an install dir as compose v1 or v2 resolves them (`config`). */
export function composeConfig(dir: string, version: 1 | 2): { code: number | null; config?: any; stderr: string } {
  const env = { ...process.env };
  // The install's .env must be the only source of variables.
  for (const k of Object.keys(env)) if (/^(COMPOSE_|SENTRY_|SYMBOLICATOR_|DOCKER_HOST)/.test(k)) delete env[k];
  if (version === 1) {
    const r = run(COMPOSE_V1, ['config'], { cwd: dir, env });
    // v1 prints its result as compose input again: a literal $ comes out as $$ -- except in the short
    // "source:target:mode" volume strings, which it prints as they are.
    return { code: r.code, config: r.code === 0 ? unescapeDollars(yaml.load(r.stdout), [], true) : undefined, stderr: r.stderr };
  }
  const r = run('docker', ['compose', 'config', '--format', 'json'], { cwd: dir, env: { ...env, DOCKER_CONFIG: COMPOSE_V2_CONFIG } });
  // v2 too prints compose input: every literal $ of every string comes out as $$.
  return { code: r.code, config: r.code === 0 ? unescapeDollars(JSON.parse(r.stdout), [], false) : undefined, stderr: r.stderr };
}

function unescapeDollars(v: unknown, path: string[], keepShortVolumes: boolean): unknown {
  if (typeof v === 'string') {
    const shortVolume = keepShortVolumes && path.length === 4 && path[0] === 'services' && path[2] === 'volumes';
    return shortVolume ? v : v.replace(/\$\$/g, '$');
  }
  if (Array.isArray(v)) return v.map((x, i) => unescapeDollars(x, [...path, String(i)], keepShortVolumes));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unescapeDollars(x, [...path, k], keepShortVolumes)]));
  return v;
}

/** A compose `environment` (map or list) as a map. */
export function envMap(environment: unknown): Record<string, string> {
  if (!environment) return {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(environment.map((s: string) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)]));
  }
  return Object.fromEntries(Object.entries(environment as Record<string, unknown>).map(([k, v]) => [k, v == null ? '' : String(v)]));
}

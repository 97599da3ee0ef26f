/**
 * Which Compose the install will run: the v2 plugin (`docker compose`) when it is new enough for the
 * release, else the standalone `docker-compose` (v1, or a v2 binary installed under that name).
 * The standalone one is only asked when needed: as v1 it takes ~0.5 s to print its version. Both
 * answers (and "no plugin") are cached by the files they depend on (see compose-version-cache.ts).
 */
import { existsSync } from 'node:fs';
import { findExecutable } from './find-executable.js';
import { readCachedVersion, versionCacheFile, writeCachedVersion } from './compose-version-cache.js';
import { isMissingPluginOutput, parseComposeVersion } from './parse-compose-version.js';
import { composePluginCandidates } from './plugin-candidates.js';
import { semverGte, toSemver } from './parse-version.js';
import { runProbe, type RunProbe } from './run-probe.js';

export interface ComposeInfo {
  /** What to run: ['docker', 'compose'] or ['docker-compose']. */
  argv: string[];
  /** semver, for comparisons */
  version: string;
  /** as the binary printed it */
  printed: string;
  flavor: 'v1' | 'v2';
  /** the standalone binary that was asked (absent for the plugin) */
  path?: string;
  /** the version came from the cache, not from running the binary */
  cached?: boolean;
}

export type ComposeProbe = { ok: true; info: ComposeInfo } | { ok: false; argv: string[]; reason: string };

export interface ComposeDetection {
  /** null when no Compose on this host meets `minimum` (and the v1 rule). */
  chosen: ComposeInfo | null;
  plugin: ComposeProbe;
  /** null when not asked, because the plugin was good enough. */
  standalone: ComposeProbe | null;
}

export interface DetectComposeOptions {
  /** lowest acceptable version (the release's minimum); omitted: any */
  minimum?: string;
  /** false for releases that dropped Compose v1 */
  allowV1?: boolean;
  env?: NodeJS.ProcessEnv;
  run?: RunProbe;
  cacheFile?: string | null;
}

export async function detectCompose(opts: DetectComposeOptions = {}): Promise<ComposeDetection> {
  const env = opts.env ?? process.env;
  const run = opts.run ?? runProbe;
  const minimum = opts.minimum ? toSemver(opts.minimum) : null; // catalog style "17.05.0" is not strict semver
  const good = (p: ComposeProbe): p is { ok: true; info: ComposeInfo } =>
    p.ok && (!minimum || semverGte(p.info.version, minimum)) && (opts.allowV1 !== false || p.info.flavor === 'v2');

  const cacheFile = opts.cacheFile === undefined ? versionCacheFile(env) : opts.cacheFile;
  const plugin = await probePlugin(run, env, cacheFile);
  if (good(plugin)) return { chosen: plugin.info, plugin, standalone: null };
  const standalone = await probeStandalone(run, env, cacheFile);
  const chosen = [plugin, standalone].find(good);
  return { chosen: chosen?.ok ? chosen.info : null, plugin, standalone };
}

function flavorOf(version: string): 'v1' | 'v2' {
  return Number(version.split('.')[0]) >= 2 ? 'v2' : 'v1';
}

async function probePlugin(run: RunProbe, env: NodeJS.ProcessEnv, cacheFile: string | null): Promise<ComposeProbe> {
  const argv = ['docker', 'compose'];
  const missing: ComposeProbe = { ok: false, argv, reason: 'the docker CLI has no compose plugin' };
  const docker = findExecutable('docker', env.PATH ?? '');
  // The CLI runs the first docker-compose it finds in these places, so the docker binary and these
  // paths (present or not) are all the answer depends on: any plugin installed, upgraded or removed
  // changes the key. Not on Windows, whose plugin lookup is not modelled here.
  const keyFiles = cacheFile && docker && process.platform !== 'win32' ? [docker, ...composePluginCandidates(env)] : null;
  const cached = keyFiles ? readCachedVersion(cacheFile as string, keyFiles) : null;
  if (cached !== null && isMissingPluginOutput(cached)) return missing;
  let output = cached;
  if (output === null) {
    // `version`, not `--version`: without the plugin, `docker compose --version` prints Docker's own version.
    const r = await run(docker ?? 'docker', ['compose', 'version'], { env });
    if (r.spawnError) return { ok: false, argv, reason: r.spawnError === 'ENOENT' ? 'no docker CLI on PATH' : `docker: ${r.spawnError}` };
    const text = `${r.stdout}\n${r.stderr}`;
    if (r.exitCode !== 0) {
      if (!isMissingPluginOutput(text)) return { ok: false, argv, reason: `docker compose version failed (exit ${r.exitCode}): ${firstLine(text)}` };
      // "No plugin" is remembered only when no plugin file exists anywhere the CLI looks (a shim such
      // as podman's `docker` may find compose elsewhere, so its answer is not trusted to stay).
      if (keyFiles && !keyFiles.slice(1).some((f) => existsSync(f))) writeCachedVersion(cacheFile as string, keyFiles, text);
      return missing;
    }
    output = r.stdout;
  }
  return finish(argv, output, keyFiles, cacheFile, cached !== null);
}

async function probeStandalone(run: RunProbe, env: NodeJS.ProcessEnv, cacheFile: string | null): Promise<ComposeProbe> {
  const argv = ['docker-compose'];
  const path = findExecutable('docker-compose', env.PATH ?? '');
  if (!path) return { ok: false, argv, reason: 'no docker-compose on PATH' };
  const keyFiles = cacheFile ? [path] : null;
  const cached = keyFiles ? readCachedVersion(cacheFile as string, keyFiles) : null;
  let output = cached;
  if (output === null) {
    const r = await run(path, ['--version'], { env });
    if (r.spawnError || r.exitCode !== 0) {
      return { ok: false, argv, reason: `${path} --version failed: ${r.spawnError ?? `exit ${r.exitCode}`} ${firstLine(r.stderr)}`.trim() };
    }
    output = r.stdout;
  }
  const probe = finish(argv, output, keyFiles, cacheFile, cached !== null);
  if (probe.ok) probe.info.path = path;
  return probe;
}

function finish(argv: string[], output: string, keyFiles: string[] | null, cacheFile: string | null, cached: boolean): ComposeProbe {
  const v = parseComposeVersion(output);
  if (!v) return { ok: false, argv, reason: `cannot read a version from "${firstLine(output)}"` };
  if (keyFiles && cacheFile && !cached) writeCachedVersion(cacheFile, keyFiles, output);
  const info: ComposeInfo = { argv, version: v.version, printed: v.printed, flavor: flavorOf(v.version) };
  if (cached) info.cached = true;
  return { ok: true, info };
}

function firstLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find(Boolean)?.slice(0, 160) ?? '';
}

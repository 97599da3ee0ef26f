/**
 * Every file the docker CLI could run for `docker compose` (docker/cli's plugin lookup: the config
 * dir's cli-plugins, config.json's cliPluginsExtraDirs, then the system dirs). Used only as a cache
 * key: any of them appearing, changing or going away makes the cached plugin version stale.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dockerConfigDir } from './endpoint.js';

const SYSTEM_PLUGIN_DIRS = [
  '/usr/local/lib/docker/cli-plugins',
  '/usr/local/libexec/docker/cli-plugins',
  '/usr/lib/docker/cli-plugins',
  '/usr/libexec/docker/cli-plugins',
];

export function composePluginCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const configDir = dockerConfigDir(env);
  let extra: string[] = [];
  try {
    const cfg = JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')) as { cliPluginsExtraDirs?: unknown };
    if (Array.isArray(cfg.cliPluginsExtraDirs)) extra = cfg.cliPluginsExtraDirs.filter((d): d is string => typeof d === 'string');
  } catch {
    /* no config.json: no extra dirs */
  }
  return [join(configDir, 'cli-plugins'), ...extra, ...SYSTEM_PLUGIN_DIRS].map((d) => join(d, 'docker-compose'));
}

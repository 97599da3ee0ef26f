/**
 * Which engine to talk to, resolved the way the docker CLI resolves it, so `check` and the install
 * reach the same engine as the user's `docker` commands: DOCKER_HOST, else DOCKER_CONTEXT, else the
 * current context of the CLI config, else the platform's default socket.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
  verify: boolean;
}

export interface DockerEndpoint {
  /** As the CLI would print it: unix:///var/run/docker.sock, tcp://host:2376, ssh://user@host. */
  host: string;
  /** Where it came from, for messages: "DOCKER_HOST", "context prod", "default". */
  source: string;
  tls?: TlsFiles;
}

type Env = Record<string, string | undefined>;

export const DEFAULT_HOST = process.platform === 'win32' ? 'npipe:////./pipe/docker_engine' : 'unix:///var/run/docker.sock';

export function dockerConfigDir(env: Env = process.env): string {
  return env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
}

export function resolveDockerEndpoint(env: Env = process.env): DockerEndpoint {
  // Same precedence as docker/cli's resolveContextName: DOCKER_HOST beats DOCKER_CONTEXT beats config.json.
  if (env.DOCKER_HOST) return { host: env.DOCKER_HOST, source: 'DOCKER_HOST', tls: tlsFromEnv(env) };
  const configDir = dockerConfigDir(env);
  const name = env.DOCKER_CONTEXT || currentContext(configDir);
  if (name && name !== 'default') return contextEndpoint(configDir, name, env.DOCKER_CONTEXT ? 'DOCKER_CONTEXT' : join(configDir, 'config.json'));
  return { host: DEFAULT_HOST, source: 'default', tls: tlsFromEnv(env) };
}

function tlsFromEnv(env: Env): TlsFiles | undefined {
  // The CLI turns TLS on with DOCKER_TLS_VERIFY (verify) or DOCKER_TLS (no verify), files in DOCKER_CERT_PATH.
  const verify = !!env.DOCKER_TLS_VERIFY;
  if (!verify && !env.DOCKER_TLS) return undefined;
  const dir = env.DOCKER_CERT_PATH || dockerConfigDir(env);
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), verify };
}

function currentContext(configDir: string): string | undefined {
  try {
    const cfg = JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')) as { currentContext?: unknown };
    return typeof cfg.currentContext === 'string' ? cfg.currentContext : undefined;
  } catch {
    return undefined; // no config.json (or unreadable): the CLI falls back to the default context too
  }
}

/** Reads contexts/meta/<sha256(name)>/meta.json and its TLS files, as `docker context create` stores them. */
export function contextEndpoint(configDir: string, name: string, selectedBy = 'config.json'): DockerEndpoint {
  // node:crypto only here, on demand: loading it costs more than the rest of endpoint resolution.
  const id = process.getBuiltinModule('node:crypto').createHash('sha256').update(name).digest('hex');
  const metaFile = join(configDir, 'contexts', 'meta', id, 'meta.json');
  let meta: { Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } };
  try {
    meta = JSON.parse(readFileSync(metaFile, 'utf8'));
  } catch {
    throw new EndpointError(`docker context "${name}" (selected by ${selectedBy}) does not exist: no ${metaFile}`, `context ${name}`);
  }
  const docker = meta.Endpoints?.docker;
  if (!docker?.Host) throw new EndpointError(`docker context "${name}" has no docker endpoint`, `context ${name}`);
  const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker');
  const file = (f: string) => (existsSync(join(tlsDir, f)) ? join(tlsDir, f) : undefined);
  const tls = existsSync(tlsDir) ? { ca: file('ca.pem'), cert: file('cert.pem'), key: file('key.pem'), verify: !docker.SkipTLSVerify } : undefined;
  return { host: docker.Host, source: `context ${name}`, tls };
}

/** A selected context that cannot be used: reported by the docker-daemon check, never thrown at the user. */
export class EndpointError extends Error {
  constructor(
    message: string,
    readonly source: string,
  ) {
    super(message);
    this.name = 'EndpointError';
  }
}

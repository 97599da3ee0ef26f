/**
 * The engine adapter: the few Engine API reads the checks need, and the dockerode client for the
 * install's heavier work. Both are built from one resolved endpoint, so every part of the tool talks to
 * the engine the user's docker CLI talks to.
 */
import { resolveDockerEndpoint, EndpointError, type DockerEndpoint } from './endpoint.js';
import { EngineError, classifyEngineError } from './engine-error.js';
import { httpTarget, getJson } from './engine-http.js';

export interface EngineInfo {
  MemTotal: number;
  NCPU: number;
  DockerRootDir: string;
  Architecture: string;
  OperatingSystem?: string;
  ServerVersion?: string;
}

export interface PublishedPort {
  publicPort: number;
  hostIp: string;
  container: string;
  /** compose project label, when the container belongs to one */
  project?: string;
}

export interface Engine {
  endpoint: DockerEndpoint;
  info(): Promise<EngineInfo>;
  /** Host ports published by running containers (they may hold a port without a listening process). */
  publishedPorts(): Promise<PublishedPort[]>;
  /** Any other read-only Engine API GET (the ownership check reads volumes, containers and images); errors keep statusCode. */
  get<T>(path: string): Promise<T>;
}

export const ENGINE_TIMEOUT_MS = 8000;

interface ContainerSummary {
  Names?: string[];
  Labels?: Record<string, string>;
  Ports?: Array<{ PublicPort?: number; IP?: string; Type?: string }>;
}

/** signal: abandons every request still under way (for the reads of a command that stops early). */
export function connectEngine(endpoint: DockerEndpoint = resolveDockerEndpoint(), timeoutMs = ENGINE_TIMEOUT_MS, signal?: AbortSignal): Engine {
  const target = httpTarget(endpoint);
  // ssh:// goes through dockerode, which speaks it.
  const get = target
    ? <T>(path: string) => getJson<T>(target, path, timeoutMs, signal)
    : async <T>(path: string): Promise<T> => {
        const modem = (await openDockerode(endpoint, timeoutMs)).modem as unknown as DockerodeModem;
        return new Promise<T>((resolve, reject) =>
          modem.dial({ path, method: 'GET', statusCodes: { 200: true } }, (err, data) => (err ? reject(err) : resolve(data as T))),
        );
      };
  const call = async <T>(path: string): Promise<T> => {
    try {
      return await get<T>(path);
    } catch (err) {
      throw classifyEngineError(err, endpoint);
    }
  };
  return {
    endpoint,
    info: () => call<EngineInfo>('/info'),
    get: <T>(path: string) => get<T>(path), // errors keep their statusCode (404: no such object)
    publishedPorts: async () => {
      const list = await call<ContainerSummary[]>('/containers/json');
      return list.flatMap((c) =>
        (c.Ports ?? [])
          .filter((p) => p.PublicPort && (p.Type ?? 'tcp') === 'tcp')
          .map((p) => ({
            publicPort: p.PublicPort as number,
            hostIp: p.IP ?? '',
            container: (c.Names?.[0] ?? '?').replace(/^\//, ''),
            project: c.Labels?.['com.docker.compose.project'],
          })),
      );
    },
  };
}

interface DockerodeModem {
  dial(opts: object, cb: (err: unknown, data: unknown) => void): void;
}

/**
 * dockerode for the install pipeline, built from the same endpoint. Imported only here and only on
 * demand: it loads grpc-js and ssh2 (~140 ms), more than a whole `check` run takes.
 */
export async function openDockerode(endpoint: DockerEndpoint = resolveDockerEndpoint(), timeoutMs = ENGINE_TIMEOUT_MS) {
  const { default: Docker } = await import('dockerode');
  const { dockerodeOptions } = await import('./dockerode-options.js');
  return new Docker({ ...dockerodeOptions(endpoint), timeout: timeoutMs });
}

/** Resolves the endpoint without throwing: a broken context becomes an engine error the checks report. */
export function tryConnectEngine(env: Record<string, string | undefined> = process.env, signal?: AbortSignal): Engine | EngineError {
  try {
    return connectEngine(resolveDockerEndpoint(env), ENGINE_TIMEOUT_MS, signal);
  } catch (err) {
    if (err instanceof EndpointError) return new EngineError('context', err.message);
    if (err instanceof EngineError) return err;
    throw err;
  }
}

/**
 * The slow facts every check shares, asked once and as early as possible: the engine (/info,
 * published ports) and the Compose detection. They answer from other processes, so `check`
 * starts them first and loads the checks while they run.
 */
import { minimumsFor } from '../src/catalog.js';
import { detectCompose, type ComposeDetection } from '../src/engine/detect-compose.js';
import type { DockerEndpoint } from '../src/engine/endpoint.js';
import { tryConnectEngine, type PublishedPort } from '../src/engine/engine.js';
import { EngineError, classifyEngineError } from '../src/engine/engine-error.js';
import type { EngineProbe } from './types.js';

export interface SharedProbes {
  endpoint: DockerEndpoint | null;
  engine(): Promise<EngineProbe>;
  publishedPorts(): Promise<PublishedPort[]>;
  compose(): Promise<ComposeDetection>;
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}

export function startProbes(o: { tag: string; env?: NodeJS.ProcessEnv }): SharedProbes {
  const env = o.env ?? process.env;
  const minimums = minimumsFor(o.tag);
  const conn = tryConnectEngine(env);
  const probes: SharedProbes = {
    endpoint: conn instanceof EngineError ? null : conn.endpoint,
    engine: once(async () => {
      if (conn instanceof EngineError) return { ok: false, error: conn };
      try {
        // /info alone: it carries the server version too, and /version costs the engine more than
        // /info does (it asks containerd, runc and docker-init for theirs).
        return { ok: true, facts: { info: await conn.info() } };
      } catch (err) {
        return { ok: false, error: classifyEngineError(err, conn.endpoint) };
      }
    }),
    publishedPorts: once(async () => (conn instanceof EngineError ? [] : conn.publishedPorts())),
    compose: once(() => detectCompose({ minimum: minimums.compose, allowV1: minimums.composeV1, env })),
  };
  void probes.engine();
  void probes.publishedPorts().catch(() => undefined); // the ports check decides what a failure here means
  void probes.compose();
  return probes;
}

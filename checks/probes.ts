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

/** The engine's reads, which do not depend on the release: started before anything else. */
export interface EngineProbes {
  endpoint: DockerEndpoint | null;
  engine(): Promise<EngineProbe>;
  publishedPorts(): Promise<PublishedPort[]>;
  /** abandons reads still under way (the command stopped early, e.g. on a bad flag) */
  cancel(): void;
}

export interface SharedProbes extends EngineProbes {
  compose(): Promise<ComposeDetection>;
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}

export function startEngineProbes(env: NodeJS.ProcessEnv = process.env): EngineProbes {
  const controller = new AbortController();
  const conn = tryConnectEngine(env, controller.signal);
  const probes: EngineProbes = {
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
    cancel: () => controller.abort(),
  };
  void probes.engine();
  void probes.publishedPorts().catch(() => undefined); // the ports check decides what a failure here means
  return probes;
}

/** o.engine: the engine reads, when the caller started them already (startEngineProbes). */
export function startProbes(o: { tag: string; env?: NodeJS.ProcessEnv; engine?: EngineProbes }): SharedProbes {
  const env = o.env ?? process.env;
  const minimums = minimumsFor(o.tag);
  const engine = o.engine ?? startEngineProbes(env);
  const compose = once(() => detectCompose({ minimum: minimums.compose, allowV1: minimums.composeV1, env }));
  void compose();
  return { ...engine, compose };
}

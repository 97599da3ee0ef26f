/**
 * What a preflight check is and what it reports. `check` prints these; the install pipeline runs the
 * same checks before it changes anything.
 */
import type { Minimums, ReleaseInfo } from '../src/catalog.js';
import type { DockerEndpoint } from '../src/engine/endpoint.js';
import type { EngineInfo, PublishedPort } from '../src/engine/engine.js';
import type { EngineError } from '../src/engine/engine-error.js';
import type { ComposeDetection } from '../src/engine/detect-compose.js';
import type { EngineLimitsProbe } from './host/engine-limits.js';
import type { OwnershipEngine } from '../src/ownership/engine.js';
import type { Storage } from '../src/ownership/request.js';
import type { ExternalDbOptions } from './external-db.js';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  /** stable: scripts and --skip-check use it */
  id: string;
  title: string;
  status: CheckStatus;
  /** what this host has */
  found: string;
  /** what the release needs */
  required: string;
  /** one sentence saying what to do; null when there is nothing to do */
  remedy: string | null;
  /** machine-readable facts behind `found` (bytes, versions, the compose argv) */
  data?: Record<string, unknown>;
  /** set when --skip-check turned this failure into a warning */
  skipped?: boolean;
}

export type Verdict = Omit<CheckResult, 'id' | 'title' | 'skipped'>;

export interface Check {
  id: string;
  title: string;
  run(ctx: CheckContext): Promise<Verdict>;
}

export interface EngineFacts {
  info: EngineInfo;
}

export type EngineProbe = { ok: true; facts: EngineFacts } | { ok: false; error: EngineError };

export type FreeSpace = { ok: true; path: string; bytes: number; device: number } | { ok: false; path: string; reason: string };

export interface PortProbe {
  port: number;
  free: boolean;
  /** who holds it, as far as this host lets us see: "nginx (pid 812)", "container sentry_nginx_1" */
  holders: string[];
  /** why the holder could not be named (not root), or why the bind test was not possible */
  notes: string[];
}

/** Everything a check reads from the host or the engine. Tests pass fakes. */
export interface HostProbes {
  freeSpace(path: string): Promise<FreeSpace>;
  cpuinfo(): Promise<string | null>;
  port(port: number): Promise<PortProbe>;
  /** dockerd's limits, capabilities and user namespace, for an engine on this host (its DOCKER_HOST) */
  engineLimits(host: string): Promise<EngineLimitsProbe>;
}

export interface CheckContext {
  tag: string;
  minimums: Minimums;
  release: Pick<ReleaseInfo, 'clickhouse' | 'ulimits'>;
  endpoint: DockerEndpoint | null;
  /** false when the engine is reached over the network: its disk and CPU are not this host's */
  engineIsLocal: boolean;
  /** memoized: every check that needs the engine shares one /info call (it carries the server version) */
  engine(): Promise<EngineProbe>;
  publishedPorts(): Promise<PublishedPort[]>;
  /** memoized */
  compose(): Promise<ComposeDetection>;
  host: HostProbes;
  installDir: string;
  ports: { http: number; https?: number };
  /** compose project of this install: its own containers holding the ports are not a conflict (re-runs) */
  ownProject?: string;
  diskFloorBytes: number;
  /** host-ownership: the answers' storage before they are saved, --adopt-volumes, a fake engine in tests */
  ownership?: OwnershipOptions;
  /** external-db: the external servers of the answers (absent: none, or `check` without them) */
  externalDb?: ExternalDbOptions;
}

export interface OwnershipOptions {
  storage?: Storage;
  adoptVolumes?: boolean;
  engine?: OwnershipEngine;
}

/** The preflight checks as one call, for `check` and for the install pipeline. */
import type { SupportedTag } from '../src/catalog.js';
import { createCheckContext } from './context.js';
import type { SharedProbes } from './probes.js';
import { runCheckList } from './run-checks.js';
import type { CheckResult, HostProbes, OwnershipOptions } from './types.js';
import type { ExternalDbOptions } from './external-db.js';

export interface PreflightOptions {
  tag: SupportedTag;
  profile?: string;
  installDir: string;
  ports: { http: number; https?: number };
  /** ids whose failure becomes a warning (--skip-check) */
  skip?: readonly string[];
  /** compose project of this install: ports its own containers hold are not a conflict */
  ownProject?: string;
  env?: NodeJS.ProcessEnv;
  diskFloorBytes?: number;
  host?: HostProbes;
  /** host-ownership's inputs that are not on disk yet (a first install's storage, --adopt-volumes) */
  ownership?: OwnershipOptions;
  /** external-db's servers, passwords and probe image (from the full answers) */
  externalDb?: ExternalDbOptions;
  /** engine and Compose probes already started (startProbes), so they overlap with loading the checks */
  probes?: SharedProbes;
}

export async function runChecks(o: PreflightOptions): Promise<CheckResult[]> {
  const ctx = createCheckContext(o); // starts the engine and Compose probes unless o.probes did
  const { ALL_CHECKS } = await import('./all-checks.js'); // loads while the engine answers
  return runCheckList(ALL_CHECKS, ctx, o.skip ?? []);
}

export { CHECK_IDS, type CheckId } from './check-ids.js';
export { hasFailure } from './run-checks.js';
export { startProbes, type SharedProbes } from './probes.js';
export type { CheckResult, CheckStatus } from './types.js';

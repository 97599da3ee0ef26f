/**
 * The bundle this run installs from (`install --bundle`, `upgrade --bundle`), verified before anything changed.
 * While one is set, images come from it and nothing is pulled: the images step loads what the engine lacks
 * from the bundle and refuses to reach a registry.
 */
import type { VerifiedBundle } from './verify.js';

let current: VerifiedBundle | undefined;

export function useBundle(b: VerifiedBundle | undefined): void {
  current = b;
}

export function activeBundle(): VerifiedBundle | undefined {
  return current;
}

/** The verdict of a check that needs the engine when the engine did not answer. */
import type { Verdict } from './types.js';

export function engineUnavailable(required: string): Verdict {
  // A failure, not a warning: an unknown value cannot be shown to meet the release's minimum.
  return {
    status: 'fail',
    found: 'unknown: the Docker engine did not answer',
    required,
    remedy: 'Fix the docker-daemon check first; this one is read from the engine.',
  };
}

/**
 * memory: what the engine can give containers (MemTotal) against the release's minimum.
 * Hosts sold as "4 GB" report a little less (kernel and firmware reserve), which made install.sh fail
 * by 11 MB; up to 5 % under the minimum is a warning that says so, not a failure.
 */
import { engineUnavailable } from './engine-unavailable.js';
import type { Check, Verdict } from './types.js';
import type { Minimums } from '../src/catalog.js';

const MB = 1024 * 1024;
export const MEMORY_TOLERANCE_PERCENT = 5;

export function decideMemory(memTotalBytes: number, min: Pick<Minimums, 'ramMb' | 'ramSoftMb'>): Verdict {
  const mb = Math.floor(memTotalBytes / MB);
  const required = `${min.ramMb} MB${min.ramSoftMb ? ` (${min.ramSoftMb} MB recommended)` : ''}`;
  const found = `${mb} MB available to containers`;
  const data = { memTotalBytes, minimumMb: min.ramMb };
  // Compared in bytes: flooring to MB first would turn "exactly 5 % under" into "just over 5 % under".
  if (memTotalBytes >= min.ramMb * MB) {
    if (min.ramSoftMb && memTotalBytes < min.ramSoftMb * MB) {
      return { status: 'warn', found: `${found}, under the recommended ${min.ramSoftMb} MB`, required, remedy: `Sentry runs, but give it ${min.ramSoftMb} MB for steady use.`, data };
    }
    return { status: 'pass', found, required, remedy: null, data };
  }
  const shortMb = min.ramMb - memTotalBytes / MB;
  const share = (shortMb / min.ramMb) * 100;
  const pct = share < 0.1 ? '< 0.1' : share.toFixed(1);
  // Integer arithmetic, so "exactly 5 % under" is not lost to 0.95 having no exact binary form.
  if (memTotalBytes * 100 >= min.ramMb * MB * (100 - MEMORY_TOLERANCE_PERCENT)) {
    return {
      status: 'warn',
      found: `${found}: ${Math.ceil(shortMb)} MB (${pct} %) under the minimum, within the ${MEMORY_TOLERANCE_PERCENT} % tolerance`,
      required,
      remedy: 'Sentry should start, but add memory or a swap file before relying on it under load.',
      data,
    };
  }
  return {
    status: 'fail',
    found: `${found}: ${Math.ceil(shortMb)} MB (${pct} %) under the minimum`,
    required,
    remedy: `Give the engine at least ${min.ramMb} MB (more RAM, or a larger memory limit for Docker Desktop or the VM).`,
    data,
  };
}

export const memoryCheck: Check = {
  id: 'memory',
  title: 'Memory for containers',
  async run(ctx) {
    const probe = await ctx.engine();
    if (!probe.ok) return engineUnavailable(`${ctx.minimums.ramMb} MB`);
    return decideMemory(probe.facts.info.MemTotal, ctx.minimums);
  },
};

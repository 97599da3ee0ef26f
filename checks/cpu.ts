/** cpu: CPUs the engine reports (NCPU) against the release's minimum, where the release has one. */
import { engineUnavailable } from './engine-unavailable.js';
import type { Check, Verdict } from './types.js';

export function decideCpu(ncpu: number, minimum: number | undefined, tag: string): Verdict {
  const found = `${ncpu} CPU${ncpu === 1 ? '' : 's'}`;
  const data = { ncpu, minimum: minimum ?? null };
  if (minimum === undefined) return { status: 'pass', found, required: `no CPU minimum for ${tag}`, remedy: null, data };
  const required = `${minimum} CPUs`;
  if (ncpu >= minimum) return { status: 'pass', found, required, remedy: null, data };
  return { status: 'fail', found, required, remedy: `Give the engine at least ${minimum} CPUs.`, data };
}

export const cpuCheck: Check = {
  id: 'cpu',
  title: 'CPUs',
  async run(ctx) {
    const probe = await ctx.engine();
    if (!probe.ok) return engineUnavailable(ctx.minimums.cpus ? `${ctx.minimums.cpus} CPUs` : `no CPU minimum for ${ctx.tag}`);
    return decideCpu(probe.facts.info.NCPU, ctx.minimums.cpus, ctx.tag);
  },
};

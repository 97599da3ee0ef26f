/**
 * sse42: ClickHouse (releases from 10.0.0) needs SSE 4.2 on x86_64. Hypervisors that show a generic
 * CPU model hide the flag even when the host has it, so there it is a warning (as install.sh 20.7.0+).
 */
import { isGenericVirtualCpu, parseCpuinfo } from './host/parse-cpuinfo.js';
import { normalizeArch } from './arch.js';
import type { Check, Verdict } from './types.js';

export function decideSse42(opts: { needed: boolean; arch: string; cpuinfo: string | null; kvmEscape: boolean; tag: string }): Verdict {
  const required = opts.needed ? 'SSE 4.2 on x86_64 (ClickHouse)' : `not needed for ${opts.tag} (no ClickHouse)`;
  if (!opts.needed) return { status: 'pass', found: 'not checked', required, remedy: null };
  if (normalizeArch(opts.arch) !== 'x86_64') return { status: 'pass', found: `${opts.arch}: SSE 4.2 does not apply`, required, remedy: null };
  if (opts.cpuinfo === null) {
    return { status: 'warn', found: 'CPU flags not readable from this host', required, remedy: 'Make sure the Docker host CPU has SSE 4.2 (grep sse4_2 /proc/cpuinfo there).' };
  }
  const cpu = parseCpuinfo(opts.cpuinfo);
  const data = { model: cpu.model, sse42: cpu.flags.has('sse4_2') };
  if (cpu.flags.has('sse4_2')) return { status: 'pass', found: `${cpu.model}: sse4_2`, required, remedy: null, data };
  if (opts.kvmEscape && isGenericVirtualCpu(cpu.model)) {
    return {
      status: 'warn',
      found: `${cpu.model}: no sse4_2 flag (a generic virtual CPU hides host flags)`,
      required,
      remedy: 'Set the VM CPU model to host passthrough (or one with SSE 4.2), else ClickHouse crashes.',
      data,
    };
  }
  return { status: 'fail', found: `${cpu.model}: no sse4_2 flag`, required, remedy: 'Run Sentry on a CPU with SSE 4.2 (Intel Nehalem / AMD Bulldozer or newer).', data };
}

export const sse42Check: Check = {
  id: 'sse42',
  title: 'SSE 4.2 for ClickHouse',
  async run(ctx) {
    const needed = ctx.minimums.sse42 && ctx.release.clickhouse;
    if (!needed) return decideSse42({ needed, arch: '', cpuinfo: null, kvmEscape: ctx.minimums.kvmEscape, tag: ctx.tag });
    // The engine's CPU is only this host's CPU when the engine runs here. Read while the engine answers.
    const reading = ctx.engineIsLocal ? ctx.host.cpuinfo() : Promise.resolve(null);
    const probe = await ctx.engine();
    const arch = probe.ok ? probe.facts.info.Architecture : process.arch === 'x64' ? 'x86_64' : process.arch;
    const cpuinfo = await reading;
    return decideSse42({ needed, arch, cpuinfo, kvmEscape: ctx.minimums.kvmEscape, tag: ctx.tag });
  },
};

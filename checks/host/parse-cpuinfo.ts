/** The facts the SSE 4.2 check needs from /proc/cpuinfo (first processor; they are all the same model). */
export interface CpuFacts {
  model: string;
  flags: Set<string>;
}

export function parseCpuinfo(text: string): CpuFacts {
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  return { model: field('model name') || field('cpu model') || 'unknown CPU', flags: new Set(field('flags').split(/\s+/).filter(Boolean)) };
}

/** Hypervisor CPU models that hide host flags by default (QEMU/KVM without host passthrough). */
export function isGenericVirtualCpu(model: string): boolean {
  return /Common KVM processor|QEMU Virtual CPU|Common 32-bit KVM processor/i.test(model);
}

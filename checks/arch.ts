/**
 * arch: the engine's CPU architecture. The ClickHouse images of the releases this tool installs
 * (yandex/clickhouse-server 19.x/20.x) were published for amd64 only.
 */
import { engineUnavailable } from './engine-unavailable.js';
import type { Check, Verdict } from './types.js';

export function normalizeArch(arch: string): string {
  const a = arch.toLowerCase();
  if (a === 'amd64' || a === 'x86_64' || a === 'x64') return 'x86_64';
  if (a === 'arm64' || a === 'aarch64') return 'aarch64';
  return a;
}

export function decideArch(arch: string, clickhouse: boolean, tag: string): Verdict {
  const a = normalizeArch(arch);
  const data = { architecture: arch };
  if (a === 'x86_64') return { status: 'pass', found: arch, required: 'x86_64', remedy: null, data };
  if (clickhouse) {
    return { status: 'fail', found: arch, required: `x86_64 (the ClickHouse image of ${tag} exists for amd64 only)`, remedy: 'Install on an x86_64 host.', data };
  }
  return {
    status: 'warn',
    found: arch,
    required: 'x86_64 (tested)',
    remedy: `Make sure every image of Sentry ${tag} exists for ${arch}, or install on an x86_64 host.`,
    data,
  };
}

export const archCheck: Check = {
  id: 'arch',
  title: 'CPU architecture',
  async run(ctx) {
    const probe = await ctx.engine();
    if (!probe.ok) return engineUnavailable('x86_64');
    return decideArch(probe.facts.info.Architecture, ctx.release.clickhouse, ctx.tag);
  },
};

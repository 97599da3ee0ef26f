/**
 * ulimits: can the engine give the release's containers the limits its compose file asks for
 * (20.7.0: ClickHouse nofile 262144)? Where it cannot, `run`/`up` fails at the first start with runc's
 * "error setting rlimit type 7": common in LXC/Proxmox containers, with rootless Docker, and with a
 * low LimitNOFILE on docker.service. The release's limits come from the catalog, with the install
 * directory's docker-compose.override.yml applied. Only a local engine's limits can be read.
 */
import { effectiveUlimits } from '../compose/ulimits.js';
import { fmt, ulimitProblems, ulimitRemedy, type ServiceUlimits } from '../src/engine/rlimits.js';
import type { EngineLimitsProbe } from './host/engine-limits.js';
import type { Check, Verdict } from './types.js';

function describe(u: ServiceUlimits): string {
  const parts = Object.entries(u).flatMap(([s, l]) => Object.entries(l).map(([n, r]) => `${s} ${n} ${fmt(r.soft)}/${fmt(r.hard)}`));
  return parts.length ? `the engine can set ${parts.join(', ')} (soft/hard)` : 'no ulimits asked for';
}

export function decideUlimits(o: { wanted: ServiceUlimits; engineIsLocal: boolean; probe: EngineLimitsProbe | null; overridePath: string; overrideExists: boolean }): Verdict {
  const required = describe(o.wanted);
  const all = Object.entries(o.wanted).flatMap(([service, l]) => Object.entries(l).map(([name, wanted]) => ({ service, name, wanted })));
  if (!all.length) return { status: 'pass', found: 'nothing to set', required, remedy: null };
  if (!o.engineIsLocal || !o.probe || !o.probe.ok) {
    const why = !o.engineIsLocal ? 'the engine is on another host: its limits cannot be read from here' : o.probe && !o.probe.ok ? o.probe.reason : 'not read';
    return {
      status: 'warn',
      found: `not checked: ${why}`,
      required,
      remedy: `If the engine cannot set them, the first container start fails with runc's "error setting rlimit type N"; the install then stops with the limit named and these remedies.\n${ulimitRemedy(all, o.overridePath, o.overrideExists)}`,
    };
  }
  const e = o.probe.limits;
  const problems = ulimitProblems(o.wanted, e);
  const data = { pid: e.pid, capSysResource: e.capSysResource, userns: e.userns, nrOpen: e.nrOpen, limits: Object.fromEntries([...e.limits].filter(([n]) => all.some((a) => a.name === n))) };
  const raise = e.capSysResource && !e.userns ? 'may raise its limits (CAP_SYS_RESOURCE)' : `may not raise its limits (${e.userns ? 'user namespace' : 'no CAP_SYS_RESOURCE'})`;
  const own = [...new Set(all.map((a) => a.name))].map((n) => `${n} ${fmt(e.limits.get(n)?.soft ?? NaN)}/${fmt(e.limits.get(n)?.hard ?? NaN)}`).join(', ');
  const found = `dockerd (pid ${e.pid}) has ${own}, ${raise}${e.nrOpen !== null ? `; fs.nr_open ${e.nrOpen}` : ''}`;
  if (!problems.length) return { status: 'pass', found, required, remedy: null, data };
  return {
    status: 'fail',
    found: `${found}: cannot set ${problems.map((p) => `${p.service} ${p.name} ${fmt(p.wanted.hard)} (${p.why})`).join('; ')}`,
    required,
    remedy: ulimitRemedy(problems, o.overridePath, o.overrideExists),
    data,
  };
}

export const ulimitsCheck: Check = {
  id: 'ulimits',
  title: 'Container ulimits',
  async run(ctx) {
    const base = ctx.release.ulimits ?? {};
    let eff;
    try {
      eff = await effectiveUlimits(ctx.installDir, base);
    } catch (err) {
      return {
        status: 'fail',
        found: `docker-compose.override.yml in ${ctx.installDir} is not valid YAML: ${(err as Error).message.split('\n')[0]}`,
        required: 'a docker-compose.override.yml Compose can read',
        remedy: 'Fix the file (Compose would refuse it too), then run again.',
      };
    }
    const hasAny = Object.keys(eff.ulimits).length > 0;
    const probe = hasAny && ctx.engineIsLocal ? await ctx.host.engineLimits(ctx.endpoint?.host ?? 'unix:///var/run/docker.sock') : null;
    return decideUlimits({ wanted: eff.ulimits, engineIsLocal: ctx.engineIsLocal, probe, overridePath: eff.overridePath, overrideExists: eff.overrideExists });
  },
};

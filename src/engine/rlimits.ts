/**
 * Resource limits (compose `ulimits`) and whether an engine can apply them. runc sets each one on the
 * container's first process; setting a hard limit above runc's own needs CAP_SYS_RESOURCE in the
 * initial user namespace, and RLIMIT_NOFILE can never exceed the kernel's fs.nr_open. runc inherits
 * its limits and capabilities from dockerd (or containerd), so those decide. Where they do not allow
 * a limit, runc fails with "error setting rlimit type N", which says neither which limit nor what to do:
 * the messages here say both.
 */

/** Docker's ulimit names, in RLIMIT_* number order (Linux), with the label /proc/PID/limits prints. */
const RLIMITS: ReadonlyArray<readonly [name: string, label: string]> = [
  ['cpu', 'Max cpu time'],
  ['fsize', 'Max file size'],
  ['data', 'Max data size'],
  ['stack', 'Max stack size'],
  ['core', 'Max core file size'],
  ['rss', 'Max resident set'],
  ['nproc', 'Max processes'],
  ['nofile', 'Max open files'],
  ['memlock', 'Max locked memory'],
  ['as', 'Max address space'],
  ['locks', 'Max file locks'],
  ['sigpending', 'Max pending signals'],
  ['msgqueue', 'Max msgqueue size'],
  ['nice', 'Max nice priority'],
  ['rtprio', 'Max realtime priority'],
  ['rttime', 'Max realtime timeout'],
];

/** A soft/hard pair; Infinity is "unlimited" (RLIM_INFINITY). */
export interface Rlimit {
  soft: number;
  hard: number;
}

/** What compose asks for: service -> ulimit name -> limits. */
export type ServiceUlimits = Record<string, Record<string, Rlimit>>;

export function rlimitName(type: number): string | undefined {
  return RLIMITS[type]?.[0];
}

/** RLIMIT_NOFILE, as the kernel and the manual pages call it. */
export function rlimitConstant(name: string): string {
  return `RLIMIT_${name.toUpperCase()}`;
}

/** /proc/PID/limits: "Max open files   20000   20000   files" per line. */
export function parseProcLimits(text: string): Map<string, Rlimit> {
  const byLabel = new Map(RLIMITS.map(([name, label]) => [label, name]));
  const out = new Map<string, Rlimit>();
  for (const line of text.split('\n')) {
    const label = line.slice(0, 26).trim();
    const name = byLabel.get(label);
    if (!name) continue;
    const [soft, hard] = line.slice(26).trim().split(/\s+/).map((v) => (v === 'unlimited' ? Infinity : Number(v)));
    if (Number.isFinite(soft) || soft === Infinity) out.set(name, { soft, hard });
  }
  return out;
}

/** What the engine's process can set, as far as this host shows it. */
export interface EngineLimits {
  pid: number;
  /** dockerd's own limits: the most runc may set without CAP_SYS_RESOURCE */
  limits: Map<string, Rlimit>;
  /** CAP_SYS_RESOURCE in dockerd's effective set */
  capSysResource: boolean;
  /** dockerd runs in a user namespace (rootless Docker, an unprivileged LXC container): no capability there raises a hard limit */
  userns: boolean;
  /** /proc/sys/fs/nr_open: the highest nofile anyone may set */
  nrOpen: number | null;
}

export interface UlimitProblem {
  service: string;
  name: string;
  wanted: Rlimit;
  /** the highest hard limit the engine can set (soft and hard at most this) */
  allowed: number;
  why: string;
}

/** Each ulimit the engine cannot apply, with the highest value it can. */
export function ulimitProblems(wanted: ServiceUlimits, engine: EngineLimits): UlimitProblem[] {
  const problems: UlimitProblem[] = [];
  const canRaise = engine.capSysResource && !engine.userns;
  for (const [service, limits] of Object.entries(wanted)) {
    for (const [name, want] of Object.entries(limits)) {
      const own = engine.limits.get(name);
      const ceiling = canRaise || !own ? Infinity : own.hard;
      const kernel = name === 'nofile' && engine.nrOpen !== null ? engine.nrOpen : Infinity;
      const allowed = Math.min(ceiling, kernel);
      if (want.hard <= allowed && want.soft <= allowed) continue;
      const why =
        want.hard > kernel
          ? `above the kernel's fs.nr_open (${kernel})`
          : `above dockerd's own hard limit (${fmt(own!.hard)}), which it may not raise`;
      problems.push({ service, name, wanted: want, allowed, why });
    }
  }
  return problems;
}

export function fmt(n: number): string {
  return n === Infinity ? 'unlimited' : String(n);
}

/**
 * What to do, with the exact lines: lower the limit in docker-compose.override.yml, or let the engine
 * set it (systemd drop-in, or fs.nr_open). allowed undefined: the engine's limit is not known here.
 */
export function ulimitRemedy(items: Array<{ service: string; name: string; wanted: Rlimit; allowed?: number }>, overridePath: string, overrideExists: boolean): string {
  const byService = new Map<string, typeof items>();
  for (const i of items) byService.set(i.service, [...(byService.get(i.service) ?? []), i]);
  const value = (i: (typeof items)[number]) => (i.allowed !== undefined && Number.isFinite(i.allowed) ? String(i.allowed) : '<the engine\'s hard limit>');
  const yaml = ["version: '3.4'", 'services:'];
  for (const [service, list] of byService) {
    yaml.push(`  ${service}:`, '    ulimits:');
    for (const i of list) yaml.push(`      ${i.name}:`, `        soft: ${value(i)}`, `        hard: ${value(i)}`);
  }
  // One systemd line per limit, high enough for the service that asks the most.
  const unique = [...items.reduce((m, i) => (m.has(i.name) && !(i.wanted.hard > m.get(i.name)!.wanted.hard) ? m : m.set(i.name, i)), new Map<string, (typeof items)[number]>()).values()];
  const systemd = unique.map((i) => `Limit${i.name.toUpperCase()}=${Number.isNaN(i.wanted.hard) ? '<the limit>' : fmt(i.wanted.hard)}`);
  const nrOpen = unique.find((i) => i.name === 'nofile' && i.wanted.hard > 1048576);
  return [
    `Either lower the limit for this install: ${overrideExists ? 'add to' : 'create'} ${overridePath}${overrideExists ? '' : ' with'}`,
    ...yaml,
    `or let the engine set it: \`systemctl edit docker.service\` (and containerd.service, when containerd runs as its own service), add`,
    '[Service]',
    ...systemd,
    `then \`systemctl restart docker\`${nrOpen ? ` (and \`sysctl -w fs.nr_open=${fmt(nrOpen.wanted.hard)}\`)` : ''}. In an unprivileged LXC/Proxmox container or with rootless Docker, raise the limit of the container or of the user instead (lxc.prlimit.nofile, limits.conf).`,
  ].join('\n');
}

/** runc's "error setting rlimit type 7: operation not permitted" in a command's output, or null. */
export function rlimitFailure(output: string): { type: number; name: string; detail: string } | null {
  const m = /error setting rlimit type (\d+)(: [^:\n"]+)?/.exec(output);
  if (!m) return null;
  const type = Number(m[1]);
  return { type, name: rlimitName(type) ?? `type ${type}`, detail: m[0] };
}

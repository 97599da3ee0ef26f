/**
 * A second Docker engine for the offline tests, started by the test and stopped by its PID: its own empty
 * --data-root, --exec-root, --pidfile and unix socket under a temporary directory, its own address pool and
 * default bridge addresses, inside a network namespace that has only loopback (no route anywhere). The shared engine
 * is never touched: images are removed and loaded only here.
 */
import { spawn, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface OfflineEngine {
  dir: string;
  netns: string;
  host: string;
  pid: number;
  /** `docker` against this engine. */
  docker(args: string[]): string;
  /** A command inside the network namespace. */
  inNetns(cmd: string, args: string[], env?: NodeJS.ProcessEnv, timeoutMs?: number): { code: number | null; stdout: string; stderr: string; ms: number };
  stop(): void;
}

export function canStartOfflineEngine(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (ip netns, dockerd)';
  for (const bin of ['/usr/sbin/ip', '/usr/bin/nsenter', '/usr/sbin/dockerd']) if (!existsSync(bin)) return `no ${bin}`;
  return null;
}

export async function startOfflineEngine(): Promise<OfflineEngine> {
  // Short: the socket path (and containerd's under the exec root) must stay below 108 bytes.
  const dir = mkdtempSync('/tmp/sonp-');
  const netns = `sonp-offline-${process.pid}`;
  execFileSync('ip', ['netns', 'add', netns]);
  execFileSync('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
  const sock = join(dir, 'docker.sock');
  const host = `unix://${sock}`;
  const logFd = openSync(join(dir, 'dockerd.log'), 'a');
  // nsenter enters the network namespace only and execs dockerd: the child's PID is dockerd's. (`ip netns exec`
  // would also mount a fresh /sys, hiding the cgroup mounts dockerd needs.)
  const child = spawn(
    'nsenter',
    [
      `--net=/run/netns/${netns}`, 'dockerd',
      '--data-root', join(dir, 'root'),
      '--exec-root', join(dir, 'exec'),
      '--pidfile', join(dir, 'docker.pid'),
      '-H', host,
      // Its own docker0 in the namespace (builds' RUN steps need the default bridge), on addresses of its own.
      '--bip', '10.214.0.1/24',
      '--default-address-pool', 'base=10.213.0.0/16,size=24',
      '--cgroup-parent', `sentry-onprem-offline-${process.pid}`,
    ],
    { detached: true, stdio: ['ignore', logFd, logFd] },
  );
  child.unref();
  const pid = child.pid!;
  const docker = (args: string[]) => execFileSync('docker', ['-H', host, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const engine: OfflineEngine = {
    dir,
    netns,
    host,
    pid,
    docker,
    inNetns(cmd, args, env = process.env, timeoutMs = 900_000) {
      const t0 = Date.now();
      const r = spawnSync('nsenter', [`--net=/run/netns/${netns}`, cmd, ...args], { env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
      return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ms: Date.now() - t0 };
    },
    stop() {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* gone already */
      }
      const until = Date.now() + 60_000;
      while (Date.now() < until && alive(pid)) spawnSync('sleep', ['0.2']);
      if (alive(pid)) process.kill(pid, 'SIGKILL');
      // Mounts dockerd left (it unmounts its own on a clean stop), deepest first.
      const mounts = spawnSync('findmnt', ['-rn', '-o', 'TARGET'], { encoding: 'utf8' }).stdout.split('\n').filter((m) => m.startsWith(dir + '/')).reverse();
      for (const m of mounts) spawnSync('umount', ['-l', m]);
      rmSync(dir, { recursive: true, force: true });
      spawnSync('ip', ['netns', 'del', netns]);
    },
  };
  const until = Date.now() + 60_000;
  for (;;) {
    try {
      docker(['info', '--format', '{{.ServerVersion}}']);
      break;
    } catch (err) {
      if (!alive(pid) || Date.now() > until) {
        const log = readFileSync(join(dir, 'dockerd.log'), 'utf8').slice(-3000);
        engine.stop();
        throw new Error(`the offline dockerd did not come up: ${(err as Error).message}\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const recorded = Number(readFileSync(join(dir, 'docker.pid'), 'utf8').trim());
  if (recorded !== pid) {
    engine.stop();
    throw new Error(`the offline dockerd's pidfile says ${recorded}, started ${pid}`);
  }
  return engine;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

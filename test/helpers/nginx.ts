/**
 * The host's real nginx run against a rendered nginx/ directory inside a private mount namespace
 * (see test/fixtures/nginx-ns.sh): `web` and `relay` resolve to loopback, the rendered certificate is
 * at /etc/nginx-tls as in the container. Nothing on the host is changed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { FIXTURES } from './cli.js';

export interface NginxWork {
  dir: string;
  conf: string;
}

/**
 * A work dir beside the install dir (removed with it) holding a copy of the rendered nginx/ and tls/,
 * and a hosts file mapping the upstream names.
 */
export function nginxWork(installDir: string, hosts: Record<string, string>, listen?: { http: number; https: number }): NginxWork {
  const dir = mkdtempSync(join(dirname(installDir), 'nginx-'));
  mkdirSync(join(dir, 'tls'));
  mkdirSync(join(dir, 'log'));
  cpSync(join(installDir, 'nginx'), join(dir, 'conf'), { recursive: true });
  for (const f of ['cert.pem', 'key.pem']) if (existsSync(join(installDir, 'tls', f))) cpSync(join(installDir, 'tls', f), join(dir, 'tls', f));
  const lines = ['127.0.0.1 localhost', ...Object.entries(hosts).map(([name, ip]) => `${ip} ${name}`)];
  writeFileSync(join(dir, 'hosts'), lines.join('\n') + '\n');
  if (listen) {
    // Only the listen lines change: inside the container nginx listens on 80/443; here on loopback test ports.
    const vhost = join(dir, 'conf', 'sentry.conf');
    const text = readFileSync(vhost, 'utf8')
      .replace(/^(\s*)listen 80;$/gm, `$1listen 127.0.0.1:${listen.http};`)
      .replace(/^(\s*)listen 443 ssl;$/gm, `$1listen 127.0.0.1:${listen.https} ssl;`);
    writeFileSync(vhost, text);
  }
  return { dir, conf: join(dir, 'conf', 'nginx.conf') };
}

function nsArgs(work: NginxWork, nginxArgs: string[]): string[] {
  return ['-m', 'sh', join(FIXTURES, 'nginx-ns.sh'), work.dir, 'nginx', '-c', work.conf, ...nginxArgs];
}

export function nginxTest(work: NginxWork): { code: number | null; output: string } {
  const r = spawnSync('unshare', nsArgs(work, ['-t']), { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

export interface RunningNginx {
  pid: number;
  stop(): Promise<void>;
  errorLog(): string;
}

/** Starts nginx in the foreground (the spawned pid is the nginx master) and waits until it accepts on `port`. */
export async function startNginx(work: NginxWork, port: number): Promise<RunningNginx> {
  const child: ChildProcess = spawn('unshare', nsArgs(work, ['-g', 'daemon off;']), { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const errorLog = () => {
    try {
      return readFileSync(join(work.dir, 'log', 'error.log'), 'utf8');
    } catch {
      return '';
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid!, 'SIGTERM');
      const t = setTimeout(() => child.exitCode === null && child.signalCode === null && process.kill(child.pid!, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
  };
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}:\n${output}\n${errorLog()}`);
    if (await canConnect(port)) return { pid: child.pid!, stop, errorLog };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`nginx did not listen on ${port} within 10 s:\n${output}\n${errorLog()}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * The cleanup cron entry of one install directory: /etc/cron.d/ when root, the user's crontab otherwise.
 * Exactly one entry per install directory; changing days, schedule or vacuum replaces it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { writeFileAtomic } from '../fs/atomic.js';
import { packageRoot } from '../paths.js';
import { isCronSchedule } from '../answers/validators.js';
import { findExecutable } from '../engine/find-executable.js';
import { UserError, EXIT } from '../errors.js';

export interface CronSpec {
  dir: string;
  schedule: string;
  days: number;
  vacuum: 'analyze' | 'full' | 'off';
}

const isRoot = () => process.getuid?.() === 0;
export const cronDDir = () => process.env.SENTRY_ONPREM_CRON_D ?? '/etc/cron.d';

function idFor(dir: string): string {
  return createHash('sha256').update(dir).digest('hex').slice(0, 12);
}

export function cronFilePath(dir: string): string {
  return join(cronDDir(), `sentry-onprem-${idFor(dir)}`);
}

const marker = (dir: string) => `# sentry-onprem cleanup ${idFor(dir)} ${dir}`;

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./=:@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Directories cron's minimal PATH lacks but docker and docker-compose often live in. */
const STANDARD_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
/** The Docker settings of the shell that installs the entry, so cron reaches the same engine and Compose. */
const DOCKER_VARS = ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_CONFIG', 'DOCKER_CERT_PATH', 'DOCKER_TLS_VERIFY'];

export function cronEnvironment(env: NodeJS.ProcessEnv = process.env): string[] {
  const found = ['docker', 'docker-compose'].map((n) => findExecutable(n, env.PATH ?? '')).filter((p): p is string => Boolean(p));
  const path = [...new Set([...found.map((p) => dirname(p)), ...STANDARD_PATH])].join(':');
  return [`PATH=${path}`, ...DOCKER_VARS.filter((k) => env[k]).map((k) => `${k}=${env[k]}`)];
}

/**
 * The command cron runs: absolute node and CLI paths and its own PATH, so cron's minimal environment
 * does not matter; --scheduled lets the release's own cleanup service keep Sentry's cleanup (20.7.0);
 * --quiet plus the rotating --log-file: cron mails only failures.
 */
export function cronCommand(spec: CronSpec, env: NodeJS.ProcessEnv = process.env): string {
  const cli = join(packageRoot(), 'dist', 'install.js');
  const log = join(spec.dir, 'logs', 'cleanup.log');
  const argv = [process.execPath, cli, 'cleanup', '--dir', spec.dir, '--days', String(spec.days), '--vacuum', spec.vacuum, '--scheduled', '--quiet', '--log-file', log];
  // An assignment stays one only while its name is outside the quotes.
  const assignments = cronEnvironment(env).map((kv) => kv.slice(0, kv.indexOf('=') + 1) + shellQuote(kv.slice(kv.indexOf('=') + 1)));
  return [...assignments, ...argv.map(shellQuote)].map((a) => a.replace(/%/g, '\\%')).join(' ');
}

export function cronLines(spec: CronSpec): string {
  if (!isCronSchedule(spec.schedule)) {
    throw new UserError(`cleanup.schedule "${spec.schedule}" is not a five-field cron schedule`, EXIT.usage);
  }
  const user = isRoot() ? ' root' : '';
  return `${marker(spec.dir)}\n${spec.schedule}${user} ${cronCommand(spec)}\n`;
}

function readCrontab(): string {
  try {
    return execFileSync('crontab', ['-l'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

function writeCrontab(text: string): void {
  execFileSync('crontab', ['-'], { input: text, stdio: ['pipe', 'ignore', 'pipe'] });
}

function withoutOurs(text: string, dir: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === marker(dir)) {
      i++; // the entry line follows its marker
      continue;
    }
    out.push(lines[i]);
  }
  return out.join('\n').replace(/\n+$/, '\n').replace(/^\n$/, '');
}

export function showCron(dir: string): string | undefined {
  if (isRoot()) {
    const p = cronFilePath(dir);
    return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
  }
  const t = readCrontab();
  const i = t.split('\n').indexOf(marker(dir));
  return i >= 0 ? t.split('\n').slice(i, i + 2).join('\n') + '\n' : undefined;
}

/** Installs or replaces the entry; returns false when it was already exactly this. */
export function installCron(spec: CronSpec, dryRun = false): boolean {
  const lines = cronLines(spec);
  if (showCron(spec.dir) === (isRoot() ? cronFileText(lines) : lines)) return false;
  if (dryRun) return true;
  if (isRoot()) writeFileAtomic(cronFilePath(spec.dir), cronFileText(lines), { mode: 0o644 });
  else writeCrontab(withoutOurs(readCrontab(), spec.dir) + lines);
  return true;
}

function cronFileText(lines: string): string {
  return `SHELL=/bin/sh\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n${lines}`;
}

export function removeCron(dir: string): boolean {
  if (isRoot()) {
    const p = cronFilePath(dir);
    if (!existsSync(p)) return false;
    unlinkSync(p);
    return true;
  }
  const t = readCrontab();
  const next = withoutOurs(t, dir);
  if (next === t) return false;
  writeCrontab(next);
  return true;
}

/**
 * Loads the answers: saved answers of this install, then the answers file, then flags; prompts for the
 * rest only on a TTY without --yes; validates everything at once before anything is written.
 */
import { existsSync, readFileSync, accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import yaml from 'js-yaml';
import { answersSchema, type Answers } from './schema.js';
import { DEFAULT_TAG } from '../catalog.js';
import { issuesToProblems } from './problems.js';
import { checkTlsFiles } from './tls-files.js';
import { releaseAnswerProblems, releaseLimitProblems } from './release-limits.js';
import { parseUrl } from './validators.js';
import { externalProblems, externalReleaseProblems } from './external.js';
import { AnswersError, UserError, EXIT, type FieldProblem } from '../errors.js';
import type { Layout } from '../layout.js';
import { readSecrets, type Secrets } from '../secrets.js';

export interface AnswerFlags {
  answers?: string;
  tag?: string;
  url?: string;
  adminEmail?: string;
  adminPasswordFile?: string;
  timezone?: string;
  httpPort?: string;
  httpsPort?: string;
  tls?: string;
  registry?: string;
  plugin?: string[];
  yes?: boolean;
}

export interface LoadedAnswers {
  answers: Answers;
  secrets: Secrets;
  /** The admin password, read from answers or the password file; never stored in the answers file. */
  adminPassword: string;
  /** True when this install had saved answers before (a re-run). */
  rerun: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isObj(base) || !isObj(over)) return over === undefined ? base : over;
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

function readYaml(path: string, what: string): Obj {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read the ${what} ${path}: ${(err as NodeJS.ErrnoException).code}`, EXIT.usage);
  }
  let doc: unknown;
  try {
    doc = yaml.load(text, { schema: yaml.CORE_SCHEMA });
  } catch (err) {
    throw new UserError(`the ${what} ${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`, EXIT.usage);
  }
  if (doc === undefined || doc === null) return {};
  if (!isObj(doc)) throw new UserError(`the ${what} ${path} must be a YAML mapping of answers`, EXIT.usage);
  return doc;
}

const num = (s: string | undefined) => (s === undefined ? undefined : /^\d+$/.test(s) ? Number(s) : s);

export function flagsToAnswers(f: AnswerFlags): Obj {
  const out: Obj = {};
  const set = (path: string[], v: unknown) => {
    if (v === undefined) return;
    let cur = out;
    for (const k of path.slice(0, -1)) cur = (cur[k] ??= {}) as Obj;
    cur[path[path.length - 1]] = v;
  };
  set(['tag'], f.tag);
  set(['url'], f.url);
  set(['admin', 'email'], f.adminEmail);
  set(['admin', 'passwordFile'], f.adminPasswordFile);
  set(['timezone'], f.timezone);
  set(['ports', 'http'], num(f.httpPort));
  set(['ports', 'https'], num(f.httpsPort));
  set(['tls', 'mode'], f.tls);
  set(['images', 'registry'], f.registry);
  if (f.plugin && f.plugin.length) set(['plugins'], f.plugin);
  return out;
}

/** Saved answers plus the secrets that were kept out of them. */
export function savedAnswers(layout: Layout): { raw: Obj; secrets: Secrets } {
  const secrets = readSecrets(layout.secretsFile);
  if (!existsSync(layout.answersFile)) return { raw: {}, secrets };
  const raw = readYaml(layout.answersFile, 'saved answers');
  const withSecrets = deepMerge(raw, {
    admin: secrets.adminPassword !== undefined ? { password: secrets.adminPassword } : undefined,
    mail: secrets.mailPassword !== undefined ? { password: secrets.mailPassword } : undefined,
    ldap: secrets.ldapBindPassword !== undefined ? { bindPassword: secrets.ldapBindPassword } : undefined,
    // Only inline passwords are kept there; an answer with passwordFile reads its file on every run.
    postgres: secrets.postgresPassword !== undefined && isObj(raw.postgres) && isObj(raw.postgres.external) ? { external: { password: secrets.postgresPassword } } : undefined,
    redis: secrets.redisPassword !== undefined && isObj(raw.redis) && isObj(raw.redis.external) ? { external: { password: secrets.redisPassword } } : undefined,
  }) as Obj;
  return { raw: withSecrets, secrets };
}

export function validateAnswers(input: unknown, dir: string): { answers: Answers; adminPassword: string } {
  const parsed = answersSchema.safeParse(input);
  if (!parsed.success) {
    // The release's column sizes too, so every problem is listed at once.
    const problems = issuesToProblems(parsed.error.issues, input);
    const tag = isObj(input) && typeof input.tag === 'string' ? input.tag : DEFAULT_TAG;
    for (const p of releaseLimitProblems(tag, input)) if (!problems.some((q) => q.path === p.path)) problems.push(p);
    throw new AnswersError(problems);
  }
  const answers = parsed.data;
  const problems: FieldProblem[] = [];
  let adminPassword = answers.admin.password ?? '';
  if (answers.admin.password !== undefined && answers.admin.passwordFile !== undefined) {
    problems.push({ path: 'admin.passwordFile', given: answers.admin.passwordFile, expected: 'only one of admin.password or admin.passwordFile' });
  } else if (answers.admin.passwordFile !== undefined) {
    const file = resolve(dir, answers.admin.passwordFile);
    try {
      adminPassword = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      if (!adminPassword) problems.push({ path: 'admin.passwordFile', given: file, expected: 'a file holding a non-empty password' });
      else if (/[\u0000-\u001f\u007f]/.test(adminPassword)) problems.push({ path: 'admin.passwordFile', given: file, expected: 'one line of password without control characters' });
      else if (adminPassword.length > 128) problems.push({ path: 'admin.passwordFile', given: file, expected: 'a password of at most 128 characters (Sentry limit)' });
    } catch (err) {
      problems.push({ path: 'admin.passwordFile', given: file, expected: `a readable file (${(err as NodeJS.ErrnoException).code})` });
    }
  }
  problems.push(...releaseLimitProblems(answers.tag, answers), ...releaseAnswerProblems(answers.tag, answers));
  problems.push(...externalProblems(answers, dir), ...externalReleaseProblems(answers.tag, answers));
  const url = parseUrl(answers.url)!;
  if (answers.tls.mode === 'files') {
    problems.push(...checkTlsFiles(resolve(dir, answers.tls.cert), resolve(dir, answers.tls.key), url.hostname.replace(/^\[|\]$/g, '')));
  }
  if (answers.tls.mode === 'off' && url.protocol === 'https:') {
    problems.push({ path: 'tls.mode', given: 'off', expected: 'self-signed or files, because url is https' });
  }
  if (answers.storage.mode === 'bind') {
    try {
      const data = resolve(dir, answers.storage.dataDir);
      if (existsSync(data)) accessSync(data, constants.W_OK);
    } catch {
      problems.push({ path: 'storage.dataDir', given: answers.storage.dataDir, expected: 'a writable directory' });
    }
  }
  if (problems.length) throw new AnswersError(problems);
  return { answers, adminPassword };
}

export async function loadAnswers(f: AnswerFlags, layout: Layout, interactive: boolean): Promise<LoadedAnswers> {
  const saved = savedAnswers(layout);
  const rerun = existsSync(layout.answersFile);
  let input: unknown = saved.raw;
  if (f.answers) input = deepMerge(input, readYaml(resolve(f.answers), 'answers file'));
  input = deepMerge(input, flagsToAnswers(f));
  if (interactive) {
    const { promptAnswers } = await import('./prompt.js');
    input = await promptAnswers(input as Obj);
  }
  const { answers, adminPassword } = validateAnswers(input, layout.dir);
  return { answers, secrets: saved.secrets, adminPassword, rerun };
}

/** Prompts only on a TTY and never with --yes (cron, CI, ssh without -t never hang). */
export function isInteractive(f: { yes?: boolean }): boolean {
  return !f.yes && Boolean(process.stdin.isTTY) && !process.env.CI;
}

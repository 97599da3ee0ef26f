/**
 * External PostgreSQL and Redis (answers `postgres.external`, `redis.external`): the checks of the answers
 * that need the file system, the passwords (inline or from a file) and what a release cannot honour.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FieldProblem } from '../errors.js';
import { RELEASES, isSupportedTag, type ReleaseInfo } from '../releases/index.js';
import type { Answers } from './schema.js';
import { REDIS_PASSWORD_ALPHABET } from './schema.js';

type PgAnswer = NonNullable<NonNullable<Answers['postgres']>['external']>;
type RedisAnswer = NonNullable<NonNullable<Answers['redis']>['external']>;

export interface ExternalPasswords {
  postgres?: string;
  redis?: string;
}

/** The password of a secret answer read from its file: one line, the trailing newline dropped. */
function readPasswordFile(dir: string, file: string): string {
  return readFileSync(resolve(dir, file), 'utf8').replace(/\r?\n$/, '');
}

/** The passwords of the external servers (inline, else from their files; checked by externalProblems before). */
export function externalPasswords(a: Pick<Answers, 'postgres' | 'redis'>, dir: string): ExternalPasswords {
  const pg = a.postgres?.external;
  const rd = a.redis?.external;
  return {
    postgres: pg ? (pg.password ?? (pg.passwordFile !== undefined ? readPasswordFile(dir, pg.passwordFile) : undefined)) : undefined,
    redis: rd ? (rd.password ?? (rd.passwordFile !== undefined ? readPasswordFile(dir, rd.passwordFile) : undefined)) || undefined : undefined,
  };
}

function passwordProblems(
  field: string,
  given: { password?: string; passwordFile?: string },
  dir: string,
  required: boolean,
  valid: (s: string) => string | undefined,
): FieldProblem[] {
  if (given.password !== undefined && given.passwordFile !== undefined) {
    return [{ path: `${field}.passwordFile`, given: given.passwordFile, expected: `only one of ${field}.password or ${field}.passwordFile` }];
  }
  if (given.passwordFile === undefined) {
    return required && given.password === undefined ? [{ path: `${field}.password`, given: undefined, expected: `one of ${field}.password or ${field}.passwordFile` }] : [];
  }
  const file = resolve(dir, given.passwordFile);
  let text: string;
  try {
    text = readPasswordFile(dir, given.passwordFile);
  } catch (err) {
    return [{ path: `${field}.passwordFile`, given: file, expected: `a readable file (${(err as NodeJS.ErrnoException).code})` }];
  }
  if (!text) return [{ path: `${field}.passwordFile`, given: file, expected: 'a file holding a non-empty password' }];
  const bad = valid(text);
  return bad ? [{ path: `${field}.passwordFile`, given: file, expected: bad }] : [];
}

function caProblems(field: string, caFile: string | undefined, dir: string): FieldProblem[] {
  if (caFile === undefined) return [];
  const file = resolve(dir, caFile);
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    return [{ path: `${field}.caFile`, given: file, expected: `a readable PEM CA certificate (${(err as NodeJS.ErrnoException).code})` }];
  }
  try {
    new X509Certificate(pem);
  } catch {
    return [{ path: `${field}.caFile`, given: file, expected: 'a PEM-encoded X.509 CA certificate' }];
  }
  return [];
}

const pgPassword = (s: string) =>
  /[\u0000-\u001f\u007f]/.test(s) ? 'one line of password without control characters' : s.length > 1024 ? 'a password of at most 1024 characters' : undefined;
const redisPassword = (s: string) =>
  REDIS_PASSWORD_ALPHABET.test(s) && s.length <= 512
    ? undefined
    : 'a password of at most 512 letters, digits and !^&*()_+=.,- (it goes into .env, which Compose v1 and v2 read alike only for such values, and into redis:// URLs as it is)';

/** Problems of the external servers' answers that the schema cannot see: password files, CA files. */
export function externalProblems(a: Pick<Answers, 'postgres' | 'redis'>, dir: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const pg: PgAnswer | undefined = a.postgres?.external;
  if (pg) {
    problems.push(...passwordProblems('postgres.external', pg, dir, true, pgPassword));
    problems.push(...caProblems('postgres.external', pg.caFile, dir));
    if (pg.caFile !== undefined && (pg.sslmode === 'disable' || pg.sslmode === 'require')) {
      problems.push({ path: 'postgres.external.caFile', given: pg.caFile, expected: `no caFile with sslmode ${pg.sslmode} (it verifies nothing); use verify-ca or verify-full, or remove caFile` });
    }
  }
  const rd: RedisAnswer | undefined = a.redis?.external;
  if (rd) {
    problems.push(...passwordProblems('redis.external', rd, dir, false, redisPassword));
    problems.push(...caProblems('redis.external', rd.caFile, dir));
    if (rd.caFile !== undefined && !rd.tls) problems.push({ path: 'redis.external.caFile', given: rd.caFile, expected: 'no caFile without tls: true' });
  }
  return problems;
}

/** PostgreSQL's server_version_num of a major: 9.5 -> 90500, 14 -> 140000. */
export function versionNum(major: string): number {
  const [a, b] = major.split('.').map(Number);
  return a >= 10 ? a * 10000 : a * 10000 + (b ?? 0) * 100;
}

/** The major of a server_version_num: 90624 -> 9.6, 150004 -> 15. */
export function majorOf(num: number): string {
  return num >= 100000 ? String(Math.floor(num / 10000)) : `${Math.floor(num / 10000)}.${Math.floor(num / 100) % 100}`;
}

/**
 * The oldest PostgreSQL major a release runs on: the major of its own postgres image (the official release
 * is built and tested on it; Sentry's migrations use what that server offers).
 */
export function postgresMinMajor(r: ReleaseInfo): string {
  const image = r.images.find((i) => i.key === 'postgres');
  const m = image && /:(\d+)(?:\.(\d+))?/.exec(image.image);
  if (!m) throw new Error(`release ${r.tag} has no postgres image to take its PostgreSQL major from`);
  return Number(m[1]) >= 10 ? m[1] : `${m[1]}.${m[2]}`;
}

/**
 * Answers about external servers that the release cannot honour. Redis over TLS: Sentry's Redis clusters,
 * Snuba's REDIS_* settings, Relay's `processing.redis` URL and the check would each need their TLS settings;
 * this tool renders none of them yet, so the answer is refused
 * instead of silently connecting in clear text.
 */
export function externalReleaseProblems(tag: string, a: { redis?: { external?: { tls?: boolean } } }): FieldProblem[] {
  if (!isSupportedTag(tag)) return [];
  const problems: FieldProblem[] = [];
  if (a.redis?.external?.tls) {
    const r = RELEASES[tag];
    const clients = ['Sentry (redis.clusters, the Celery broker)', r.components.snuba ? 'Snuba (REDIS_*)' : '', r.components.relay ? 'Relay (processing.redis)' : '']
      .filter(Boolean)
      .join(', ');
    problems.push({
      path: 'redis.external.tls',
      given: true,
      expected: `false: this tool does not render Redis TLS settings for Sentry ${tag} yet (every Redis client would need them: ${clients}); use a Redis on a trusted network, or a TLS tunnel beside it`,
    });
  }
  return problems;
}

/**
 * The hops of an upgrade whose release needs a newer PostgreSQL than the external server runs. A hop on the bundled
 * server upgrades its major itself (pg_upgrade one-offs); an external server is never touched, so its version is
 * checked against every release of the road before anything changes. Empty: the server suits the whole road.
 */
export function externalUpgradeProblems(serverVersionNum: number, road: string[]): Array<{ tag: string; needs: string }> {
  const out: Array<{ tag: string; needs: string }> = [];
  for (const tag of road) {
    if (!isSupportedTag(tag)) continue;
    const needs = postgresMinMajor(RELEASES[tag]);
    if (serverVersionNum < versionNum(needs)) out.push({ tag, needs });
  }
  return out;
}

/**
 * Generated and user-given secrets of one install, in one 0600 file.
 * A generated secret is made once with a CSPRNG and never regenerated: a new Sentry secret key logs
 * every user out.
 */
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { writeFileAtomic, ensureDir } from './fs/atomic.js';
import { dirname } from 'node:path';
import { UserError, EXIT } from './errors.js';

/**
 * Safe unquoted in .env, in Compose interpolation, in YAML single quotes and in Python strings:
 * Sentry's own alphabet without `#` (a comment start for some .env parsers); no $ ' " \ or backquote.
 */
export const SECRET_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789!@%^&*(-_=+)';

export function generateSecret(length = 50): string {
  let out = '';
  for (let i = 0; i < length; i++) out += SECRET_ALPHABET[randomInt(SECRET_ALPHABET.length)];
  return out;
}

export interface Secrets {
  secretKey?: string;
  adminPassword?: string;
  mailPassword?: string;
  ldapBindPassword?: string;
  /** Passwords of the external PostgreSQL and Redis servers, when the answers give them inline. */
  postgresPassword?: string;
  redisPassword?: string;
  /** Shared secrets a release's services need among themselves (its `generatedSecrets`), made once. */
  generated?: Record<string, string>;
}

export function readSecrets(path: string): Secrets {
  if (!existsSync(path)) return {};
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) {
    throw new UserError(
      `${path} is readable by other users (mode ${mode.toString(8)})`,
      EXIT.failure,
      `Run: chmod 600 ${path}, then run the command again.`,
    );
  }
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Secrets;
  } catch {
    throw new UserError(`${path} is not valid JSON`, EXIT.failure, 'Restore it from a backup; the secret key in it cannot be regenerated without logging every user out.');
  }
}

export function writeSecrets(path: string, secrets: Secrets): void {
  ensureDir(dirname(path), 0o700);
  const clean = Object.fromEntries(Object.entries(secrets).filter(([, v]) => v !== undefined && v !== ''));
  writeFileAtomic(path, JSON.stringify(clean, null, 2) + '\n', { mode: 0o600 });
}

/** Every secret value, for redaction of logs, diffs and error output. */
export function secretValues(secrets: Secrets): string[] {
  return [...Object.values(secrets), ...Object.values(secrets.generated ?? {})].filter((v): v is string => typeof v === 'string' && v.length >= 4);
}

export function redact(text: string, values: string[]): string {
  let out = text;
  // Longest first, so a secret that contains another is replaced whole; the caller's list is left as it is.
  for (const v of [...values].sort((a, b) => b.length - a.length)) out = out.split(v).join('<redacted>');
  return out;
}

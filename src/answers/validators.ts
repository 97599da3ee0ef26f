/** Small, pure validators shared by the answers schema. Each returns true when the value is acceptable. */
import { isIP } from 'node:net';

// No control characters anywhere: no target format (YAML, Python, nginx, .env) holds them safely.
export const noControlChars = (s: string) => !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(s);

export const isEmail = (s: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s) || /^[^\s@]+@[A-Za-z0-9-]+$/.test(s);

/** A DNS host name or an IP address, as nginx's server_name and an X.509 SAN can hold it. */
export function isHostName(s: string): boolean {
  if (isIP(s)) return true;
  if (s.length > 253) return false;
  return s.split('.').every((label) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label));
}

export function parseUrl(s: string): URL | null {
  if (!noControlChars(s) || /\s/.test(s)) return null;
  try {
    const u = new URL(s);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    const host = u.hostname.replace(/^\[|\]$/g, '');
    if (!host || !isHostName(host)) return null;
    if (u.username || u.password || u.search || u.hash) return null;
    return u;
  } catch {
    return null;
  }
}

export function isTimeZone(s: string): boolean {
  if (s === 'UTC') return true;
  if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+){1,2}$/.test(s)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: s });
    return true;
  } catch {
    return false;
  }
}

const VERSION_CLAUSE = String.raw`(~=|===|==|!=|<=|>=|<|>)\s*[A-Za-z0-9][A-Za-z0-9.*+!_-]*`;
const REQUIREMENT = new RegExp(
  String.raw`^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?(\[[A-Za-z0-9._-]+(\s*,\s*[A-Za-z0-9._-]+)*\])?` +
    String.raw`(\s*${VERSION_CLAUSE}(\s*,\s*${VERSION_CLAUSE})*)?$`,
);

/** A plain pip requirement (name, extras, version clauses). Options, URLs and paths are refused. */
export const isPipRequirement = (s: string) => REQUIREMENT.test(s.trim()) && s.trim() === s;

export function requirementName(s: string): string {
  return s.match(/^[A-Za-z0-9._-]+/)![0].toLowerCase().replace(/[-_.]+/g, '-');
}

/** Five-field cron expression with numbers, ranges, steps, lists and names. */
export function isCronSchedule(s: string): boolean {
  const fields = s.trim().split(/\s+/);
  if (fields.length !== 5 || s !== s.trim()) return false;
  const limits: Array<[number, number, string[]?]> = [
    [0, 59],
    [0, 23],
    [1, 31],
    [1, 12, ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']],
    [0, 7, ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']],
  ];
  return fields.every((field, i) => {
    const [lo, hi, names] = limits[i];
    const value = (v: string): number | null => {
      if (/^\d+$/.test(v)) return Number(v);
      const idx = names?.indexOf(v.toLowerCase()) ?? -1;
      return idx >= 0 ? idx + (i === 3 ? 1 : 0) : null;
    };
    return field.split(',').every((part) => {
      const [range, step] = part.split('/');
      if (step !== undefined && !/^[1-9]\d*$/.test(step)) return false;
      if (range === '*') return true;
      const [a, b] = range.split('-');
      const va = value(a);
      if (va === null || va < lo || va > hi) return false;
      if (b === undefined) return step === undefined;
      const vb = value(b);
      return vb !== null && vb >= va && vb <= hi;
    });
  });
}

/** A registry prefix such as `mirror.example.com:5000/proxy`: host[:port][/path], no scheme. */
export const isRegistryPrefix = (s: string) =>
  s === '' || /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(s);

/** A registry host as image names carry it: `docker.io`, `ghcr.io`, `registry.gitlab.com`, `host:5000`. */
export const isRegistryHost = (s: string) => /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/.test(s) && (s.includes('.') || s.includes(':') || s === 'localhost');

/**
 * An LDAP user filter as django-auth-ldap uses it: Python %-formatted with {'user': name}, so it must hold
 * %(user)s and no other % than %% (anything else fails at login time).
 */
export function isLdapUserFilter(s: string): boolean {
  let user = false;
  const rest = s.replace(/%(%|\(user\)s)/g, (_m, g: string) => {
    if (g !== '%') user = true;
    return '';
  });
  return user && !rest.includes('%');
}

/** LDAP server URI. */
export const isLdapUri = (s: string) => /^ldaps?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/?$/.test(s);

/**
 * The `ulimits` of compose files: what the release asks for, merged with the operator's
 * docker-compose.override.yml the way Compose merges them (per service, per limit name).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Rlimit, ServiceUlimits } from '../src/engine/rlimits.js';

export const OVERRIDE_FILE = 'docker-compose.override.yml';

/** 20000, "20000", -1 (unlimited); anything else (an unset ${VAR}) is not a number we can judge. */
function limitValue(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (n === -1) return Infinity;
  return Number.isInteger(n) && n >= 0 ? n : null;
}

/** `nofile: 20000` (both) or `nofile: {soft: 1024, hard: 20000}`. */
function rlimitOf(v: unknown): Rlimit | null {
  if (v && typeof v === 'object') {
    const { soft, hard } = v as { soft?: unknown; hard?: unknown };
    const s = limitValue(soft);
    const h = limitValue(hard);
    return s !== null && h !== null ? { soft: s, hard: h } : null;
  }
  const n = limitValue(v);
  return n === null ? null : { soft: n, hard: n };
}

export function ulimitsOfDoc(doc: unknown): ServiceUlimits {
  const services = (doc && typeof doc === 'object' ? (doc as { services?: unknown }).services : undefined) ?? {};
  const out: ServiceUlimits = {};
  if (!services || typeof services !== 'object') return out;
  for (const [name, svc] of Object.entries(services as Record<string, { ulimits?: unknown }>)) {
    const u = svc && typeof svc === 'object' ? svc.ulimits : undefined;
    if (!u || typeof u !== 'object') continue;
    for (const [limit, v] of Object.entries(u as Record<string, unknown>)) {
      const r = rlimitOf(v);
      if (r) (out[name] ??= {})[limit] = r;
    }
  }
  return out;
}

/** Compose's merge: a limit named in the override replaces the base's limit of that name. */
export function mergeUlimits(base: ServiceUlimits, override: ServiceUlimits): ServiceUlimits {
  const out: ServiceUlimits = {};
  for (const [s, l] of Object.entries(base)) out[s] = { ...l };
  for (const [s, l] of Object.entries(override)) out[s] = { ...(out[s] ?? {}), ...l };
  return out;
}

export async function readComposeUlimits(file: string): Promise<ServiceUlimits | null> {
  if (!existsSync(file)) return null;
  const yaml = (await import('js-yaml')).default; // only when there is a file: keeps `check` start-up short
  return ulimitsOfDoc(yaml.load(readFileSync(file, 'utf8')));
}

/** base (the release's, or the rendered file's) with the install directory's override applied. */
export async function effectiveUlimits(dir: string, base: ServiceUlimits): Promise<{ ulimits: ServiceUlimits; overridePath: string; overrideExists: boolean }> {
  const overridePath = join(dir, OVERRIDE_FILE);
  const override = await readComposeUlimits(overridePath);
  return { ulimits: override ? mergeUlimits(base, override) : base, overridePath, overrideExists: override !== null };
}

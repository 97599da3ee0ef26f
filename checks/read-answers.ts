/**
 * The few answers `check` needs (tag, ports) from an --answers YAML file. Kept in this one function
 * so the full answers loader can take its place without touching the checks.
 */
import { readFileSync } from 'node:fs';
import { AnswersError, EXIT, UserError, type FieldProblem } from '../src/errors.js';

export interface CheckAnswers {
  tag?: string;
  profile?: string;
  /** https is absent when TLS is off: nginx then publishes no https port */
  ports: { http: number; https?: number };
  /** postgres, redis and images of the file, when it names an external server (the external-db check) */
  external?: Record<string, unknown>;
}

export const DEFAULT_PORTS = { http: 80, https: 443 };

export async function readCheckAnswers(file: string | undefined): Promise<CheckAnswers> {
  if (!file) return { ports: { ...DEFAULT_PORTS } };
  const yaml = (await import('js-yaml')).default; // only when there is a file: keeps `check` start-up short
  let doc: unknown;
  try {
    doc = yaml.load(readFileSync(file, 'utf8'), { schema: yaml.CORE_SCHEMA }) ?? {};
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code ? `cannot read it (${e.code})` : `not valid YAML: ${e.message.split('\n')[0]}`;
    throw new UserError(`answers file ${file}: ${why}`, EXIT.usage);
  }
  const a = (doc && typeof doc === 'object' ? doc : {}) as { tag?: unknown; profile?: unknown; ports?: { http?: unknown; https?: unknown }; tls?: { mode?: unknown } };
  const problems: FieldProblem[] = [];
  const port = (name: 'http' | 'https'): number => {
    const v = a.ports?.[name] ?? DEFAULT_PORTS[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
      problems.push({ path: `ports.${name}`, given: v, expected: 'a port number from 1 to 65535' });
    }
    return v as number;
  };
  const ports = { http: port('http'), https: a.tls?.mode === 'off' ? undefined : port('https') };
  if (a.tag !== undefined && typeof a.tag !== 'string') problems.push({ path: 'tag', given: a.tag, expected: 'a release tag such as 20.7.0' });
  if (a.profile !== undefined && a.profile !== 'feature-complete' && a.profile !== 'errors-only') {
    problems.push({ path: 'profile', given: a.profile, expected: 'feature-complete or errors-only' });
  }
  if (problems.length) throw new AnswersError(problems);
  const d = doc as Record<string, any>;
  const external = d?.postgres?.external || d?.redis?.external ? { postgres: d.postgres, redis: d.redis, images: d.images } : undefined;
  return { tag: a.tag as string | undefined, ports, ...(a.profile !== undefined ? { profile: a.profile as string } : {}), ...(external ? { external } : {}) };
}

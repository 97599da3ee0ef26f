/**
 * Answers that Sentry stores in its database must fit its columns: a longer admin email passes every
 * format check, and the install would otherwise fail only at the admin user, after every other step.
 */
import { RELEASES, isSupportedTag } from '../catalog.js';
import type { FieldProblem } from '../errors.js';
import { valueAt } from './problems.js';

/** Characters as PostgreSQL counts them for varchar(n): code points, not UTF-16 units. */
const chars = (s: string) => [...s].length;

/** What is wrong with one answer for the release's schema, or undefined when it fits. */
export function releaseLimitProblem(tag: string, path: string, value: unknown): string | undefined {
  if (!isSupportedTag(tag) || typeof value !== 'string') return undefined;
  const limits = [...(RELEASES[tag].answerLimits[path] ?? [])].sort((a, b) => a.max - b.max);
  const over = limits.find((l) => chars(value) > l.max);
  if (!over) return undefined;
  return `at most ${over.max} characters (Sentry ${tag} stores it in ${over.column}, varchar(${over.max})); it has ${chars(value)}`;
}

/** Every answer of the release's limits table checked against it. */
export function releaseLimitProblems(tag: string, answers: unknown): FieldProblem[] {
  if (!isSupportedTag(tag)) return [];
  const problems: FieldProblem[] = [];
  for (const path of Object.keys(RELEASES[tag].answerLimits)) {
    const given = valueAt(answers, path.split('.'));
    const expected = releaseLimitProblem(tag, path, given);
    if (expected) problems.push({ path, given, expected });
  }
  return problems;
}

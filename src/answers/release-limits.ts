/**
 * Answers that Sentry stores in its database must fit its columns: a longer admin email passes every
 * format check, and the install would otherwise fail only at the admin user, after every other step.
 */
import { RELEASES, isSupportedTag } from '../catalog.js';
import { registriesOf } from '../releases/index.js';
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

/**
 * Answers a release cannot honour, with the reason: a Compose profile for a release without profiles (or one it
 * does not offer), and a registry mapping that leaves out a registry the release pulls from. Entries for
 * registries the release does not use are kept for later releases (an upgrade reads the same answers).
 */
export function releaseAnswerProblems(tag: string, answers: { profile?: string; images?: { registry?: unknown } }): FieldProblem[] {
  if (!isSupportedTag(tag)) return [];
  const r = RELEASES[tag];
  const problems: FieldProblem[] = [];
  if (answers.profile !== undefined && !r.profiles) {
    problems.push({ path: 'profile', given: answers.profile, expected: `no profile: Sentry ${tag} has no Compose profiles (they start with 24.8.0); remove the key` });
  } else if (answers.profile !== undefined && r.profiles && !(r.profiles.offered as string[]).includes(answers.profile)) {
    problems.push({ path: 'profile', given: answers.profile, expected: `one of the profiles of Sentry ${tag}: ${r.profiles.offered.join(', ')}` });
  }
  const registry = answers.images?.registry;
  if (registry && typeof registry === 'object') {
    const missing = registriesOf(r).filter((h) => !(h in (registry as Record<string, unknown>)));
    if (missing.length) {
      problems.push({
        path: 'images.registry',
        given: registry,
        expected: `a prefix for every registry Sentry ${tag} pulls from (${registriesOf(r).join(', ')}); missing: ${missing.join(', ')} (an empty prefix pulls from that registry itself)`,
      });
    }
  }
  return problems;
}

/** Turns schema issues and file checks into one list of problems: path, what was given, what is expected. */
import type { z } from 'zod';
import type { FieldProblem } from '../errors.js';

export function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

const SECRET_PATH = /(^|\.)(password|bindPassword)$/;

export function issuesToProblems(issues: z.core.$ZodIssue[], input: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...issue.path, key].join('.');
        problems.push({ path, given: valueAt(input, [...issue.path, key]), expected: 'no such field (check the spelling)' });
      }
      continue;
    }
    const path = issue.path.map(String).join('.') || '(root)';
    let given = valueAt(input, issue.path);
    // Never echo a secret back, even a bad one (nor the number YAML made of it).
    if (SECRET_PATH.test(path) && given !== undefined) given = '(hidden)';
    problems.push({ path, given, expected: issue.message + readAsOtherType(issue, valueAt(input, issue.path)) });
  }
  return dedupe(problems);
}

/**
 * YAML reads some unquoted answers as numbers or booleans (`password: 1e3` is the number 1000, `password: true`
 * a boolean): the type error then says so and how to fix it, instead of only what was expected.
 */
function readAsOtherType(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code !== 'invalid_type' || issue.expected !== 'string') return '';
  if (typeof value === 'number') return '; YAML read the value as a number: put it in quotes';
  if (typeof value === 'boolean') return '; YAML read the value as true/false: put it in quotes';
  return '';
}

function dedupe(problems: FieldProblem[]): FieldProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = p.path + '\0' + p.expected;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

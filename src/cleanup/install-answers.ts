/**
 * The saved answers of an install, checked against the schema only. Cleanup and cron need the release,
 * the project and the cleanup settings: an expired TLS file or a deleted admin password file (which
 * install would refuse) must not stop the nightly cleanup.
 */
import { existsSync } from 'node:fs';
import { savedAnswers } from '../answers/load.js';
import { answersSchema, type Answers } from '../answers/schema.js';
import { issuesToProblems } from '../answers/problems.js';
import { AnswersError, EXIT, UserError } from '../errors.js';
import type { Layout } from '../layout.js';

export function readInstallAnswers(layout: Layout): Answers {
  if (!existsSync(layout.answersFile)) {
    throw new UserError(`${layout.dir} is not a sentry-onprem install (no sentry-onprem.yml)`, EXIT.usage, 'Pass the install directory with --dir.');
  }
  const raw = savedAnswers(layout).raw;
  const parsed = answersSchema.safeParse(raw);
  if (!parsed.success) throw new AnswersError(issuesToProblems(parsed.error.issues, raw));
  return parsed.data;
}

/**
 * `sentry-onprem check`: can this host run the chosen Sentry release, and what exactly is missing.
 * Results to stdout (table, lines or JSON), progress to stderr. Exit 0 when nothing fails, 3 when a
 * prerequisite is missing, 2 for a bad tag or check id. Read-only: no container is started.
 */
import { resolve } from 'node:path';
import { isSupportedTag, DEFAULT_TAG, SUPPORTED_TAGS, type SupportedTag } from '../catalog.js';
import { AnswersError, EXIT, type FieldProblem } from '../errors.js';
import { CHECK_IDS } from '../../checks/check-ids.js';
import { readCheckAnswers, type CheckAnswers } from '../../checks/read-answers.js';

export interface CheckOptions {
  dir?: string;
  answers?: string;
  tag?: string;
  json?: boolean;
  skipCheck?: string[];
}

export async function check(opts: CheckOptions, out: NodeJS.WriteStream = process.stdout, log: NodeJS.WritableStream = process.stderr): Promise<number> {
  // The engine is asked first: it answers from another process while this one reads the answers and
  // loads the checks. Everything else the checks need is started right after the flags are read.
  const { startEngineProbes, startProbes } = await import('../../checks/probes.js');
  const engine = startEngineProbes();
  let tag: SupportedTag;
  let answers: CheckAnswers;
  try {
    answers = await readCheckAnswers(opts.answers);
    tag = validTag(opts, answers);
  } catch (err) {
    engine.cancel();
    throw err;
  }
  const skip = opts.skipCheck ?? [];
  log.write(`Checking this host for Sentry ${tag}...\n`);
  // Every module requested at once, so the loader reads the files in parallel rather than one import
  // level after the other.
  const rest = Promise.all([import('../../checks/index.js'), import('../../checks/format-results.js'), import('../../checks/all-checks.js')]);
  rest.catch(() => undefined); // awaited below
  // One turn of the event loop before any more work: the engine's sockets connect and the requests go
  // out now, so the engine works on its answers while Compose is asked and the checks load and run.
  await new Promise((r) => setImmediate(r));
  const probes = startProbes({ tag, engine });
  const [{ runChecks, hasFailure }, format] = await rest;
  const installDir = resolve(opts.dir ?? '.');
  const externalDb = answers.external ? await externalDbFromAnswers(tag, answers.external, installDir) : undefined;
  const results = await runChecks({ tag, profile: answers.profile, installDir, ports: answers.ports, skip, probes, externalDb });

  if (opts.json) out.write(JSON.stringify(results, null, 2) + '\n');
  else if (out.isTTY) {
    const pc = (await import('picocolors')).default;
    out.write(format.formatTable(results, out.columns || 100, pc));
  } else out.write(format.formatPlain(results));
  return hasFailure(results) ? EXIT.prerequisite : EXIT.ok;
}

/** The release to check for, or exit 2 naming every bad flag (tag, --skip-check ids) at once. */
function validTag(opts: CheckOptions, answers: CheckAnswers): SupportedTag {
  const tag = opts.tag ?? answers.tag ?? DEFAULT_TAG;
  const problems: FieldProblem[] = [];
  if (!isSupportedTag(tag)) problems.push({ path: opts.tag !== undefined ? '--tag' : 'tag', given: tag, expected: `one of ${SUPPORTED_TAGS.join(', ')}` });
  for (const id of (opts.skipCheck ?? []).filter((s) => !(CHECK_IDS as readonly string[]).includes(s))) {
    problems.push({ path: '--skip-check', given: id, expected: `one of ${CHECK_IDS.join(', ')}` });
  }
  if (problems.length || !isSupportedTag(tag)) throw new AnswersError(problems);
  return tag;
}

/**
 * The external servers of the answers file (postgres.external, redis.external), checked as `install` checks them
 * (exit 2 naming the field), for the external-db check. Loaded only when the file names such a server.
 */
async function externalDbFromAnswers(tag: SupportedTag, raw: Record<string, unknown>, dir: string) {
  const [{ answersObject }, { issuesToProblems }, { externalProblems, externalReleaseProblems }, { externalDbOptions }] = await Promise.all([
    import('../answers/schema.js'),
    import('../answers/problems.js'),
    import('../answers/external.js'),
    import('../install/preflight.js'),
  ]);
  const parsed = answersObject.pick({ postgres: true, redis: true, images: true }).safeParse(raw);
  if (!parsed.success) throw new AnswersError(issuesToProblems(parsed.error.issues, raw));
  const problems = [...externalProblems(parsed.data, dir), ...externalReleaseProblems(tag, parsed.data)];
  if (problems.length) throw new AnswersError(problems);
  return externalDbOptions(tag, parsed.data, dir);
}

/**
 * The `check` command as one self-contained file: scripts/bundle.mjs bundles this module and what it
 * imports into dist/check.cjs, which the CLI loads for `check` (one file, no ES module graph to
 * resolve). It keeps its own copy of the error classes, so it maps its own errors to exit codes.
 */
import { check, type CheckOptions } from '../commands/check.js';
import { handleError } from './handle-error.js';

export async function runCheckCli(opts: CheckOptions): Promise<number> {
  try {
    return await check(opts);
  } catch (err) {
    return handleError(err);
  }
}

export { parseCheckArgs } from './check-args.js';

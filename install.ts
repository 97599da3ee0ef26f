#!/usr/bin/env node
/**
 * The sentry-onprem command line: every command, parsed by commander (src/cli/program.ts). The
 * installed command (package.json "bin", src/cli/bin.cts) runs plain `check` command lines from the
 * bundled dist/check.cjs and hands everything else to this file.
 */
import { handleError } from './src/cli/handle-error.js';
import { runProgram } from './src/cli/program.js';

runProgram(process.argv.slice(2)).then(
  (c) => {
    process.exitCode = c;
  },
  (err) => {
    process.exitCode = handleError(err);
  },
);

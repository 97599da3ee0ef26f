#!/usr/bin/env node
/**
 * The installed `sentry-onprem` command (package.json "bin"). A CommonJS file, so that `check` with
 * plain flags runs from dist/check.cjs without Node's ES module loader ever starting: `check` is the
 * command people run on every host, and it should cost little more than starting Node. Every other
 * command line goes to the full CLI, dist/install.js.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

type CheckBundle = typeof import('./run-check.js');

const argv = process.argv.slice(2);
const bundle = argv[0] === 'check' ? loadCheckBundle() : null;
const opts = bundle?.parseCheckArgs(argv.slice(1)) ?? null;
if (bundle && opts) {
  bundle.runCheckCli(opts).then((code) => {
    process.exitCode = code;
  });
} else {
  import(pathToFileURL(join(__dirname, '..', '..', 'install.js')).href);
}

/** dist/check.cjs, or null when this build has none (plain `tsc`): install.js runs check then, unbundled. */
function loadCheckBundle(): CheckBundle | null {
  try {
    return require('../../check.cjs') as CheckBundle;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return null;
    throw err;
  }
}

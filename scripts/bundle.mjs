#!/usr/bin/env node
// Second half of `npm run build` (after tsc): bundles the `check` command and the code it imports into
// dist/check.cjs, one CommonJS file, which the installed command (src/cli/bin.cts) loads for `check`. Packages stay outside the
// bundle (they are loaded, if at all, from node_modules). A warning fails the build: import.meta, for
// one, has no meaning in a CommonJS bundle, and such a bundle would break only at run time.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: ['src/cli/run-check.ts'],
  outfile: 'dist/check.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
  legalComments: 'none',
});
if (result.errors.length || result.warnings.length) {
  console.error(`bundle: ${result.errors.length} errors, ${result.warnings.length} warnings (see above); dist/check.cjs must build cleanly`);
  process.exit(1);
}

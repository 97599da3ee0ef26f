// Bundles (`npm run bench`, run with tsx): a 9.1.2 bundle made on the shared engine (one `docker save`), its size
// against the sum of its images' sizes, how long it takes to make; then, on a second engine started here with an
// empty data root in a network namespace with only loopback (stopped by its PID, its data root removed), how long
// verifying and loading it takes, and a second load when every image is present: with the bundle hashed again,
// and as an install's re-run does it (the unchanged file verified by the earlier run; target < 2 s).
// Needs root, the engine and the stand-in images of .ci/run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canStartOfflineEngine, startOfflineEngine } from '../test/e2e/offline-engine.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'install.js');
const TAG = process.env.BENCH_BUNDLE_TAG ?? '9.1.2';
const MiB = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

const why = canStartOfflineEngine();
if (why) {
  console.log(`bench bundle: skipped, ${why}`);
  process.exit(0);
}
const work = mkdtempSync(join(tmpdir(), 'sentry-onprem-bench-bundle-'));
const bundle = join(work, `sentry-${TAG}.bundle`);
let code = 0;
const engine = await startOfflineEngine();
try {
  const t0 = Date.now();
  const made = spawnSync(process.execPath, [CLI, 'bundle', 'create', '--tag', TAG, '-o', bundle], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  if (made.status !== 0) throw new Error(`bundle create exited ${made.status}: ${made.stderr}`);
  const createMs = Date.now() - t0;

  // Load in a child against the offline engine: what `install --bundle` does before and in its images step.
  const loadScript = `
    const { verifyBundle } = await import(${JSON.stringify(join(ROOT, 'dist/src/bundle/verify.js'))});
    const { loadMissing } = await import(${JSON.stringify(join(ROOT, 'dist/src/bundle/load.js'))});
    const t0 = Date.now();
    const trusted = process.env.TRUSTED ? JSON.parse(process.env.TRUSTED) : undefined;
    const probe = await verifyBundle(process.argv[1], { release: ${JSON.stringify(TAG)}, images: [] }, () => {}, trusted);
    const names = probe.manifest.images.map((i) => i.name);
    const b = await verifyBundle(process.argv[1], { release: ${JSON.stringify(TAG)}, images: names }, () => {}, trusted);
    const r = await loadMissing(b, names, () => {});
    console.log(JSON.stringify({ ms: Date.now() - t0, loaded: r.loaded.length, present: r.present.length, stamp: b.stamp, sum: b.manifest.images.reduce((a, i) => a + i.size, 0), n: names.length }));
  `;
  const load = (trusted?: unknown) => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', loadScript, bundle], {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_HOST: engine.host, ...(trusted ? { TRUSTED: JSON.stringify(trusted) } : {}) },
    });
    if (r.status !== 0) throw new Error(`load exited ${r.status}: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as { ms: number; loaded: number; present: number; stamp: unknown; sum: number; n: number };
  };
  const cold = load();
  const warm = load();
  const trusted = load(cold.stamp);
  const size = statSync(bundle).size;
  console.log(`bench bundle ${TAG}: ${cold.n} images, bundle ${MiB(size)} against ${MiB(cold.sum)} of image sizes (${((size / cold.sum) * 100).toFixed(0)}%), created in ${(createMs / 1000).toFixed(1)} s`);
  console.log(`bench bundle ${TAG}: load into an empty engine ${(cold.ms / 1000).toFixed(1)} s (${cold.loaded} loaded, verified first)`);
  console.log(`bench bundle ${TAG}: all present, bundle hashed again ${(warm.ms / 1000).toFixed(2)} s (${warm.loaded} loaded); as a re-run (verified earlier, unchanged) ${(trusted.ms / 1000).toFixed(2)} s (target < 2 s)`);
  if (warm.loaded || trusted.loaded || trusted.ms >= 2000) {
    console.log('bench bundle: FAIL, a load with every image present loaded something or took 2 s or more');
    code = 1;
  }
} catch (err) {
  console.log(`bench bundle: FAIL, ${(err as Error).message}`);
  code = 1;
} finally {
  engine.stop();
  rmSync(work, { recursive: true, force: true });
}
process.exit(code);

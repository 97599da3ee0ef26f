/**
 * Step: every image the compose file pulls, present locally or pulled with retries through images.registry; with
 * a bundle (`--bundle`), loaded from it instead, and nothing is pulled.
 */
import { pulledImages } from '../../render/images.js';
import { docker, inspectImage } from '../docker.js';
import { UserError, EXIT } from '../../errors.js';
import { done, skipped, type Step } from '../context.js';
import { activeBundle } from '../../bundle/session.js';
import { installImages } from '../../bundle/needed-images.js';

const ATTEMPTS = 4;

function registryOf(image: string): string {
  const first = image.split('/')[0];
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

export async function pull(image: string, out: (l: string) => void): Promise<void> {
  const d = await docker();
  const base = Number(process.env.SENTRY_ONPREM_PULL_BACKOFF_MS ?? 2000);
  let last = '';
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const stream = await d.pull(image);
      await new Promise<void>((resolve, reject) => d.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
      return;
    } catch (err) {
      last = (err as Error).message.split('\n')[0];
      if (attempt < ATTEMPTS) {
        const wait = base * 2 ** (attempt - 1);
        out(`pull ${image} failed (${last}); retry ${attempt}/${ATTEMPTS - 1} in ${(wait / 1000).toFixed(1)} s`);
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }
  throw new UserError(
    `cannot pull ${image} from ${registryOf(image)} after ${ATTEMPTS} attempts: ${last}`,
    EXIT.failure,
    'Check that this host reaches the registry (or set images.registry to a mirror), or load the image with `docker load`, then run again.',
  );
}

export const imagesStep: Step = {
  id: 'images',
  title: 'Pull images',
  async run(ctx, out) {
    const a = ctx.answers!;
    const bundle = activeBundle();
    // From a bundle: the images of the answers' profile, which it carries; else every image the release pulls.
    const wanted = bundle ? installImages(a).map((i) => i.name) : pulledImages(a.tag, a.images);
    const missing: string[] = [];
    for (const image of wanted) if (!(await inspectImage(image))) missing.push(image);
    if (!missing.length) return skipped(`all ${wanted.length} images present`);
    if (bundle) {
      if (ctx.dryRun) return skipped(`dry run: would load ${missing.join(', ')} from ${bundle.path}`);
      const { loadMissing } = await import('../../bundle/load.js');
      const r = await loadMissing(bundle, missing, out);
      return done(`loaded ${r.loaded.length} from the bundle`);
    }
    if (ctx.dryRun) return skipped(`dry run: would pull ${missing.join(', ')}`);
    for (const image of missing) {
      out(`pulling ${image}`);
      await pull(image, out);
    }
    return done(`pulled ${missing.length}`);
  },
};

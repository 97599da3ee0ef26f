/**
 * Step: every image the compose file pulls, present locally or pulled with retries through images.registry; with
 * a bundle (`--bundle`), loaded from it instead, and nothing is pulled.
 */
import { pulledImages } from '../../render/images.js';
import { inspectImage } from '../docker.js';
import { pull } from '../pull.js';
import { done, skipped, type Step } from '../context.js';
import { activeBundle } from '../../bundle/session.js';
import { installImages } from '../../bundle/needed-images.js';

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

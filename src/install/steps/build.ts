/**
 * Step: build the release's local images (the Sentry image with plugins; from 20.7.0 also the cron images),
 * each only when its inputs changed. The inputs hash is recorded as the image label io.sentry-onprem.inputs, the
 * install directory as io.sentry-onprem.dir.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { imagesFor, sentryImageFor } from '../../render/images.js';
import { RELEASES, imageName } from '../../releases/index.js';
import { inspectImage } from '../docker.js';
import { readPlanned } from '../planned-file.js';
import { UserError, EXIT } from '../../errors.js';
import { DIR_LABEL } from '../../ownership/engine.js';
import { done, skipped, type Ctx, type Step } from '../context.js';
import { activeBundle } from '../../bundle/session.js';
import { writeWheels } from '../../bundle/wheels.js';

interface Built {
  image: string;
  service: string;
  files: string[];
  base: () => string | undefined;
}

export const INPUTS_LABEL = 'io.sentry-onprem.inputs';

/** The release's built images, each with its base resolved (through the registry mirror). */
function builds(ctx: Ctx): Built[] {
  const a = ctx.answers!;
  const images = imagesFor(a.tag, a.images);
  return RELEASES[a.tag].builtImages.map((b) => ({ image: b.image, service: b.service, files: b.files, base: () => imageName(images, b.base) }));
}

async function inputsHash(ctx: Ctx, b: Built): Promise<string> {
  const h = createHash('sha256');
  for (const f of b.files) {
    h.update(f).update('\0').update(readPlanned(ctx, join(ctx.layout.dir, f))).update('\0');
  }
  const base = b.base();
  h.update((base && (await inspectImage(base))?.id) || `missing:${base}`);
  return h.digest('hex').slice(0, 32);
}

export const buildStep: Step = {
  id: 'build',
  title: 'Build images',
  async run(ctx, out) {
    const built: string[] = [];
    const planned: string[] = [];
    const sentryImage = sentryImageFor(ctx.answers!.tag, ctx.answers!.images);
    // From a bundle: its wheels into the Sentry build context, where the rendered Dockerfile installs them from.
    const bundle = activeBundle();
    if (bundle && !ctx.dryRun) {
      const n = writeWheels(bundle, ctx.layout.dir);
      if (n) out(`wrote ${n} wheels from the bundle into sentry/wheels/`);
    }
    // In order: the cron image's hash depends on the Sentry image just built.
    for (const b of builds(ctx)) {
      const hash = await inputsHash(ctx, b);
      const current = await inspectImage(b.image);
      // Built from these inputs for this directory; an image another (removed) install left is built again, as ours.
      const owner = current?.labels[DIR_LABEL];
      const ownerDir = ctx.ownerDir ?? ctx.layout.dir;
      if (current?.labels[INPUTS_LABEL] === hash && (owner === undefined || owner === ownerDir)) continue;
      const why = !current ? 'not built yet' : current.labels[INPUTS_LABEL] !== hash ? 'inputs changed' : `built for ${owner}`;
      if (ctx.dryRun) {
        planned.push(`${b.image} (${why})`);
        continue;
      }
      out(`building ${b.image} (${why})`);
      // The owner's directory as a label: a second install directory is refused instead of replacing this image.
      await ctx.runner!.run(['build', '--force-rm', '--build-arg', `SENTRY_ONPREM_DIR=${ownerDir}`, b.service], { env: { SENTRY_ONPREM_INPUTS: hash }, onLine: out });
      const after = await inspectImage(b.image);
      if (after?.labels[INPUTS_LABEL] !== hash) {
        throw new UserError(`${b.image} was built but does not carry the expected ${INPUTS_LABEL} label`, EXIT.failure, 'See the log; the compose file may have been edited so the build no longer sets the label.');
      }
      ctx.state.builds[b.image] = hash;
      if (b.image === sentryImage) ctx.sentryImageChanged = true;
      built.push(b.image);
    }
    if (ctx.dryRun) ctx.wouldBuild = planned.map((p) => p.split(' ')[0]);
    if (ctx.dryRun && planned.length) return skipped(`dry run: would build ${planned.join(', ')}`);
    if (!built.length) return skipped('images are up to date with their inputs');
    return done(`built ${built.join(', ')}`);
  },
};

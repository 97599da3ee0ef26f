/**
 * `sentry-onprem images --tag T [--from TAG]`: every image an install (or an upgrade) needs, with its registry,
 * and its id and digest where the engine has it. Results to stdout (lines or JSON). Read-only.
 */
import { imagesAnswers, type ImagesFlags } from '../bundle/answers.js';
import { installImages, upgradeImages, type ImageUse, type NeededImage } from '../bundle/needed-images.js';
import { profileOf } from '../render/view.js';
import { EXIT } from '../errors.js';

export interface ImagesOptions extends ImagesFlags {
  json?: boolean;
}

/** The images for these flags, and the answers they were computed from. */
export function neededFor(opts: ImagesFlags) {
  const answers = imagesAnswers(opts);
  const images: NeededImage[] = opts.from ? upgradeImages(opts.from, answers) : installImages(answers);
  return { answers, images, profile: profileOf(answers) };
}

export function describeUse(u: ImageUse): string {
  if (u.kind === 'service') return `${u.tag} services ${u.services.join(',')}`;
  if (u.kind === 'build-base') return `${u.tag} builds ${u.builds} from it`;
  return `${u.tag} one-off ${u.step}`;
}

export async function images(opts: ImagesOptions, out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { answers, images: list, profile } = neededFor(opts);
  const { engineImage } = await import('../bundle/engine-images.js');
  const rows = [];
  for (const i of list) {
    // The engine is optional here: without one, no id or digest.
    const e = await engineImage(i.name).catch(() => undefined);
    rows.push({ ...i, ...(e ? { id: e.id, size: e.size, ...(e.digest ? { digest: e.digest } : {}) } : {}), present: Boolean(e) });
  }
  if (opts.json) {
    out.write(JSON.stringify({ release: answers.tag, ...(opts.from ? { from: opts.from } : {}), profile, images: rows }, null, 2) + '\n');
  } else {
    for (const r of rows) {
      const at = r.present ? (r.digest ?? r.id) : 'not on this engine';
      out.write(`${r.name}\t${r.registry}\t${at}\t${r.uses.map(describeUse).join('; ')}\n`);
    }
  }
  return EXIT.ok;
}

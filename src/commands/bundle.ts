/**
 * `sentry-onprem bundle create --tag T [--from TAG] -o FILE`: on a host whose engine has the images, one
 * file that installs (or upgrades to) T on a host without a registry. See src/bundle/create.ts.
 */
import { resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { neededFor } from './images.js';
import { UserError, EXIT } from '../errors.js';
import { refuseLdapWithBundle, refusePinnedWithBundle, type ImagesFlags } from '../bundle/answers.js';
import { formatBytes } from '../bundle/progress.js';

export interface BundleCreateOptions extends ImagesFlags {
  output?: string;
}

export async function bundleCreate(opts: BundleCreateOptions): Promise<number> {
  if (!opts.output) throw new UserError('bundle create needs -o FILE: where to write the bundle', EXIT.usage);
  const out = resolve(opts.output);
  if (existsSync(out) && statSync(out).isDirectory()) throw new UserError(`-o ${opts.output} is a directory; give a file name`, EXIT.usage);
  const { answers, images, profile } = neededFor(opts);
  refuseLdapWithBundle(answers, 'bundle create');
  refusePinnedWithBundle(images.map((i) => i.name), 'bundle create');
  const { createBundle } = await import('../bundle/create.js');
  const { collectWheels } = await import('../bundle/wheels.js');
  const say = (l: string) => process.stderr.write(`${l}\n`);
  const t0 = Date.now();
  const { hopTargets } = await import('../bundle/needed-images.js');
  // Each release the run installs builds its Sentry image: the wheels of every hop, each file once.
  const wheels = new Map<string, { name: string; data: Buffer }>();
  for (const tag of opts.from ? hopTargets(opts.from, answers.tag) : [answers.tag]) {
    for (const w of await collectWheels({ ...answers, tag }, say)) wheels.set(w.name, w);
  }
  const m = await createBundle({ out, release: answers.tag, from: opts.from, profile, images, wheels: [...wheels.values()], say });
  const size = statSync(out).size;
  const sum = m.images.reduce((a, i) => a + i.size, 0);
  process.stdout.write(
    `${out}: Sentry ${m.from ? `${m.from} -> ` : ''}${m.release}, ${m.images.length} images, ${formatBytes(size)} (images' sizes add up to ${formatBytes(sum)}), made in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
  );
  return EXIT.ok;
}

/** Step: the release's external volumes (or host directories with storage.mode bind). */
import { mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { RELEASES } from '../../catalog.js';
import { createVolume, volumeExists } from '../docker.js';
import { buildView } from '../../render/view.js';
import { done, skipped, type Step } from '../context.js';

export const volumesStep: Step = {
  id: 'volumes',
  title: 'Create volumes',
  async run(ctx, out) {
    const a = ctx.answers!;
    const names = RELEASES[a.tag].externalVolumes;
    const missing: string[] = [];
    if (a.storage.mode === 'bind') {
      const base = buildView(a, 'x', ctx.layout.dir).dataDir;
      for (const n of names) if (!existsSync(join(base, n))) missing.push(join(base, n));
      if (!missing.length) return skipped(`${names.length} data directories exist under ${base}`);
      if (ctx.dryRun) return skipped(`dry run: would create ${missing.join(', ')}`);
      // The images' entrypoints chown their data directory themselves (postgres, redis, sentry), as root.
      for (const dir of missing) mkdirSync(dir, { recursive: true, mode: 0o700 });
    } else {
      for (const n of names) if (!(await volumeExists(n))) missing.push(n);
      if (!missing.length) return skipped(`${names.length} volumes exist`);
      if (ctx.dryRun) return skipped(`dry run: would create ${missing.join(', ')}`);
      for (const n of missing) await createVolume(n);
    }
    for (const m of missing) out(`created ${m}`);
    return done(`created ${missing.length}`);
  },
};

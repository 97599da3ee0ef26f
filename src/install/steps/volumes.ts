/** Step: the release's external volumes (or host directories with storage.mode bind). */
import { mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { RELEASES } from '../../catalog.js';
import { installVolumes } from '../../releases/index.js';
import { createVolume, volumeExists } from '../docker.js';
import { buildView } from '../../render/view.js';
import { done, skipped, type Ctx, type Step } from '../context.js';
import { DIR_LABEL, TAG_LABEL } from '../../ownership/engine.js';

/** The install's record of its volumes: proof of ownership for volumes made before they carried the label. */
function recordOwned(ctx: Ctx, names: readonly string[]): void {
  const owned = new Set(ctx.state.volumes ?? []);
  if (names.every((n) => owned.has(n))) return;
  ctx.state.volumes = [...owned, ...names.filter((n) => !owned.has(n))];
}

export const volumesStep: Step = {
  id: 'volumes',
  title: 'Create volumes',
  async run(ctx, out) {
    const a = ctx.answers!;
    const names = installVolumes(RELEASES[a.tag], a);
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
      if (ctx.dryRun) return skipped(missing.length ? `dry run: would create ${missing.join(', ')}` : `${names.length} volumes exist`);
      // The ownership guard passed before this step: the ones that exist are this install's (or adopted).
      recordOwned(ctx, names);
      if (!missing.length) return skipped(`${names.length} volumes exist`);
      // The label names the owner, so a second install directory is refused instead of sharing the data.
      for (const n of missing) await createVolume(n, { [DIR_LABEL]: ctx.layout.dir, [TAG_LABEL]: a.tag });
    }
    for (const m of missing) out(`created ${m}`);
    return done(`created ${missing.length}`);
  },
};

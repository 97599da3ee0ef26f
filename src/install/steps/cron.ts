/** Step: the cleanup cron entry for this install directory (content owned by src/cron/entry.ts). */
import { installCron } from '../../cron/entry.js';
import { done, skipped, type Step } from '../context.js';

export const cronStep: Step = {
  id: 'cron',
  title: 'Install the cleanup cron',
  async run(ctx) {
    if (ctx.state.cronRemoved) return skipped('removed with `sentry-onprem cron remove`; `sentry-onprem cron install` brings it back');
    const ext = ctx.answers!.postgres?.external;
    // An external server reports no free disk, so a nightly VACUUM FULL would be refused (exit 3) every night: no
    // entry then, and the reason; `cleanup --vacuum full --assume-free-disk SIZE` is for an operator who knows it.
    if (ext && ctx.answers!.cleanup.vacuum === 'full') {
      return skipped(`not installed: cleanup.vacuum is full, and the external server ${ext.host}:${ext.port} reports no free disk for VACUUM FULL's guard; set cleanup.vacuum to analyze (or off), or run \`sentry-onprem cleanup --vacuum full --assume-free-disk SIZE\` by hand`);
    }
    const c = ctx.answers!.cleanup;
    const spec = { dir: ctx.layout.dir, schedule: c.schedule, days: c.days, vacuum: c.vacuum };
    const changed = installCron(spec, ctx.dryRun);
    if (!changed) return skipped('the cron entry is up to date');
    if (ctx.dryRun) return skipped(`dry run: would install "${c.schedule}" cleanup --days ${c.days} --vacuum ${c.vacuum}`);
    return done(`"${c.schedule}" cleanup --days ${c.days} --vacuum ${c.vacuum}`);
  },
};

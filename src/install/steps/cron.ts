/** Step: the cleanup cron entry for this install directory (content owned by src/cron/entry.ts). */
import { installCron } from '../../cron/entry.js';
import { done, skipped, type Step } from '../context.js';

export const cronStep: Step = {
  id: 'cron',
  title: 'Install the cleanup cron',
  async run(ctx) {
    if (ctx.state.cronRemoved) return skipped('removed with `sentry-onprem cron remove`; `sentry-onprem cron install` brings it back');
    const ext = ctx.answers!.postgres?.external;
    // `cleanup` vacuums through the bundled postgres container; on an external server it refuses, so no nightly
    // entry that would fail every night.
    if (ext) return skipped(`not installed: \`cleanup\` works on the bundled PostgreSQL only; the server ${ext.host}:${ext.port} is vacuumed by its own autovacuum, and Sentry's cleanup runs with \`docker compose run --rm -T web sentry cleanup --days ${ctx.answers!.cleanup.days}\` in the install directory`);
    const c = ctx.answers!.cleanup;
    const spec = { dir: ctx.layout.dir, schedule: c.schedule, days: c.days, vacuum: c.vacuum };
    const changed = installCron(spec, ctx.dryRun);
    if (!changed) return skipped('the cron entry is up to date');
    if (ctx.dryRun) return skipped(`dry run: would install "${c.schedule}" cleanup --days ${c.days} --vacuum ${c.vacuum}`);
    return done(`"${c.schedule}" cleanup --days ${c.days} --vacuum ${c.vacuum}`);
  },
};

/** Step: render the install directory (three-way safe). */
import { commitRender, conflicts, hasWork, planRender, describeChanges } from '../../render/render-install.js';
import { unifiedDiff } from '../../render/apply.js';
import { UserError, EXIT } from '../../errors.js';
import { done, skipped, type Step } from '../context.js';
import { activeBundle } from '../../bundle/session.js';
import { bundleWheels } from '../../bundle/wheels.js';

export const renderStep: Step = {
  id: 'render',
  title: 'Render configuration files',
  async run(ctx, out) {
    const a = ctx.answers!;
    const plan = planRender(ctx.layout, a, a.admin.password !== undefined, ctx.secrets ?? {}, ctx.flags.force, { offlineWheels: bundleWheels(activeBundle()).length > 0 });
    ctx.plan = plan;
    ctx.secrets = plan.secrets;
    ctx.log.addSecrets(Object.values(plan.secrets));
    const blocked = conflicts(plan);
    if (blocked.length) {
      const text = blocked.map((c) => unifiedDiff(c, plan.redactor)).join('');
      ctx.log.write(text);
      process.stdout.write(text);
      throw new UserError(
        `${blocked.map((c) => c.file.path).join(', ')} changed since the last render and conflicts with the new one`,
        EXIT.failure,
        'Merge the change by hand (the diff is above and in the log), or run again with --force to overwrite it (a backup is kept).',
      );
    }
    if (!hasWork(plan)) return skipped(`${plan.changes.length} files already up to date`);
    if (ctx.dryRun) {
      for (const line of describeChanges(plan).filter((l) => !l.startsWith('unchanged'))) out(`would ${line}`);
      if (plan.newSecretKey) out('would generate the secret key');
      if (plan.tls.needed) out(`would make a self-signed certificate for ${plan.tls.host}`);
      return skipped('dry run');
    }
    const result = commitRender(ctx.layout, plan, ctx.stamp);
    for (const f of result.written) out(`wrote ${f}`);
    for (const b of result.backups) out(`backup ${b}`);
    return done(`${result.written.length} files written`);
  },
};

/** `sentry-onprem render`: writes the install directory's files for a tag, never losing a user's edit. */
import { isInteractive, loadAnswers, type AnswerFlags } from '../answers/load.js';
import { layoutFor } from '../layout.js';
import { EXIT } from '../errors.js';
import { commitRender, conflicts, describeChanges, diffs, hasWork, planRender } from '../render/render-install.js';
import { unifiedDiff } from '../render/apply.js';

export interface RenderFlags extends AnswerFlags {
  dir: string;
  dryRun?: boolean;
  force?: boolean;
}

export const timestamp = () => new Date().toISOString().replace(/[:.]/g, '-');

export async function render(flags: RenderFlags): Promise<number> {
  const layout = layoutFor(flags.dir);
  const loaded = await loadAnswers(flags, layout, isInteractive(flags));
  const plan = planRender(layout, loaded.answers, loaded.answers.admin.password !== undefined, loaded.secrets, flags.force);
  const err = process.stderr;

  const blocked = conflicts(plan);
  if (flags.dryRun) {
    process.stdout.write(diffs(plan));
    if (plan.newSecretKey) err.write('would generate the secret key (kept in .sentry-onprem/secrets.json, mode 0600)\n');
    if (plan.tls.needed) err.write(`would make a self-signed certificate for ${plan.tls.host} (${plan.tls.reason})\n`);
    if (plan.savedAnswersChanged) err.write('would save the answers to sentry-onprem.yml\n');
    for (const line of describeChanges(plan)) err.write(`${line}\n`);
    err.write(hasWork(plan) ? 'dry run: nothing was written\n' : 'dry run: nothing to change\n');
    return blocked.length ? EXIT.failure : EXIT.ok;
  }
  if (blocked.length) {
    for (const c of blocked) process.stdout.write(unifiedDiff(c, plan.redactor));
    err.write(
      `error: ${blocked.map((c) => c.file.path).join(', ')} changed since the last render and the new render conflicts with the edit.\n` +
        'next: merge the change into the file by hand (the diff above shows both), or run again with --force to overwrite it (a timestamped backup is kept). Nothing was written.\n',
    );
    return EXIT.failure;
  }
  if (!hasWork(plan)) {
    err.write(`nothing to change: ${plan.changes.length} files are up to date\n`);
    return EXIT.ok;
  }
  const result = commitRender(layout, plan, timestamp());
  for (const c of plan.changes) if (c.kind !== 'unchanged') err.write(`${c.kind.padEnd(9)} ${c.file.path}\n`);
  for (const b of result.backups) err.write(`backup    ${b}\n`);
  if (plan.newSecretKey) err.write('generated the secret key (.sentry-onprem/secrets.json, mode 0600)\n');
  if (plan.tls.needed) err.write(`made a self-signed certificate for ${plan.tls.host}: tls/cert.pem\n`);
  err.write(`rendered Sentry ${plan.answers.tag} in ${layout.dir}: ${result.written.length} written, ${plan.changes.filter((c) => c.kind === 'unchanged').length} unchanged\n`);
  return EXIT.ok;
}

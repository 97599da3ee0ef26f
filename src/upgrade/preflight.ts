/**
 * The `check` preflight for the target release, before anything changes: a host too small for the
 * target stops the upgrade here. The ports are held by the running release's own nginx, which the
 * upgrade replaces, so that project counts as ours.
 */
import type { Answers } from '../answers/schema.js';
import type { SupportedTag } from '../catalog.js';
import { runChecks } from '../../checks/index.js';
import { UserError, EXIT } from '../errors.js';

export async function targetChecks(o: { to: SupportedTag; answers: Answers; dir: string; runningProject: string; skip: string[] }, out: (l: string) => void): Promise<string> {
  const a = o.answers;
  const results = await runChecks({
    tag: o.to,
    installDir: o.dir,
    ports: a.ports.https && a.tls.mode !== 'off' ? { http: a.ports.http, https: a.ports.https } : { http: a.ports.http },
    skip: o.skip,
    ownProject: o.runningProject,
  });
  for (const r of results) {
    if (r.status !== 'pass') out(`${r.status.toUpperCase()} ${r.id}: found ${r.found}; required ${r.required}${r.remedy ? `. ${r.remedy}` : ''}${r.skipped ? ' (skipped with --skip-check)' : ''}`);
  }
  const failed = results.filter((r) => r.status === 'fail');
  if (failed.length) {
    throw new UserError(
      `this host does not meet Sentry ${o.to}'s requirements: ${failed.map((r) => `${r.id} (found ${r.found}; required ${r.required})`).join('; ')}`,
      EXIT.prerequisite,
      `${failed.map((r) => r.remedy).filter(Boolean).join(' ')} Nothing was changed; Sentry keeps running. To go on anyway: --skip-check ${failed[0].id}`,
    );
  }
  const warns = results.filter((r) => r.status === 'warn').length;
  return `${results.length - warns} passed${warns ? `, ${warns} warning${warns > 1 ? 's' : ''}` : ''}`;
}

/**
 * The `check` preflight as the install and upgrade pipelines run it: the answers' ports, this install's
 * own project (its published ports are not a conflict), every non-passing result reported as a line.
 */
import { resolve } from 'node:path';
import type { Answers } from '../answers/schema.js';
import type { SupportedTag } from '../catalog.js';
import { runChecks, type CheckResult } from '../../checks/index.js';

export interface Preflight {
  /** "8 passed, 1 warning" */
  summary: string;
  failed: CheckResult[];
}

export async function runPreflight(
  o: { tag: SupportedTag; answers: Answers; dir: string; ownProject?: string; skip: string[]; adoptVolumes?: boolean },
  out: (line: string) => void,
): Promise<Preflight> {
  const a = o.answers;
  const results = await runChecks({
    tag: o.tag,
    profile: a.profile,
    installDir: o.dir,
    ports: a.ports.https && a.tls.mode !== 'off' ? { http: a.ports.http, https: a.ports.https } : { http: a.ports.http },
    skip: o.skip,
    ownProject: o.ownProject,
    ownership: { storage: { mode: a.storage.mode, dataDir: resolve(o.dir, a.storage.dataDir) }, adoptVolumes: o.adoptVolumes },
  });
  for (const r of results) {
    if (r.status !== 'pass') out(`${r.status.toUpperCase()} ${r.id}: found ${r.found}; required ${r.required}${r.remedy ? `. ${r.remedy}` : ''}${r.skipped ? ' (skipped with --skip-check)' : ''}`);
  }
  const warns = results.filter((r) => r.status === 'warn').length;
  return {
    summary: `${results.length - warns} passed${warns ? `, ${warns} warning${warns > 1 ? 's' : ''}` : ''}`,
    failed: results.filter((r) => r.status === 'fail'),
  };
}

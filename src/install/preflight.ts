/**
 * The `check` preflight as the install and upgrade pipelines run it: the answers' ports, this install's
 * own project (its published ports are not a conflict), every non-passing result reported as a line.
 */
import { resolve } from 'node:path';
import type { Answers } from '../answers/schema.js';
import type { SupportedTag } from '../catalog.js';
import { runChecks, type CheckResult } from '../../checks/index.js';
import type { ExternalDbOptions } from '../../checks/external-db.js';
import { RELEASES } from '../catalog.js';
import { externalPasswords, postgresMinMajor, versionNum } from '../answers/external.js';
import { imagesFor } from '../render/images.js';

/** What the external-db check needs from the answers: the servers, their passwords, the probe image and network. */
export function externalDbOptions(tag: SupportedTag, a: Pick<Answers, 'postgres' | 'redis' | 'images'>, dir: string): ExternalDbOptions | undefined {
  const pg = a.postgres?.external;
  const rd = a.redis?.external;
  if (!pg && !rd) return undefined;
  const passwords = externalPasswords(a, dir);
  const release = RELEASES[tag];
  const minMajor = postgresMinMajor(release);
  return {
    target: {
      postgres: pg && { host: pg.host, port: pg.port, database: pg.database, user: pg.user, password: passwords.postgres ?? '', sslmode: pg.sslmode, caFile: pg.caFile && resolve(dir, pg.caFile) },
      redis: rd && { host: rd.host, port: rd.port, db: rd.db, password: passwords.redis },
      image: imagesFor(tag, a.images).sentryBase,
      network: `${release.projectName}_default`,
    },
    minMajor,
    minVersionNum: versionNum(minMajor),
  };
}

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
    externalDb: externalDbOptions(o.tag, a, o.dir),
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

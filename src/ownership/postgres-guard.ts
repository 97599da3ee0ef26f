/**
 * Two PostgreSQL servers on one data directory corrupt it. Before anything starts a container on the
 * Sentry database's data (compose up of postgres, a one-off on the volume), no running container may
 * mount it, other than this project's own postgres service (compose reuses it, or stops it before it
 * starts its replacement).
 */
import { basename, join, resolve } from 'node:path';
import { EXIT, UserError } from '../errors.js';
import { PROJECT_LABEL, WORKING_DIR_LABEL, realOwnershipEngine, type ContainerFacts, type OwnershipEngine } from './engine.js';

export const POSTGRES_VOLUME = 'sentry-postgres';

/** The postgres data as a mount source: the volume's name, or its directory with storage.mode bind. */
export function postgresSource(a: { storage: { mode: 'volumes' | 'bind'; dataDir: string } }, installDir: string): string {
  return a.storage.mode === 'volumes' ? POSTGRES_VOLUME : join(resolve(installDir, a.storage.dataDir), POSTGRES_VOLUME);
}

/** Whether a mount source (bind or volume, as in a -v / Binds entry) is PostgreSQL's data. */
export function isPostgresSource(source: string): boolean {
  return basename(source) === POSTGRES_VOLUME;
}

export function postgresUsers(containers: readonly ContainerFacts[], source: string, ownProject?: string): ContainerFacts[] {
  return containers.filter(
    (c) =>
      c.running &&
      c.mounts.some((m) => (m.type === 'volume' ? m.name === source : m.source === source)) &&
      !(ownProject && c.labels[PROJECT_LABEL] === ownProject && c.labels['com.docker.compose.service'] === 'postgres' && (c.labels['com.docker.compose.oneoff'] ?? '').toLowerCase() !== 'true'),
  );
}

export async function refuseSecondPostgres(o: { source: string; ownProject?: string; engine?: OwnershipEngine }): Promise<void> {
  const engine = o.engine ?? (await realOwnershipEngine());
  const users = postgresUsers(await engine.containers(), o.source, o.ownProject);
  if (!users.length) return;
  const who = users.map((c) => {
    const project = c.labels[PROJECT_LABEL];
    const dir = c.labels[WORKING_DIR_LABEL];
    return `${c.name}${project ? ` (project ${project}${dir ? ` in ${dir}` : ''})` : ''}`;
  });
  throw new UserError(
    `the PostgreSQL data ${o.source} is mounted by running container${users.length > 1 ? 's' : ''} ${who.join(', ')}: a second server on the same data directory would corrupt it`,
    EXIT.prerequisite,
    `Stop ${users.length > 1 ? 'them' : 'it'} first (docker stop ${users.map((c) => c.name).join(' ')}), or run this command in the install that owns ${users.length > 1 ? 'them' : 'it'}. No container was started.`,
  );
}

/**
 * postgres:9.5 (9.1.2) -> postgres:9.6 (10.0.0 and later), the way the official installer does it: when
 * the data directory's PG_VERSION says 9.5, tianon/postgres-upgrade:9.5-to-9.6 runs pg_upgrade into a
 * scratch volume, whose content then replaces the old directory (plus the `host all all all trust` line
 * the upgrade image leaves out). Any other PG_VERSION means there is nothing to convert.
 * The old directory is gone afterwards, so this step needs the database dump: the undo empties the
 * directory (the old server initialises a fresh one) and the rollback restores the dump into it.
 */
import { imagesFor, mirroredName } from '../../render/images.js';
import { UserError, EXIT } from '../../errors.js';
import { dataSource, type ThrowawayResult } from './throwaway.js';
import { realEngine, type OneOffEngine } from './engine.js';
import { DIR_LABEL, TAG_LABEL } from '../../ownership/engine.js';
import { requireDatabaseBackup, type OneOff } from './types.js';

export interface PgMajorUpgrade {
  from: string;
  to: string;
  image: string;
}

export const PG_9_5_TO_9_6: PgMajorUpgrade = { from: '9.5', to: '9.6', image: 'tianon/postgres-upgrade:9.5-to-9.6' };
const SCRATCH = 'sentry-postgres-new';

/** What to do for the PG_VERSION found in the data directory. */
export function pgDecision(found: string, u: PgMajorUpgrade): { upgrade: boolean; why: string } {
  const v = found.trim();
  if (!v) return { upgrade: false, why: 'no PG_VERSION: the data directory is empty, the new server initialises it' };
  if (v === u.from) return { upgrade: true, why: `PG_VERSION is ${v}: upgrading the data directory to ${u.to}` };
  return { upgrade: false, why: `PG_VERSION is ${v}: the data directory needs no ${u.from} -> ${u.to} upgrade` };
}

async function readPgVersion(engine: OneOffEngine, image: string, source: string): Promise<string> {
  const r = await engine.run({ image, binds: [`${source}:/db:ro`], script: 'cat /db/PG_VERSION 2>/dev/null || true', label: 'pg-version' });
  return r.output.trim();
}

async function must(p: Promise<ThrowawayResult>, what: string): Promise<void> {
  const r = await p;
  if (r.exitCode !== 0) throw new UserError(`${what} failed (exit ${r.exitCode}): ${r.output.trim().slice(-800)}`, EXIT.failure);
}

export function pgMajorOneOff(id: OneOff['id'], u: PgMajorUpgrade, engine: OneOffEngine = realEngine): OneOff {
  return {
    id,
    title: `PostgreSQL data directory ${u.from} -> ${u.to}`,
    plan: `read PG_VERSION of sentry-postgres; when it is ${u.from}, convert the data with ${u.image}`,
    images: (answers) => [mirroredName(u.image, answers.images)],
    async run(env, out) {
      const helper = imagesFor(env.to, env.answers.images).postgres;
      const source = dataSource(env.answers, env.dir, 'sentry-postgres');
      const decision = pgDecision(await readPgVersion(engine, helper, source), u);
      out(decision.why);
      if (!decision.upgrade) return { skipped: decision.why };
      requireDatabaseBackup(env, u.from);
      const image = mirroredName(u.image, env.answers.images);
      await engine.ensureImage(image, out);
      await engine.removeVolume(SCRATCH).catch(() => undefined);
      await engine.createVolume(SCRATCH, { [DIR_LABEL]: env.dir, [TAG_LABEL]: env.to });
      try {
        await must(
          engine.run({ image, binds: [`${source}:/var/lib/postgresql/${u.from}/data`, `${SCRATCH}:/var/lib/postgresql/${u.to}/data`], label: id }),
          `pg_upgrade (${image})`,
        );
        await must(
          engine.run({
            image: helper,
            binds: [`${SCRATCH}:/from`, `${source}:/to`],
            script: "set -e; find /to -mindepth 1 -delete; cp -a /from/. /to/; echo 'host all all all trust' >> /to/pg_hba.conf",
            label: id,
          }),
          'copying the upgraded data directory back',
        );
      } finally {
        await engine.removeVolume(SCRATCH).catch(() => undefined);
      }
      return {
        done: `data directory converted to PostgreSQL ${u.to}`,
        changedDatabase: true,
        undo: async (o) => {
          await must(engine.run({ image: helper, binds: [`${source}:/to`], script: 'find /to -mindepth 1 -delete', label: `${id}-undo` }), 'emptying the data directory');
          o(`emptied sentry-postgres: the ${u.from} server initialises it and the dump is restored into it`);
        },
      };
    },
  };
}

/**
 * postgres:9.6 (21.x) -> postgres:14 (23.6.2 and later), as the official 23.6.2 install/upgrade-postgres.sh does
 * it: when PG_VERSION says 9.6, tianon/postgres-upgrade:9.6-to-14 runs pg_upgrade into a scratch volume, the
 * result replaces the old data directory (plus the `host all all all trust` line the upgrade image leaves out),
 * then `REINDEX SYSTEM` and `REINDEX DATABASE` run on every non-template database (the C library of the new
 * image sorts text differently: indexes built by the old one would be wrong).
 *
 * Each phase leaves a mark in the data directory, so a run that was killed is completed by the next one:
 * `.sentry-onprem-pg-copy` while the upgraded data is copied back (the scratch volume is kept until the copy is
 * whole: the copy is done again from it), `.sentry-onprem-reindex` until every database is reindexed (the
 * reindex is done again). PostgreSQL ignores unknown files in its data directory.
 * The old directory is gone afterwards: the undo empties it and the rollback restores the database dump.
 */
import { imagesFor, mirroredName } from '../../render/images.js';
import { UserError, EXIT } from '../../errors.js';
import { DIR_LABEL, TAG_LABEL } from '../../ownership/engine.js';
import { dataSource } from './throwaway.js';
import type { PgMajorUpgrade } from './postgres-major.js';
import { realEngine, said, must, type OneOffEngine } from './engine.js';
import { requireDatabaseBackup, type OneOff } from './types.js';

export const PG_9_6_TO_14: PgMajorUpgrade = { from: '9.6', to: '14', image: 'tianon/postgres-upgrade:9.6-to-14' };
const SCRATCH = 'sentry-postgres-new';
const COPYING = '.sentry-onprem-pg-copy';
const REINDEX = '.sentry-onprem-reindex';
const DATA = '/var/lib/postgresql/data';

/** What the data directory says: its PG_VERSION and the marks of an unfinished run. */
export interface PgDirState {
  version: string;
  copying: boolean;
  reindex: boolean;
}

export const readStateScript = `cd /db; echo "sentry-onprem: PG_VERSION=$(cat PG_VERSION 2>/dev/null)"; [ -e ${COPYING} ] && echo "sentry-onprem: copying"; [ -e ${REINDEX} ] && echo "sentry-onprem: reindex"; true`;

export function parseDirState(output: string): PgDirState {
  const lines = said(output);
  const v = lines.find((l) => l.startsWith('PG_VERSION='));
  return { version: v ? v.slice('PG_VERSION='.length) : '', copying: lines.includes('copying'), reindex: lines.includes('reindex') };
}

/** Copies the upgraded directory over the old one; the mark goes only when the copy is whole. */
export const copyBackScript = [
  'set -e',
  `touch /to/${COPYING}`,
  `find /to -mindepth 1 ! -name ${COPYING} -delete`,
  'cp -a /from/. /to/',
  "echo 'host all all all trust' >> /to/pg_hba.conf",
  `touch /to/${REINDEX}`,
  `rm /to/${COPYING}`,
  'echo "sentry-onprem: copied back $(du -sh /to | cut -f1)"',
].join('\n');

/**
 * Starts the new server on the data directory (no network, a private socket), reindexes every non-template
 * database, stops it; the mark goes when all are done. Runs as root in the target's postgres image and steps
 * down to postgres (setpriv, or gosu where an image has only that).
 */
export const reindexScript = [
  'set -e',
  `cat > /tmp/reindex.sh <<'INNER'`,
  'set -e',
  `D=${DATA}`,
  `pg_ctl -D "$D" -w -t 300 -o "-c listen_addresses='' -c unix_socket_directories=/tmp" start >/tmp/pg.log 2>&1 || { cat /tmp/pg.log; exit 1; }`,
  `trap 'pg_ctl -D "$D" -w -m fast stop >/dev/null' EXIT`,
  'for db in $(psql -h /tmp -U postgres -qAt -c "SELECT datname FROM pg_database WHERE datistemplate = false ORDER BY datname"); do',
  '  psql -h /tmp -U postgres -d "$db" -v ON_ERROR_STOP=1 -qAt -c "REINDEX SYSTEM \\"$db\\"" -c "REINDEX DATABASE \\"$db\\""',
  '  echo "sentry-onprem: reindexed $db"',
  'done',
  'INNER',
  `chown -R postgres:postgres ${DATA}`,
  'if command -v setpriv >/dev/null; then setpriv --reuid=postgres --regid=postgres --init-groups sh /tmp/reindex.sh; else gosu postgres sh /tmp/reindex.sh; fi',
  `rm -f ${DATA}/${REINDEX}`,
].join('\n');

/** The major version a `postgres --version` line names: "9.6" for 9.6.24, "14" for 14.5. */
export function parseMajor(output: string): string | undefined {
  const m = /PostgreSQL\)?\s+(\d+)(?:\.(\d+))?/.exec(output);
  if (!m) return undefined;
  return Number(m[1]) >= 10 ? m[1] : `${m[1]}.${m[2] ?? '0'}`;
}

/**
 * What to do for the PG_VERSION found, knowing the majors the two releases' postgres images run (the official
 * images run 9.6 and 14; an image built elsewhere may run other majors, and it is their data format that counts).
 */
export function pg14Decision(found: string, majors: { old?: string; new?: string }, u: PgMajorUpgrade): { upgrade: boolean; why: string } {
  const v = found.trim();
  if (!v) return { upgrade: false, why: 'no PG_VERSION: the data directory is empty, the new server initialises it' };
  if (v === majors.new || (!majors.new && v === u.to)) return { upgrade: false, why: `PG_VERSION is ${v}: the data directory is in the format of the new server already` };
  if (v === majors.old || v === u.from) return { upgrade: true, why: `PG_VERSION is ${v} (the server of the release that ran): upgrading the data directory to ${u.to}${majors.new && majors.new !== u.to ? ` (this postgres image runs ${majors.new})` : ''}` };
  throw new UserError(
    `PG_VERSION of sentry-postgres is ${v}: neither the old server's (${majors.old ?? u.from}) nor the new one's (${majors.new ?? u.to}) format`,
    EXIT.failure,
    'The data directory is not one this install wrote; restore the database from the backup taken before this hop (sentry-onprem restore BACKUP_DIR).',
  );
}

async function serverMajor(engine: OneOffEngine, image: string): Promise<string | undefined> {
  const r = await engine.run({ image, binds: [], script: 'postgres --version 2>/dev/null || true', label: 'postgres-version' });
  return parseMajor(r.output);
}

export function pg14OneOff(engine: OneOffEngine = realEngine, u: PgMajorUpgrade = PG_9_6_TO_14): OneOff {
  const id = 'postgres-9.6-to-14' as const;
  const fail = (msg: string) => new UserError(msg, EXIT.failure);
  return {
    id,
    title: `PostgreSQL data directory ${u.from} -> ${u.to}, reindexed`,
    plan: `read PG_VERSION of sentry-postgres; when it is ${u.from}, convert the data with ${u.image}, then REINDEX SYSTEM and REINDEX DATABASE on every non-template database`,
    images: (answers) => [mirroredName(u.image, answers.images)],
    async run(env, out) {
      const helper = imagesFor(env.to, env.answers.images).postgres;
      const source = dataSource(env.answers, env.dir, 'sentry-postgres');
      const state = parseDirState((await engine.run({ image: helper, binds: [`${source}:/db:ro`], script: readStateScript, label: `${id}-read` })).output);
      const done: string[] = [];
      let converted = false;
      if (state.copying) {
        // Killed while copying back: the scratch volume holds the whole upgraded directory; copy again.
        if (!(await engine.volumeExists(SCRATCH))) {
          throw new UserError(
            `the PostgreSQL data directory was being replaced by its ${u.to} copy when an earlier run stopped, and the copy (volume ${SCRATCH}) is gone`,
            EXIT.failure,
            'Restore the database from the backup taken before this hop (sentry-onprem restore BACKUP_DIR).',
          );
        }
        out(`an earlier run stopped while copying the ${u.to} data back: copying it again from ${SCRATCH}`);
        await must(engine.run({ image: helper, binds: [`${SCRATCH}:/from`, `${source}:/to`], script: copyBackScript, label: id }), 'copying the upgraded data directory back', fail);
        await engine.removeVolume(SCRATCH);
        converted = true;
        done.push(`copy back completed`);
      } else {
        const majors = state.version ? { old: await serverMajor(engine, imagesFor(env.from, env.answers.images).postgres), new: await serverMajor(engine, helper) } : {};
        const decision = pg14Decision(state.version, majors, u);
        out(decision.why);
        if (decision.upgrade) {
          requireDatabaseBackup(env, u.from);
          const image = mirroredName(u.image, env.answers.images);
          await engine.ensureImage(image, out);
          await engine.removeVolume(SCRATCH);
          await engine.createVolume(SCRATCH, { [DIR_LABEL]: env.dir, [TAG_LABEL]: env.to });
          await must(
            engine.run({ image, binds: [`${source}:/var/lib/postgresql/${u.from}/data`, `${SCRATCH}:/var/lib/postgresql/${u.to}/data`], label: id }),
            `pg_upgrade (${image})`,
            fail,
          );
          const c = await must(engine.run({ image: helper, binds: [`${SCRATCH}:/from`, `${source}:/to`], script: copyBackScript, label: id }), 'copying the upgraded data directory back', fail);
          await engine.removeVolume(SCRATCH);
          converted = true;
          done.push(`converted to PostgreSQL ${u.to}${said(c.output).length ? ` (${said(c.output).pop()})` : ''}`);
        } else if (!state.reindex) {
          return { skipped: decision.why };
        }
      }
      // The reindex: right after the conversion, or left unfinished by an earlier run.
      const r = await must(engine.run({ image: helper, binds: [`${source}:${DATA}`], script: reindexScript, label: `${id}-reindex` }), 'REINDEX', fail);
      const dbs = said(r.output).filter((l) => l.startsWith('reindexed ')).map((l) => l.slice('reindexed '.length));
      if (!dbs.length) throw fail(`REINDEX found no database to reindex: ${r.output.trim().slice(-500)}`);
      done.push(`reindexed ${dbs.join(', ')}`);
      out(done.join('; '));
      return {
        done: done.join('; '),
        changedDatabase: true,
        undo: converted || env.databaseBackedUp
          ? async (o) => {
              await must(engine.run({ image: helper, binds: [`${source}:/to`], script: 'find /to -mindepth 1 -delete', label: `${id}-undo` }), 'emptying the data directory', fail);
              o(`emptied sentry-postgres: the ${u.from} server initialises it and the dump is restored into it`);
            }
          : undefined,
      };
    },
  };
}

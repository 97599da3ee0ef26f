/**
 * The TSDB rewrite of the official 21.5.0 installer (install/replace-tsdb.sh): a sentry.conf.py without
 * `SENTRY_TSDB = "sentry.tsdb.redissnuba.RedisSnubaTSDB"` (9.1.2's Redis-only TSDB) gets it, with
 * `SENTRY_TSDB_OPTIONS = {"switchover_timestamp": <upgrade time> + 90 days}`: for 90 days the charts keep
 * reading the Redis TSDB, which holds the time series from before the upgrade, while Snuba fills up.
 *
 * The rendered sentry.conf.py of 21.5.0 and later names RedisSnubaTSDB already; what the old one lacked is the
 * switchover. The time is decided once, at the hop from 9.1.2, and kept in .sentry-onprem/tsdb-switchover.json;
 * the templates of the releases whose sentry.conf.py takes the option write it from there (every render of
 * them, later hops and reconfigure included). This step records the time and writes the lines into the
 * files the hop has just rendered, exactly as the template renders them.
 */
import { chownSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../fs/atomic.js';
import type { OneOff } from './types.js';

export const SWITCHOVER_FILE = '.sentry-onprem/tsdb-switchover.json';
export const SNUBA_TSDB_LINE = 'SENTRY_TSDB = "sentry.tsdb.redissnuba.RedisSnubaTSDB"';
const NINETY_DAYS = 90 * 24 * 3600;

export interface Switchover {
  /** Unix seconds: from then on the TSDB reads Snuba. */
  switchoverTimestamp: number;
  /** The release the install came from, and when the time was decided. */
  from: string;
  at: string;
}

export function readSwitchover(dir: string): Switchover | undefined {
  const p = join(dir, SWITCHOVER_FILE);
  if (!existsSync(p)) return undefined;
  const v = JSON.parse(readFileSync(p, 'utf8')) as Switchover;
  return Number.isInteger(v.switchoverTimestamp) ? v : undefined;
}

/** The lines the templates render after the SENTRY_TSDB line (templates/21.5.0/sentry.conf.py.hbs and later). */
export function optionLines(s: Switchover): string {
  return `\n# Automatic switchover 90 days after the upgrade from ${s.from} (${s.at}). Can be removed afterwards.\nSENTRY_TSDB_OPTIONS = {"switchover_timestamp": ${s.switchoverTimestamp}}`;
}

/** The file with the option after its RedisSnubaTSDB line; unchanged when it has the option or no such line. */
export function withSwitchover(text: string, s: Switchover): string {
  if (/^SENTRY_TSDB_OPTIONS\s*=/m.test(text)) return text;
  const i = text.split('\n').indexOf(SNUBA_TSDB_LINE);
  if (i < 0) return text;
  const lines = text.split('\n');
  lines.splice(i + 1, 0, ...optionLines(s).split('\n'));
  return lines.join('\n');
}

function rewrite(path: string, s: Switchover): boolean {
  if (!existsSync(path)) return false;
  const text = readFileSync(path, 'utf8');
  const next = withSwitchover(text, s);
  if (next === text) return false;
  const st = statSync(path);
  writeFileAtomic(path, next, { mode: st.mode & 0o7777 });
  if (process.getuid?.() === 0) chownSync(path, st.uid, st.gid);
  return true;
}

export function tsdbSwitchoverOneOff(now: () => Date = () => new Date()): OneOff {
  return {
    id: 'tsdb-switchover',
    title: 'TSDB: switch over from Redis to Snuba in 90 days',
    plan: 'record the switchover time (now + 90 days) and set SENTRY_TSDB_OPTIONS in sentry.conf.py, as install/replace-tsdb.sh does for a Redis-only TSDB',
    async run(env, out) {
      let s = readSwitchover(env.dir);
      const created = !s;
      if (!s) {
        const t = now();
        s = { switchoverTimestamp: Math.floor(t.getTime() / 1000) + NINETY_DAYS, from: env.from, at: t.toISOString().slice(0, 10) };
        writeFileAtomic(join(env.dir, SWITCHOVER_FILE), JSON.stringify(s, null, 2) + '\n', { mode: 0o644 });
      }
      const changed = ['sentry/sentry.conf.py', '.sentry-onprem/rendered/sentry/sentry.conf.py'].filter((f) => rewrite(join(env.dir, f), s!));
      const when = new Date(s.switchoverTimestamp * 1000).toISOString().slice(0, 10);
      const what = `Redis TSDB read until ${when}, Snuba after${changed.length ? '' : ' (sentry.conf.py had it already)'}`;
      out(what);
      return {
        done: what,
        // The files are put back by the rollback (the backup has them); the decision goes with them.
        undo: created
          ? async (o) => {
              rmSync(join(env.dir, SWITCHOVER_FILE), { force: true });
              o(`removed ${SWITCHOVER_FILE}`);
            }
          : undefined,
      };
    },
  };
}

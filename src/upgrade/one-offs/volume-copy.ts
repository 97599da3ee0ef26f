/**
 * A data volume (or bind directory) copied aside before a one-off step rewrites or empties it: the copy is the
 * step's undo and goes when the hop has succeeded. A copy is complete only with its marker file, so a copy cut
 * short by a kill is made again, never restored from.
 */
import { docker } from '../../install/docker.js';
import { UserError, EXIT } from '../../errors.js';
import { runThrowaway } from './throwaway.js';

const COPY_DONE = '.sentry-onprem-copy-complete';

export interface VolumeCopies {
  isCompleteCopy(copy: string): Promise<boolean>;
  /** Copies source into copy (emptied first) and marks the copy complete. */
  copy(source: string, copy: string): Promise<void>;
  /** Puts the copy's content back into source. */
  restore(copy: string, source: string): Promise<void>;
  remove(copy: string): Promise<void>;
  /** Whether the volume or directory holds anything (a volume that does not exist holds nothing). */
  hasData(source: string): Promise<boolean>;
}

export async function must(p: Promise<{ exitCode: number; output: string }>, what: string): Promise<string> {
  const r = await p;
  if (r.exitCode !== 0) throw new UserError(`${what} failed (exit ${r.exitCode}): ${r.output.trim().slice(-600)}`, EXIT.failure);
  return r.output;
}

const isVolume = (s: string) => !s.startsWith('/');
const volumeExists = async (name: string) => (await docker()).getVolume(name).inspect().then(() => true, () => false);

/** The copies made by one-off containers of `helper` (any image with sh, find and cp); new volumes get `labels`. */
export function volumeCopies(helper: string, labels: Record<string, string>): VolumeCopies {
  const sh = (binds: string[], script: string, label: string) => runThrowaway({ image: helper, binds, script, label });
  return {
    async hasData(source) {
      if (isVolume(source) && !(await volumeExists(source))) return false;
      return (await sh([`${source}:/d:ro`], 'ls -A /d | head -1', 'has-data')).output.trim() !== '';
    },
    async isCompleteCopy(copy) {
      if (isVolume(copy) && !(await volumeExists(copy))) return false;
      return (await sh([`${copy}:/c:ro`], `[ -e /c/${COPY_DONE} ] && echo yes || true`, 'copy-check')).output.trim() === 'yes';
    },
    async copy(source, copy) {
      if (isVolume(copy) && !(await volumeExists(copy))) await (await docker()).createVolume({ Name: copy, Labels: labels });
      await must(sh([`${source}:/from:ro`, `${copy}:/to`], `set -e; find /to -mindepth 1 -delete; cp -a /from/. /to/; touch /to/${COPY_DONE}`, 'copy'), `copying ${source} to ${copy}`);
    },
    async restore(copy, source) {
      await must(sh([`${copy}:/from:ro`, `${source}:/to`], `set -e; find /to -mindepth 1 -delete; cp -a /from/. /to/; rm -f /to/${COPY_DONE}`, 'restore'), `putting back ${source} from ${copy}`);
    },
    async remove(copy) {
      if (isVolume(copy)) await (await docker()).getVolume(copy).remove().catch(() => undefined);
      else await must(sh([`${copy}:/c`], 'find /c -mindepth 1 -delete', 'copy-remove'), `removing ${copy}`);
    },
  };
}

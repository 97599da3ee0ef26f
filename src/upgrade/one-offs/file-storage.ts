/**
 * 9.1.2 mounts sentry-data at /var/lib/sentry/files, so stored files sit at the top of the volume;
 * 10.0.0 and later mount it at /data and read /data/files. The official installer moves them with the
 * new web image after `sentry upgrade`, whose entrypoint has by then created /data/files, which makes its
 * own "not moved yet" test false. Here the move runs before any container of the new release starts.
 * Renames inside one filesystem: no copy, no extra space; undone by the reverse renames.
 */
import { RELEASES } from '../../catalog.js';
import { imagesFor } from '../../render/images.js';
import { UserError, EXIT } from '../../errors.js';
import { dataSource, runThrowaway } from './throwaway.js';
import type { OneOff } from './types.js';

const TMP = '.sentry-onprem-moving';
// Every top-level entry, dot files included, without the parse problems of `ls`.
const EACH = (dir: string) => `for f in ${dir}* ${dir}.[!.]* ${dir}..?*; do [ -e "$f" ] || continue;`;

export function moveScript(uid: number, root = '/data'): string {
  return [
    `set -e; cd ${root}`,
    'if [ -d files ]; then echo "sentry-onprem: files already in /data/files"; exit 0; fi',
    'if [ -z "$(ls -A)" ]; then echo "sentry-onprem: no stored files"; exit 0; fi',
    `mkdir ${TMP}`,
    `${EACH('')} [ "$f" = ${TMP} ] && continue; mv "$f" ${TMP}/; done`,
    `mv ${TMP} files`,
    `chown -R ${uid}:${uid} ${root}`,
    'echo "sentry-onprem: moved $(find files -type f | wc -l) files"',
  ].join('\n');
}

export function moveBackScript(uid: number, root = '/data'): string {
  return [
    `set -e; cd ${root}`,
    'if [ ! -d files ]; then exit 0; fi',
    `mv files ${TMP}`,
    `${EACH(`${TMP}/`)} mv "$f" .; done`,
    `rmdir ${TMP}`,
    `chown -R ${uid}:${uid} ${root}`,
    'echo "sentry-onprem: moved the stored files back to the top of the volume"',
  ].join('\n');
}

export const fileStorageMove: OneOff = {
  id: 'file-storage-to-data-files',
  title: 'Move stored files into /data/files',
  plan: 'move the files at the top of sentry-data into files/ (9.1.2 mounted it at /var/lib/sentry/files, later releases read /data/files)',
  async run(env, out) {
    const image = imagesFor(env.to, env.answers.images).postgres;
    const binds = [`${dataSource(env.answers, env.dir, 'sentry-data')}:/data`];
    const r = await runThrowaway({ image, binds, script: moveScript(RELEASES[env.to].sentryUid), label: 'file-storage-to-data-files' });
    const said = r.output.trim().split('\n').filter((l) => l.startsWith('sentry-onprem: ')).pop()?.slice(15) ?? '';
    if (r.exitCode !== 0) throw new UserError(`moving the stored files failed (exit ${r.exitCode}): ${r.output.trim().slice(-500)}`, EXIT.failure);
    out(said);
    if (!said.startsWith('moved')) return { skipped: said };
    return {
      done: said,
      undo: async (o) => {
        const back = await runThrowaway({ image, binds, script: moveBackScript(RELEASES[env.from].sentryUid), label: 'file-storage-to-data-files-undo' });
        if (back.exitCode !== 0) throw new Error(`moving the stored files back failed: ${back.output.trim().slice(-500)}`);
        o(back.output.trim().split('\n').pop() ?? '');
      },
    };
  },
};

/**
 * The project rename sentry_onpremise -> sentry-self-hosted (21.12.0) gives the compose-scoped volumes new
 * names. All data volumes are external and keep theirs, but ZooKeeper's transaction log
 * (/var/lib/zookeeper/log) lives in the project volume <project>_sentry-zookeeper-log, next to its snapshots in
 * the external sentry-zookeeper: without the log, ZooKeeper starts from its last snapshot and loses what was
 * written since (Kafka's broker registrations, topic changes). The official installer leaves it behind; here
 * the log is copied into the new project's volume before ZooKeeper starts. The old volume is kept (`down`
 * left it; `sentry-onprem cleanup` lists it); the undo removes the new one. Copying again is harmless.
 */
import { RELEASES } from '../../catalog.js';
import { imagesFor } from '../../render/images.js';
import { UserError, EXIT } from '../../errors.js';
import { DIR_LABEL, TAG_LABEL } from '../../ownership/engine.js';
import { realEngine, said, must, type OneOffEngine } from './engine.js';
import type { OneOff } from './types.js';

export const ZOOKEEPER_LOG = 'sentry-zookeeper-log';

/** Compose's name for a project volume (the project name as Compose normalises it). */
export function projectVolume(project: string, volume: string): string {
  return `${project.toLowerCase().replace(/[^a-z0-9_-]/g, '')}_${volume}`;
}

export const copyScript = [
  'set -e',
  'find /to -mindepth 1 -delete',
  'cp -a /from/. /to/',
  'echo "sentry-onprem: copied $(find /to -type f | wc -l) files ($(du -sh /to | cut -f1))"',
].join('\n');

export function zookeeperLogOneOff(engine: OneOffEngine = realEngine): OneOff {
  const id = 'zookeeper-log-volume' as const;
  return {
    id,
    title: "Carry ZooKeeper's transaction log over to the renamed project",
    plan: `copy the project volume ${ZOOKEEPER_LOG} of the old project name into the new project's (the external data volumes keep their names)`,
    async run(env, out) {
      const oldProject = RELEASES[env.from].projectName;
      const newProject = RELEASES[env.to].projectName;
      if (oldProject === newProject) return { skipped: `the project keeps its name ${newProject}` };
      const from = projectVolume(oldProject, ZOOKEEPER_LOG);
      const to = projectVolume(newProject, ZOOKEEPER_LOG);
      if (!(await engine.volumeExists(from))) {
        const why = `no volume ${from}: ZooKeeper starts from its snapshots in sentry-zookeeper`;
        out(why);
        return { skipped: why };
      }
      const existed = await engine.volumeExists(to);
      if (!existed) {
        await engine.createVolume(to, {
          'com.docker.compose.project': newProject,
          'com.docker.compose.volume': ZOOKEEPER_LOG,
          [DIR_LABEL]: env.dir,
          [TAG_LABEL]: env.to,
        });
      }
      const image = imagesFor(env.to, env.answers.images).postgres;
      const r = await must(engine.run({ image, binds: [`${from}:/from:ro`, `${to}:/to`], script: copyScript, label: id }), `copying ${from} to ${to}`, (m) => new UserError(m, EXIT.failure));
      const what = `${from} -> ${to}: ${said(r.output).pop() ?? 'copied'}; ${from} is kept`;
      out(what);
      return {
        done: what,
        undo: existed
          ? undefined
          : async (o) => {
              await engine.removeVolume(to);
              o(`removed ${to}`);
            },
      };
    },
  };
}

/** `upgrade --dry-run`: the plan (hops, images, files, steps) on stdout. Reads only; changes nothing. */
import { RELEASES, type SupportedTag } from '../catalog.js';
import { describeBootstrap } from '../releases/index.js';
import { pulledImages } from '../render/images.js';
import { describeChanges, type RenderPlan } from '../render/render-install.js';
import { inspectImage, volumeExists } from '../install/docker.js';
import { healthTarget } from '../install/health.js';
import type { Answers } from '../answers/schema.js';
import { runningPostgres, databaseFacts } from '../backup/postgres.js';
import { freeBytes, humanBytes, enoughForBackup } from '../backup/free-space.js';
import { configFiles } from '../backup/config-files.js';
import { backupName } from '../backup/take-backup.js';
import type { Layout } from '../layout.js';
import { ONE_OFFS } from './one-offs/index.js';
import { formatPath, type Hop } from './plan-path.js';

export interface DryRunHop {
  hop: Hop;
  answers: Answers;
  /** Only for the first hop: later hops render from the files the earlier ones leave. */
  render?: RenderPlan;
  checks: string;
}

export async function describeUpgrade(o: { layout: Layout; path: string[]; hops: DryRunHop[]; withDatabaseBackup: boolean; stamp: string }): Promise<string> {
  const lines: string[] = [];
  const add = (l = '') => lines.push(l);
  add(`Upgrade plan: Sentry ${o.path[0]} -> ${o.path[o.path.length - 1]}`);
  add(`path: ${formatPath(o.path)} (${o.hops.length} hop${o.hops.length > 1 ? 's' : ''})`);
  for (const [i, h] of o.hops.entries()) {
    const from = h.hop.from as SupportedTag;
    const to = h.hop.to as SupportedTag;
    add();
    add(`hop ${i + 1}: ${from} -> ${to} (compose project ${RELEASES[from].projectName} -> ${RELEASES[to].projectName})`);
    add(`  checks for ${to}: ${h.checks}`);
    add(`  backup: ${await describeBackup(o.layout, from, to, o.withDatabaseBackup, o.stamp)}`);
    const images = pulledImages(to, h.answers.images);
    const missing: string[] = [];
    for (const img of images) if (!(await inspectImage(img))) missing.push(img);
    add(`  pull: ${missing.length ? missing.join(', ') : 'nothing'} (${images.length - missing.length} of ${images.length} present)`);
    add(`  build: ${RELEASES[to].builtImages.map((b) => b.image).join(', ')}`);
    if (h.render) {
      const changed = describeChanges(h.render).filter((l) => !l.startsWith('unchanged'));
      add(`  files (${changed.length} of ${h.render.changes.length} change):`);
      for (const l of changed) add(`    ${l}`);
    } else add('  files: rendered from what the previous hop leaves');
    const newVolumes: string[] = [];
    for (const v of RELEASES[to].externalVolumes) if (!(await volumeExists(v))) newVolumes.push(v);
    const t = healthTarget(h.answers, o.layout.dir);
    const steps = [
      `back up ${from}${o.withDatabaseBackup ? '' : ' (configuration only: --no-backup)'}`,
      `pull and build the ${to} images while ${from} keeps running`,
      `render the ${to} files (three-way merge with your edits)`,
      `stop and remove the containers of project ${RELEASES[from].projectName} (volumes are kept)`,
      `create volumes: ${newVolumes.length ? newVolumes.join(', ') : 'none missing'}`,
      ...h.hop.oneOffs.map((id) => `${ONE_OFFS[id].title}: ${ONE_OFFS[id].plan}`),
      describeBootstrap(RELEASES[to].bootstrap),
      `migrations: ${(RELEASES[to].migrate ?? ['sentry', 'upgrade', '--noinput']).join(' ')}`,
      `up -d, then wait for ${RELEASES[to].waits.map((w) => (w.kind === 'vhost' ? `${t.protocol}://${t.host}:${t.port}${w.path}` : 'every healthcheck of the stack')).join(' and ') || 'the containers only'}`,
    ];
    add('  steps:');
    steps.forEach((s, n) => add(`    ${n + 1}. ${s}`));
    add(`  on failure: put back the ${from} files and images, undo the one-off steps, restore the database when the migrations had started, start ${from} again`);
  }
  add();
  add('dry run: nothing was changed');
  return lines.join('\n') + '\n';
}

async function describeBackup(layout: Layout, from: SupportedTag, to: string, withDb: boolean, stamp: string): Promise<string> {
  const where = `${layout.backupsDir}/${backupName(stamp, from, to)}/`;
  const files = `${configFiles(layout).length} configuration files`;
  if (!withDb) return `${files} into ${where} (no database dump: --no-backup)`;
  const pg = await runningPostgres(RELEASES[from].projectName);
  const free = freeBytes(layout.backupsDir);
  if (!pg) return `database dump and ${files} into ${where} (postgres is not running: it is started for the dump; ${humanBytes(free)} free)`;
  const facts = await databaseFacts(pg.id);
  const verdict = enoughForBackup(free, facts.bytes) ? 'enough' : 'NOT enough: the upgrade would stop here';
  return `database dump (database ${humanBytes(facts.bytes)}) and ${files} into ${where} (${humanBytes(free)} free, ${verdict})`;
}

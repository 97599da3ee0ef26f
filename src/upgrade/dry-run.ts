/** `upgrade --dry-run`: the plan (hops, images, files, steps) on stdout. Reads only; changes nothing. */
import { RELEASES, type SupportedTag } from '../catalog.js';
import { describeBootstrap, type OneOffId } from '../releases/index.js';
import { describeChanges, type RenderPlan } from '../render/render-install.js';
import { volumeExists } from '../install/docker.js';
import { healthTarget } from '../install/health.js';
import type { Answers } from '../answers/schema.js';
import { runningPostgres, databaseFacts } from '../backup/postgres.js';
import { freeBytes, humanBytes, enoughForBackup } from '../backup/free-space.js';
import { configFiles } from '../backup/config-files.js';
import { backupName } from '../backup/take-backup.js';
import type { Layout } from '../layout.js';
import { ONE_OFFS } from './one-offs/index.js';
import { formatPath, type Hop } from './plan-path.js';
import { ARRIVALS } from './hops.js';
import { describeHopDisk, type DiskNow, type HopDisk } from './disk.js';
import type { ImagesReady } from './preflight.js';
import { MEASURED, formatDuration, type DowntimeEstimate } from './step-times.js';

export interface DryRunHop {
  hop: Hop;
  answers: Answers;
  /** Only for the first hop: later hops render from the files the earlier ones leave. */
  render?: RenderPlan;
  checks: string;
  /** Why this version cannot run the hop yet (empty: it can). */
  blockers: string[];
  /** What the hop's preflight would refuse (a check, the disk, an image), in words. */
  problems: string[];
  images: ImagesReady;
  disk: HopDisk;
  downtime: DowntimeEstimate;
}

export interface DryRun {
  layout: Layout;
  path: string[];
  hops: DryRunHop[];
  withDatabaseBackup: boolean;
  stamp: string;
  /** What the database says, in words. */
  database: string;
  disk: DiskNow;
  /** A real run of this road is refused: why. */
  refusal?: string;
}

export async function describeUpgrade(o: DryRun): Promise<string> {
  const lines: string[] = [];
  const add = (l = '') => lines.push(l);
  add(`Upgrade plan: Sentry ${o.path[0]} -> ${o.path[o.path.length - 1]}`);
  add(`path: ${formatPath(o.path)} (${o.hops.length} hop${o.hops.length > 1 ? 's' : ''})`);
  add(`database: ${o.database}`);
  add(`measured now: ${describeMeasured(o.disk)}`);
  let total = 0;
  const unmeasured: string[] = [];
  for (const [i, h] of o.hops.entries()) {
    const from = h.hop.from as SupportedTag;
    const to = h.hop.to as SupportedTag;
    add();
    add(`hop ${i + 1}: ${from} -> ${to} (compose project ${RELEASES[from].projectName} -> ${RELEASES[to].projectName})`);
    if (h.blockers.length) add(`  NOT YET: this version cannot run this hop: ${h.blockers.join('; ')}`);
    add(`  checks for ${to}: ${h.checks}`);
    for (const p of h.problems) add(`  REFUSED: ${p}`);
    add(`  backup: ${await describeBackup(o.layout, from, to, o.withDatabaseBackup, o.stamp)}`);
    const img = h.images;
    const toPull = [...img.pullable, ...img.missing.map((m) => m.image)];
    const n = img.present.length + toPull.length;
    add(`  pull: ${toPull.length ? toPull.join(', ') : 'nothing'} (${img.present.length} of ${n} present${img.pullable.length ? `; the registry has ${img.pullable.length}` : ''}${img.missing.length ? `; NOT pullable: ${img.missing.map((m) => `${m.image} (${m.why})`).join(', ')}` : ''})`);
    add(`  build: ${RELEASES[to].builtImages.map((b) => b.image).join(', ')}`);
    add(`  disk at the worst moment: ${describeHopDisk(h.disk)}`);
    const d = h.downtime;
    total += d.seconds;
    const notMeasured = d.unmeasured.map((u) => (u in ONE_OFFS ? `${ONE_OFFS[u as OneOffId].title} (never run on the test engine)` : u));
    unmeasured.push(...notMeasured.map((u) => `${from} -> ${to}: ${u}`));
    add(`  downtime estimate: ${formatDuration(d.seconds)} from stopping ${from} to ${to} answering${notMeasured.length ? `, plus the work not measured yet: ${notMeasured.join('; ')}` : ''}`);
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
      ...(ARRIVALS[to]?.unimplemented ?? []).map((w) => `(not implemented yet) ${w}`),
      describeBootstrap(RELEASES[to].bootstrap),
      `migrations: ${(RELEASES[to].migrate ?? ['sentry', 'upgrade', '--noinput']).join(' ')}`,
      `up -d, then wait for ${RELEASES[to].waits.map((w) => (w.kind === 'vhost' ? `${t.protocol}://${t.host}:${t.port}${w.path}` : 'every healthcheck of the stack')).join(' and ') || 'the containers only'}`,
    ];
    add('  steps:');
    steps.forEach((s, n) => add(`    ${n + 1}. ${s}`));
    add(`  on failure: put back the ${from} files and images, undo the one-off steps, restore the database when the migrations had started, start ${from} again`);
  }
  add();
  add(
    `downtime estimate for the whole road: ${formatDuration(total)}${unmeasured.length ? ' plus the work not measured yet' : ''}. ` +
      `An estimate from measured step times, measured on ${MEASURED.measuredOn}; real migrations on a large database take much longer.`,
  );
  if (o.refusal) add(`a real run is refused now: ${o.refusal}`);
  add('dry run: nothing was changed');
  return lines.join('\n') + '\n';
}

function describeMeasured(d: DiskNow): string {
  const parts: string[] = [];
  if (d.databaseBytes !== undefined) parts.push(`database ${humanBytes(d.databaseBytes)}`);
  for (const [v, b] of Object.entries(d.volumeBytes).sort()) parts.push(`${v} ${humanBytes(b)}`);
  parts.push(d.volumesFree.ok ? `${humanBytes(d.volumesFree.bytes)} free where Docker stores volumes (${d.volumesFree.path})` : `free space where Docker stores volumes not measured (${d.volumesFree.reason})`);
  return parts.join(', ') + (d.notes.length ? `; ${d.notes.join('; ')}` : '');
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

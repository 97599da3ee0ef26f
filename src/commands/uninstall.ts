/**
 * `sentry-onprem uninstall [--delete-data]`: takes an install off the engine so another install directory
 * may use the host-wide names: its containers (those whose Compose working_dir is this directory) and
 * their networks, the images it built, the cleanup cron entry; with --delete-data also the volumes it
 * owns. A volume owned by another directory, or by nobody known, is never removed. The install
 * directory's files (answers, secrets, backups, logs) stay.
 */
import { existsSync } from 'node:fs';
import { layoutFor } from '../layout.js';
import { EXIT, UserError } from '../errors.js';
import { RELEASES, SUPPORTED_TAGS } from '../catalog.js';
import { isInteractive } from '../answers/load.js';
import { readState, writeState } from '../install/state.js';
import { withDirLock } from '../lock/dir-lock.js';
import { docker } from '../install/docker.js';
import { removeCron } from '../cron/entry.js';
import { INPUTS_LABEL } from '../install/steps/build.js';
import { DIR_LABEL, PROJECT_LABEL, WORKING_DIR_LABEL, realOwnershipEngine } from '../ownership/engine.js';
import { findConflicts } from '../ownership/resolve.js';
import { ownershipRequest, readOwnState, savedStorage } from '../ownership/request.js';

export interface UninstallFlags {
  dir: string;
  deleteData?: boolean;
  yes?: boolean;
}

const ROLLBACK_TAG = 'sentry-onprem-rollback';

export async function uninstall(flags: UninstallFlags): Promise<number> {
  const layout = layoutFor(flags.dir);
  const err = process.stderr;
  if (!existsSync(layout.answersFile) && !existsSync(layout.stateFile)) {
    throw new UserError(`${layout.dir} is not a sentry-onprem install (no sentry-onprem.yml)`, EXIT.usage, 'Pass the install directory with --dir. Nothing was changed.');
  }
  if (flags.deleteData && !flags.yes && !isInteractive(flags)) {
    throw new UserError('uninstall --delete-data deletes the database and needs --yes without a terminal', EXIT.usage, 'Nothing was changed.');
  }
  return withDirLock(layout, 'uninstall', async () => {
    const engine = await realOwnershipEngine();
    const all = await engine.containers();
    const mine = all.filter((c) => c.labels[PROJECT_LABEL] && c.labels[WORKING_DIR_LABEL] === layout.dir);
    const storage = savedStorage(layout.dir);
    const state = readState(layout.stateFile);
    // What this directory owns, by the same decision the guard makes: anything in conflict is not ours.
    const req = ownershipRequest({ dir: layout.dir, tags: SUPPORTED_TAGS, storage, state: readOwnState(layout.dir) });
    const conflicts = await findConflicts(engine, req);
    const foreign = new Set(conflicts.filter((c) => c.object === 'volume').map((c) => c.name));
    const d = await docker();
    // The project's own volumes (Compose names them <project>_<name>; they carry no directory) go with
    // --delete-data too, unless another directory's containers are in the same project.
    const volumes = new Set<string>();
    if (flags.deleteData) {
      for (const v of await engine.volumes(req.volumes)) if (!foreign.has(v.name)) volumes.add(v.name);
      for (const p of req.projects) {
        if (all.some((c) => c.labels[PROJECT_LABEL] === p && c.labels[WORKING_DIR_LABEL] !== layout.dir)) continue;
        for (const v of (await d.listVolumes({ filters: { label: [`${PROJECT_LABEL}=${p}`] } })).Volumes ?? []) volumes.add(v.Name);
      }
    }
    if (flags.deleteData && !flags.yes) {
      const { confirm } = await import('@inquirer/prompts');
      const what = volumes.size ? `delete the volumes ${[...volumes].join(', ')} (the database and files of this Sentry)` : 'remove it (no volume of it is left)';
      if (!(await confirm({ message: `Uninstall Sentry from ${layout.dir} and ${what}?`, default: false }))) throw new UserError('cancelled; nothing was changed', EXIT.cancelled);
    }

    await Promise.all(
      mine.map(async (c) => {
        const ct = d.getContainer(c.id);
        if (c.running) await ct.stop({ t: 30 }).catch((e: { statusCode?: number }) => (e.statusCode === 304 ? undefined : Promise.reject(e)));
        await ct.remove({ v: true, force: true });
      }),
    );
    const projects = [...new Set(mine.map((c) => c.labels[PROJECT_LABEL]))];
    const left = await engine.containers();
    let networks = 0;
    for (const p of projects) {
      // Another directory's containers in the same project keep its networks.
      if (left.some((c) => c.labels[PROJECT_LABEL] === p)) continue;
      for (const n of await d.listNetworks({ filters: { label: [`${PROJECT_LABEL}=${p}`] } })) {
        await removeNetwork(d.getNetwork(n.Id)).then(() => networks++, (e: Error) => err.write(`could not remove network ${n.Name}: ${e.message}\n`));
      }
    }
    err.write(`removed ${mine.length} containers and ${networks} networks of ${layout.dir}\n`);

    const images: string[] = [];
    for (const name of new Set(SUPPORTED_TAGS.flatMap((t) => RELEASES[t].builtImages.map((b) => b.image)))) {
      for (const ref of [name, `${name}:${ROLLBACK_TAG}`]) {
        const img = await engine.image(ref);
        if (!img) continue;
        // Built here: labelled with this directory, or (built before the label) with the inputs this state recorded.
        const ours = img.labels[DIR_LABEL] ? img.labels[DIR_LABEL] === layout.dir : state.builds[name] !== undefined && img.labels[INPUTS_LABEL] === state.builds[name];
        if (!ours) continue;
        await d.getImage(ref).remove().then(() => images.push(ref), (e: Error) => err.write(`could not remove image ${ref}: ${e.message}\n`));
      }
    }
    if (images.length) err.write(`removed images ${images.join(', ')}\n`);
    if (removeCron(layout.dir)) err.write('removed the cleanup cron entry\n');

    if (flags.deleteData) {
      for (const v of volumes) await d.getVolume(v).remove();
      if (volumes.size) err.write(`deleted volumes ${[...volumes].join(', ')}\n`);
      for (const v of foreign) err.write(`kept volume ${v}: it is not this install's\n`);
      if (storage.mode === 'bind') err.write(`kept the data directories under ${storage.dataDir}: remove them by hand if they are no longer needed\n`);
      // The data is gone: a later install here starts from scratch (admin, migrations) and owns no volume.
      if (existsSync(layout.stateFile)) writeState(layout.stateFile, { builds: {}, volumes: [], history: [...state.history, { at: new Date().toISOString(), step: 'uninstall', result: 'data deleted' }] });
    } else {
      err.write('volumes kept (the data of this Sentry): `sentry-onprem uninstall --delete-data` removes them\n');
    }
    process.stdout.write(`uninstalled ${layout.dir}\n`);
    return EXIT.ok;
  });
}

/**
 * Removes a network whose containers are gone. Right after many containers were force-removed at once the
 * engine can still hold endpoints of some of them ("has active endpoints"): those are disconnected (they
 * belong to containers that no longer exist) and the removal is tried again, a few times.
 */
export async function removeNetwork(net: import('dockerode').Network): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await net.remove();
      return;
    } catch (e) {
      if (attempt >= 5 || !/active endpoints/i.test((e as Error).message)) throw e;
      const info = (await net.inspect().catch(() => ({}))) as { Containers?: Record<string, unknown> };
      for (const id of Object.keys(info.Containers ?? {})) await net.disconnect({ Container: id, Force: true }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

/**
 * The engine-side moves of an upgrade that compose cannot make portably: taking a whole project down when
 * its compose file is no longer on disk (the project name changes between releases), pulling one image.
 */
import { docker, inspectImage } from '../install/docker.js';
import { UserError, EXIT } from '../errors.js';

const projectFilter = (project: string) => ({ label: [`com.docker.compose.project=${project}`] });

/**
 * Stops (gracefully, then removes) every container of a project and removes its networks. Named
 * volumes are kept: they hold the data the next release starts from. Returns how many containers went.
 */
export async function downProject(project: string, out: (l: string) => void, stopTimeoutS = 30): Promise<number> {
  const d = await docker();
  const list = await d.listContainers({ all: true, filters: projectFilter(project) });
  await Promise.all(
    list.map(async (c) => {
      const ct = d.getContainer(c.Id);
      if (c.State === 'running') {
        try {
          await ct.stop({ t: stopTimeoutS });
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode !== 304) throw err;
        }
      }
      await ct.remove({ v: true, force: true });
    }),
  );
  for (const n of await d.listNetworks({ filters: projectFilter(project) })) {
    try {
      await d.getNetwork(n.Id).remove();
    } catch (err) {
      out(`could not remove network ${n.Name}: ${(err as Error).message}`);
    }
  }
  if (list.length) out(`stopped and removed ${list.length} containers of project ${project}`);
  return list.length;
}

export async function projectContainerCount(project: string): Promise<number> {
  return (await (await docker()).listContainers({ all: true, filters: projectFilter(project) })).length;
}

/** Pulls an image unless it is present; one attempt (the images step retries the release's own images). */
export async function ensureImage(image: string, out: (l: string) => void): Promise<void> {
  if (await inspectImage(image)) return;
  out(`pulling ${image}`);
  const d = await docker();
  try {
    const stream = await d.pull(image);
    await new Promise<void>((resolve, reject) => d.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
  } catch (err) {
    throw new UserError(`cannot pull ${image}: ${(err as Error).message.split('\n')[0]}`, EXIT.failure, 'Load the image with `docker load` or set images.registry to a mirror, then run again.');
  }
}

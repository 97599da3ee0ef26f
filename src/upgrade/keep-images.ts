/**
 * The locally built images carry the same names in every release (sentry-onpremise-local, ...), so a
 * build for the target replaces them. Before it, each is also tagged :sentry-onprem-rollback, which keeps
 * the old image from being pruned and lets a rollback point the name back at it.
 */
import { docker, inspectImage } from '../install/docker.js';

export const ROLLBACK_TAG = 'sentry-onprem-rollback';

/** name -> image id of those that exist now (each gets the rollback tag), '' for those that do not. */
export async function keepImages(names: string[]): Promise<Record<string, string>> {
  const d = await docker();
  const kept: Record<string, string> = {};
  for (const name of [...new Set(names)]) {
    const img = await inspectImage(name);
    if (!img) {
      kept[name] = ''; // absent before the hop: a rollback removes what the hop built under this name
      continue;
    }
    await d.getImage(img.id).tag({ repo: name, tag: ROLLBACK_TAG });
    kept[name] = img.id;
  }
  return kept;
}

/** Points each name back at the image it had; returns the names that had moved. */
export async function putBackImages(kept: Record<string, string>): Promise<string[]> {
  const d = await docker();
  const moved: string[] = [];
  for (const [name, id] of Object.entries(kept)) {
    const now = (await inspectImage(name))?.id;
    if (now === (id || undefined)) continue;
    if (!id) {
      // Built by the hop under a name that did not exist before: the name goes (the image with it when untagged).
      await d.getImage(name).remove().then(
        () => moved.push(name),
        () => undefined, // still used by a container: left, and said by the caller's health check
      );
      continue;
    }
    await d.getImage(id).tag({ repo: name, tag: 'latest' });
    moved.push(name);
  }
  return moved;
}

/** After a successful upgrade: only the tag goes; the old image follows when nothing uses it any more. */
export async function dropKeptImages(kept: Record<string, string>): Promise<void> {
  const d = await docker();
  for (const [name, id] of Object.entries(kept)) {
    if (!id) continue;
    try {
      await d.getImage(`${name}:${ROLLBACK_TAG}`).remove();
    } catch {
      /* still used by a container, or already gone */
    }
  }
}

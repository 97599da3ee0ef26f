/** What the engine knows of an image by name: id, registry digest and size (undefined when it lacks it). */
import { docker } from '../install/docker.js';

export interface EngineImage {
  id: string;
  digest?: string;
  size: number;
}

export async function engineImage(name: string): Promise<EngineImage | undefined> {
  try {
    const info = (await (await docker()).getImage(name).inspect()) as { Id: string; RepoDigests?: string[]; Size: number };
    const repo = name.replace(/(@sha256:[0-9a-f]{64}|:[^/:@]+)$/, '');
    const digest = (info.RepoDigests ?? []).find((d) => d.startsWith(`${repo}@`))?.split('@')[1];
    return { id: info.Id, digest, size: info.Size };
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

/** The engine's facts for each name, in order. */
export async function engineImages(names: string[]): Promise<Map<string, EngineImage | undefined>> {
  const out = new Map<string, EngineImage | undefined>();
  for (const n of names) out.set(n, await engineImage(n));
  return out;
}

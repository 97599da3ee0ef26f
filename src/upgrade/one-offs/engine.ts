/**
 * What the one-off steps of the 21.x and 23.x hops need from the engine, as one seam: throwaway containers on
 * the install's data, volumes, helper images. The real one is the engine; unit tests pass fakes.
 */
import { docker } from '../../install/docker.js';
import { ensureImage } from '../stack.js';
import { runThrowaway, type ThrowawayResult } from './throwaway.js';

export interface OneOffEngine {
  run(o: { image: string; binds: string[]; script?: string; label: string }): Promise<ThrowawayResult>;
  volumeExists(name: string): Promise<boolean>;
  createVolume(name: string, labels: Record<string, string>): Promise<void>;
  removeVolume(name: string): Promise<void>;
  ensureImage(image: string, out: (l: string) => void): Promise<void>;
}

export const realEngine: OneOffEngine = {
  run: runThrowaway,
  async volumeExists(name) {
    const d = await docker();
    return d
      .getVolume(name)
      .inspect()
      .then(
        () => true,
        () => false,
      );
  },
  async createVolume(name, labels) {
    const d = await docker();
    await d.createVolume({ Name: name, Labels: labels });
  },
  async removeVolume(name) {
    const d = await docker();
    await d
      .getVolume(name)
      .remove()
      .catch((err: { statusCode?: number }) => {
        if (err.statusCode !== 404) throw err;
      });
  },
  ensureImage,
};

/** The lines a one-off script printed for us ("sentry-onprem: ..."), without the prefix. */
export function said(output: string): string[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('sentry-onprem: '))
    .map((l) => l.slice(15).trim());
}

export async function must(p: Promise<ThrowawayResult>, what: string, fail: (msg: string) => Error): Promise<ThrowawayResult> {
  const r = await p;
  if (r.exitCode !== 0) throw fail(`${what} failed (exit ${r.exitCode}): ${r.output.trim().slice(-800)}`);
  return r;
}

/**
 * `docker pull` through the engine with retries and a backoff: what the images step and the preflight probes use.
 * Apart from the step so that the `check` bundle (dist/check.cjs) does not take the render layer with it.
 */
import { docker } from './docker.js';
import { UserError, EXIT } from '../errors.js';

const ATTEMPTS = 4;

function registryOf(image: string): string {
  const first = image.split('/')[0];
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

export async function pull(image: string, out: (l: string) => void): Promise<void> {
  const d = await docker();
  const base = Number(process.env.SENTRY_ONPREM_PULL_BACKOFF_MS ?? 2000);
  let last = '';
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const stream = await d.pull(image);
      await new Promise<void>((resolve, reject) => d.modem.followProgress(stream, (err) => (err ? reject(err) : resolve())));
      return;
    } catch (err) {
      last = (err as Error).message.split('\n')[0];
      if (attempt < ATTEMPTS) {
        const wait = base * 2 ** (attempt - 1);
        out(`pull ${image} failed (${last}); retry ${attempt}/${ATTEMPTS - 1} in ${(wait / 1000).toFixed(1)} s`);
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }
  throw new UserError(
    `cannot pull ${image} from ${registryOf(image)} after ${ATTEMPTS} attempts: ${last}`,
    EXIT.failure,
    'Check that this host reaches the registry (or set images.registry to a mirror), or load the image with `docker load`, then run again.',
  );
}

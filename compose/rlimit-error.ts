/**
 * runc's "error setting rlimit type 7: operation not permitted", from a failed `run`/`up`, in words:
 * which limit, which services of this install ask for it, and the remedies (the override lines, or the
 * engine's systemd setting). This is how an engine whose limits cannot be read beforehand (on another
 * host) fails: at the first container start, but said plainly.
 */
import { join } from 'node:path';
import { fmt, rlimitConstant, rlimitFailure, ulimitRemedy, type ServiceUlimits } from '../src/engine/rlimits.js';
import { effectiveUlimits, readComposeUlimits } from './ulimits.js';

export async function explainRlimitFailure(output: string, dir: string): Promise<{ message: string; hint: string } | null> {
  const f = rlimitFailure(output);
  if (!f) return null;
  let ulimits: ServiceUlimits = {};
  let overridePath = join(dir, 'docker-compose.override.yml');
  let overrideExists = false;
  try {
    ({ ulimits, overridePath, overrideExists } = await effectiveUlimits(dir, (await readComposeUlimits(join(dir, 'docker-compose.yml'))) ?? {}));
  } catch {
    /* an unreadable compose file: the message names the limit without the services */
  }
  const asking = Object.entries(ulimits).flatMap(([service, l]) => (l[f.name] ? [{ service, name: f.name, wanted: l[f.name] }] : []));
  const which = asking.length ? ` (asked for by ${asking.map((a) => `${a.service}: ${fmt(a.wanted.soft)}/${fmt(a.wanted.hard)}`).join(', ')})` : '';
  return {
    message: `The Docker engine could not set the container limit ${f.name} (${rlimitConstant(f.name)}; runc: "${f.detail}")${which}: it is above the engine's own hard limit and the engine may not raise it (no CAP_SYS_RESOURCE, a user namespace, or above fs.nr_open).`,
    hint: ulimitRemedy(asking.length ? asking : [{ service: '<service>', name: f.name, wanted: { soft: NaN, hard: NaN } }], overridePath, overrideExists),
  };
}

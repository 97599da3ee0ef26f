/** For the install pipeline: the Compose to run for a release, or a prerequisite error that says why. */
import { minimumsFor } from '../catalog.js';
import { EXIT, UserError } from '../errors.js';
import { detectCompose, type ComposeInfo, type DetectComposeOptions } from './detect-compose.js';

export async function requireCompose(tag: string, opts: Omit<DetectComposeOptions, 'minimum' | 'allowV1'> = {}): Promise<ComposeInfo> {
  const min = minimumsFor(tag);
  const d = await detectCompose({ ...opts, minimum: min.compose, allowV1: min.composeV1 });
  if (d.chosen) return d.chosen;
  const seen = [d.plugin, d.standalone].filter(Boolean).map((p) => (p!.ok ? `${p!.info.argv.join(' ')} ${p!.info.printed}` : p!.reason));
  throw new UserError(
    `Sentry ${tag} needs Docker Compose ${min.compose} or newer${min.composeV1 ? '' : ' (v2)'}; found: ${seen.join('; ')}`,
    EXIT.prerequisite,
    'Install or upgrade the Docker Compose plugin (docker compose), then run `sentry-onprem check`.',
  );
}

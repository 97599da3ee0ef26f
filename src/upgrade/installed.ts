/**
 * Which release is installed: the install's state says it (the migrations step records the tag it
 * migrated to), and the running web container, when there is one, must agree.
 */
import type { Layout } from '../layout.js';
import type { InstallState } from '../install/state.js';
import { isSupportedTag, RELEASES, type SupportedTag } from '../catalog.js';
import { execIn, projectContainers } from '../install/docker.js';
import { UserError, EXIT } from '../errors.js';

export function installedTag(layout: Layout, state: InstallState): SupportedTag {
  if (!state.tag) {
    throw new UserError(
      `no Sentry is installed in ${layout.dir} (no migrated release in ${layout.stateFile})`,
      EXIT.usage,
      `Install one first: sentry-onprem install --dir ${layout.dir}`,
    );
  }
  if (!isSupportedTag(state.tag)) throw new UserError(`the install records release ${state.tag}, which this version of sentry-onprem does not know`, EXIT.prerequisite);
  if (state.lastCompletedStep !== 'summary') {
    throw new UserError(
      `the last install of Sentry ${state.tag} in ${layout.dir} did not finish (it stopped after "${state.lastCompletedStep ?? 'start'}")`,
      EXIT.failure,
      `Finish it first: sentry-onprem install --dir ${layout.dir}`,
    );
  }
  return state.tag;
}

/** "sentry, version 9.1.2" -> 9.1.2 */
export function parseSentryVersion(text: string): string | undefined {
  return /version\s+(\d+\.\d+\.\d+)/.exec(text)?.[1];
}

/** The version the running web container reports, or why it could not be asked. */
export async function runningVersion(tag: SupportedTag): Promise<{ version?: string; note: string }> {
  const web = (await projectContainers(RELEASES[tag].projectName)).find((c) => c.service === 'web' && !c.oneoff && c.state === 'running');
  if (!web) return { note: `no running web container in project ${RELEASES[tag].projectName}` };
  try {
    const r = await execIn(web.id, ['sentry', '--version']);
    const version = parseSentryVersion(r.output);
    return version ? { version, note: `the running web container reports ${version}` } : { note: `\`sentry --version\` printed no version: ${r.output.trim().slice(0, 120)}` };
  } catch (err) {
    return { note: `cannot ask the web container: ${(err as Error).message}` };
  }
}

export async function crossCheckRunning(tag: SupportedTag, out: (l: string) => void): Promise<void> {
  const r = await runningVersion(tag);
  if (r.version && r.version !== tag) {
    throw new UserError(
      `the install's state says Sentry ${tag}, but ${r.note}`,
      EXIT.failure,
      'Find out which release really runs (someone ran another installer here?), then bring the state in line with `sentry-onprem install`. Nothing was changed.',
    );
  }
  out(`installed: Sentry ${tag} (${r.note})`);
}

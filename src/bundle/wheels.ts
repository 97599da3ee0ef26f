/**
 * The pip wheels a bundle carries (`wheels/<file>`): every requirement the release's Sentry image build installs
 * (the answers' plugins, the release's own pinned requirements), with their dependencies, built by `pip wheel`
 * in a one-off container of the Sentry base image on the host that makes the bundle; on the offline host they
 * are written to sentry/wheels/ and the build installs from them alone (`--no-index`).
 */
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import type { Answers } from '../answers/schema.js';
import { RELEASES, imageName } from '../releases/index.js';
import { imagesFor } from '../render/images.js';
import { buildView } from '../render/view.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { UserError, EXIT } from '../errors.js';
import { listTar } from './tar.js';
import type { VerifiedBundle } from './verify.js';

export const WHEELS_DIR = 'wheels/';

/** The requirements the Sentry image build installs, and the image it builds from (none: no build with pip). */
export function sentryBuildRequirements(a: Answers): { base?: string; requirements: string[] } {
  const release = RELEASES[a.tag];
  const ref = release.sentryImage;
  if (!('built' in ref)) return { requirements: [] };
  const build = release.builtImages.find((b) => b.image === ref.built);
  if (!build || 'built' in build.base) return { requirements: [] };
  const base = imageName(imagesFor(a.tag, a.images), build.base);
  return { base, requirements: buildView(a, 'x'.repeat(50), '/nonexistent').requirements };
}

/** `pip wheel` of the requirements inside the base image: the wheel files, by name. */
export async function collectWheels(a: Answers, say: (l: string) => void): Promise<Array<{ name: string; data: Buffer }>> {
  const { base, requirements } = sentryBuildRequirements(a);
  if (!base || !requirements.length) return [];
  say(`building wheels of ${requirements.join(', ')} in ${base}`);
  const script = 'set -e; mkdir -p /tmp/sentry-onprem-wheels; cat > /tmp/sentry-onprem-req.txt; pip wheel --wheel-dir /tmp/sentry-onprem-wheels -r /tmp/sentry-onprem-req.txt >&2; cd /tmp/sentry-onprem-wheels; tar -cf - .';
  const r = await execa('docker', ['run', '--rm', '-i', '-u', '0', '--entrypoint', 'sh', base, '-c', script], { input: requirements.join('\n') + '\n', encoding: 'buffer', reject: false });
  if (r.exitCode !== 0) {
    throw new UserError(`pip wheel of ${requirements.join(', ')} in ${base} failed (exit ${r.exitCode}): ${Buffer.from(r.stderr).toString().trim().slice(-800)}`, EXIT.failure, 'The host that makes the bundle must reach the package index (or its mirror). Nothing was written.');
  }
  const dir = mkdtempSync(join(tmpdir(), 'sentry-onprem-wheels-'));
  try {
    const file = join(dir, 'wheels.tar');
    writeFileSync(file, Buffer.from(r.stdout));
    const data = readFileSync(file);
    return listTar(file)
      .filter((m) => m.type === '0' && m.name.endsWith('.whl'))
      .map((m) => ({ name: basename(m.name), data: data.subarray(m.offset, m.offset + m.size) }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The wheel parts of a bundle. */
export function bundleWheels(b: VerifiedBundle | undefined): string[] {
  return b ? b.manifest.parts.map((p) => p.name).filter((n) => n.startsWith(WHEELS_DIR)) : [];
}

/** Writes the bundle's wheels into the install directory's sentry/wheels/ (the build context); returns how many changed. */
export function writeWheels(b: VerifiedBundle, installDir: string): number {
  let changed = 0;
  for (const name of bundleWheels(b)) {
    const m = b.members.get(name)!;
    const buf = Buffer.alloc(m.size);
    const h = openSync(b.path, 'r');
    try {
      readSync(h, buf, 0, m.size, m.offset);
    } finally {
      closeSync(h);
    }
    const target = join(installDir, 'sentry', name);
    if (existsSync(target) && readFileSync(target).equals(buf)) continue;
    writeFileAtomic(target, buf, { mode: 0o644 });
    changed++;
  }
  return changed;
}

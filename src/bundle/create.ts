/**
 * `bundle create`: one tar file with `images.tar` (one `docker save` of every needed image, so shared layers
 * are stored once), `package/<name>-<version>.tgz` (this package, `npm pack`), and `manifest.json` written
 * last. Written to a temporary file beside the target and renamed over it at the end.
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, rename, rm, mkdtemp, readFile, readdir } from 'node:fs/promises';
import { readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import type { Readable } from 'node:stream';
import { docker } from '../install/docker.js';
import { packageRoot } from '../paths.js';
import { UserError, EXIT } from '../errors.js';
import { tarHeader, tarPadding, TAR_END } from './tar.js';
import { BUNDLE_FORMAT, IMAGES_PART, MANIFEST, type BundleImage, type BundleManifest, type BundlePart } from './manifest.js';
import { engineImages } from './engine-images.js';
import { savedIndex } from './verify.js';
import { savedName } from './load.js';
import { Progress, formatBytes } from './progress.js';
import type { NeededImage } from './needed-images.js';

export interface CreateOptions {
  out: string;
  release: string;
  from?: string;
  profile: string;
  images: NeededImage[];
  /** pip wheels the Sentry build installs offline (collectWheels). */
  wheels: Array<{ name: string; data: Buffer }>;
  say: (line: string) => void;
}

export function packageInfo(): { name: string; version: string } {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { name: string; version: string };
  return { name: pkg.name, version: pkg.version };
}

/** Appends members to an open tar file: a part is streamed in, hashed on the way, its header written after. */
export class TarWriter {
  pos = 0;
  constructor(private readonly fh: import('node:fs/promises').FileHandle) {}

  async part(name: string, source: AsyncIterable<Buffer> | Buffer, progress?: Progress): Promise<BundlePart> {
    const headerAt = this.pos;
    this.pos += 512; // the header goes in once the size is known
    const hash = createHash('sha256');
    let size = 0;
    const chunks = Buffer.isBuffer(source) ? [source] : source;
    for await (const chunk of chunks) {
      hash.update(chunk);
      await this.fh.write(chunk, 0, chunk.length, this.pos);
      this.pos += chunk.length;
      size += chunk.length;
      progress?.add(chunk.length);
    }
    const pad = tarPadding(size);
    await this.fh.write(pad, 0, pad.length, this.pos);
    this.pos += pad.length;
    await this.fh.write(tarHeader(name, size, Math.floor(Date.now() / 1000)), 0, 512, headerAt);
    return { name, size, sha256: hash.digest('hex') };
  }

  async end(): Promise<void> {
    await this.fh.write(TAR_END, 0, TAR_END.length, this.pos);
    this.pos += TAR_END.length;
  }
}

export async function createBundle(o: CreateOptions): Promise<BundleManifest> {
  const names = o.images.map((i) => i.name);
  const facts = await engineImages(names);
  const missing = names.filter((n) => !facts.get(n));
  if (missing.length) {
    throw new UserError(
      `the engine lacks ${missing.length} of the ${names.length} images Sentry ${o.release} needs: ${missing.join(', ')}`,
      EXIT.prerequisite,
      'Pull them on this host first (`docker pull NAME`, or run `sentry-onprem install` here), then create the bundle again. Nothing was written.',
    );
  }
  const images: BundleImage[] = o.images.map((i) => {
    const f = facts.get(i.name)!;
    return { name: i.name, registry: i.registry, id: f.id, ...(f.digest ? { digest: f.digest } : {}), size: f.size, uses: i.uses };
  });
  const tmp = join(dirname(o.out), `.${basename(o.out)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o644);
  const scratch = await mkdtemp(join(tmpdir(), 'sentry-onprem-bundle-'));
  // Interrupted: no half-written bundle is left beside the target.
  const onSignal = (sig: NodeJS.Signals) => {
    rmSync(tmp, { force: true });
    rmSync(scratch, { recursive: true, force: true });
    process.stderr.write(`\n${sig}: bundle not written\n`);
    process.exit(EXIT.cancelled);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const w = new TarWriter(fh);
    const parts: BundlePart[] = [];
    // Layers shared by several images are counted once in the saved file; the sum of sizes is an upper bound.
    const estimate = [...new Map(images.map((i) => [i.id, i.size])).values()].reduce((a, b) => a + b, 0);
    o.say(`saving ${images.length} images (at most ${formatBytes(estimate)}) into ${o.out}`);
    const progress = new Progress('images', estimate);
    const engine = (await docker()) as unknown as { getImages(o: { names: string[] }): Promise<Readable> };
    const stream = await engine.getImages({ names });
    parts.push(await w.part(IMAGES_PART, stream, progress));
    progress.finish();
    // The engine ends the stream early on an error: the saved archive must be whole and hold every name.
    await fh.sync();
    const saved = savedIndex(tmp, { name: IMAGES_PART, offset: 512, size: parts[0].size, type: '0' });
    const tagged = new Set(saved.images.flatMap((i) => i.repoTags));
    const unsaved = names.filter((n) => !tagged.has(savedName(n)));
    if (unsaved.length) throw new UserError(`docker save left out ${unsaved.join(', ')}`, EXIT.failure, 'Images pinned by digest cannot be saved under their name: set images.digests: drop in the answers.');

    for (const wheel of o.wheels) parts.push(await w.part(`wheels/${wheel.name}`, wheel.data));
    if (o.wheels.length) o.say(`wheels: ${o.wheels.map((x) => x.name).join(', ')}`);

    const pack = await execa('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', scratch], { cwd: packageRoot(), env: { npm_config_update_notifier: 'false' } });
    const tgz = (await readdir(scratch)).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new UserError(`npm pack made no .tgz: ${pack.stdout}`, EXIT.failure);
    parts.push(await w.part(`package/${tgz}`, await readFile(join(scratch, tgz))));
    o.say(`package ${tgz}: ${formatBytes(parts[parts.length - 1].size)}`);

    const manifest: BundleManifest = {
      format: BUNDLE_FORMAT,
      release: o.release,
      ...(o.from ? { from: o.from } : {}),
      profile: o.profile,
      createdAt: new Date().toISOString(),
      package: packageInfo(),
      images,
      parts,
    };
    await w.part(MANIFEST, Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
    await w.end();
    await fh.sync();
    await fh.close();
    await rename(tmp, o.out);
    return manifest;
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await rm(scratch, { recursive: true, force: true });
  }
}

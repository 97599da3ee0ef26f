/**
 * Loads the images of a verified bundle that the engine lacks, and only those: a `docker save` archive of just
 * them (their configs and layers, an index naming only the missing names) is cut from images.tar on the fly and
 * streamed into the engine's load. A name the engine already has is never re-tagged.
 */
import { createReadStream } from 'node:fs';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { docker } from '../install/docker.js';
import { UserError, EXIT } from '../errors.js';
import { tarHeader, tarPadding, TAR_END, type TarMember } from './tar.js';
import { engineImage } from './engine-images.js';
import type { SavedImage, VerifiedBundle } from './verify.js';

/** The name `docker save` records for an image reference: a name without tag or digest is `:latest`. */
export function savedName(name: string): string {
  if (name.includes('@')) return name;
  const last = name.slice(name.lastIndexOf('/') + 1);
  return last.includes(':') ? name : `${name}:latest`;
}

/** The members of a `docker save` archive that carry these images, and its new index. */
export function subsetOf(saved: VerifiedBundle['saved'], names: string[]): { members: TarMember[]; index: Buffer } {
  const wanted = new Set(names.map(savedName));
  const picked: Array<SavedImage & { tags: string[] }> = [];
  for (const s of saved.images) {
    const tags = s.repoTags.filter((t) => wanted.has(t));
    if (tags.length) picked.push({ ...s, tags });
  }
  const files = new Set<string>();
  const dirs = new Set<string>();
  for (const p of picked) {
    files.add(p.config);
    for (const l of p.layers) {
      files.add(l);
      const d = dirname(l);
      if (d !== '.' && d !== 'blobs/sha256') dirs.add(d);
    }
  }
  const members = saved.members.filter((m) => m.type !== '5' && (files.has(m.name) || dirs.has(dirname(m.name))));
  const index = Buffer.from(JSON.stringify(picked.map((p) => ({ Config: p.config, RepoTags: p.tags, Layers: p.layers }))));
  return { members, index };
}

/** A `docker save` archive of only these members and this index, read from the bundle file as it streams. */
export async function* subsetStream(path: string, members: TarMember[], index: Buffer): AsyncGenerator<Buffer> {
  for (const m of members) {
    yield tarHeader(m.name, m.size);
    if (m.size) for await (const chunk of createReadStream(path, { start: m.offset, end: m.offset + m.size - 1, highWaterMark: 1 << 20 })) yield chunk as Buffer;
    yield tarPadding(m.size);
  }
  yield tarHeader('manifest.json', index.length);
  yield index;
  yield tarPadding(index.length);
  yield TAR_END;
}

export interface LoadResult {
  loaded: string[];
  present: string[];
}

/** Loads the needed images the engine lacks from the bundle; then each must be there with the manifest's id. */
export async function loadMissing(b: VerifiedBundle, names: string[], say: (l: string) => void): Promise<LoadResult> {
  const missing: string[] = [];
  const present: string[] = [];
  for (const n of names) ((await engineImage(n)) ? present : missing).push(n);
  if (!missing.length) return { loaded: [], present };
  const { members, index } = subsetOf(b.saved, missing);
  const bytes = members.reduce((a, m) => a + m.size, 0);
  say(`loading ${missing.length} images (${(bytes / 1e6).toFixed(0)} MB) from the bundle: ${missing.join(', ')}`);
  const d = await docker();
  const res = (await d.loadImage(Readable.from(subsetStream(b.path, members, index)), { quiet: true })) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of res) text += chunk.toString();
  const failed = text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => { try { return JSON.parse(l) as { error?: string }; } catch { return {}; } }).find((j) => j.error);
  if (failed) throw new UserError(`docker load of the bundle's images failed: ${failed.error}`, EXIT.failure);
  for (const n of missing) {
    const want = b.manifest.images.find((i) => i.name === n)?.id;
    const got = (await engineImage(n))?.id;
    if (!got || (want && got !== want)) throw new UserError(`after loading the bundle, ${n} is ${got ?? 'missing'} (the bundle says ${want})`, EXIT.failure);
  }
  return { loaded: missing, present };
}

/**
 * Verifies a bundle before anything changes: the manifest is its last member, every other member is a part the
 * manifest lists with the same size and SHA-256, the release is the one asked for, and the saved images hold
 * every image the install needs under its name. Any failure is exit 3 naming the part.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, openSync, readSync, statSync } from 'node:fs';
import { UserError, EXIT } from '../errors.js';
import { listTar, TarFormatError, type TarMember } from './tar.js';
import { savedName } from './load.js';
import { IMAGES_PART, MANIFEST, parseManifest, type BundleManifest } from './manifest.js';

export interface SavedImage {
  /** Config member (`<id>.json`), layers and every member that belongs to them. */
  config: string;
  layers: string[];
  repoTags: string[];
}

/** What identifies a bundle file already verified on this host: a changed byte changes its mtime. */
export interface BundleStamp {
  path: string;
  size: number;
  mtimeMs: number;
  ino: number;
  manifestSha256: string;
}

export interface VerifiedBundle {
  path: string;
  stamp: BundleStamp;
  manifest: BundleManifest;
  members: Map<string, TarMember>;
  /** Members of images.tar (offsets in the bundle file) and its saved images. */
  saved: { members: TarMember[]; images: SavedImage[] };
}

const refuse = (path: string, what: string, hint = 'Make the bundle again with `sentry-onprem bundle create` (or copy it again). Nothing was loaded or changed.') =>
  new UserError(`bundle ${path}: ${what}`, EXIT.prerequisite, hint);

function readRange(path: string, m: TarMember): Buffer {
  const buf = Buffer.alloc(m.size);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, m.size, m.offset);
  } finally {
    closeSync(fd);
  }
  return buf;
}

export async function sha256Of(path: string, m: TarMember, onBytes?: (n: number) => void): Promise<string> {
  if (m.size === 0) return createHash('sha256').digest('hex');
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { start: m.offset, end: m.offset + m.size - 1, highWaterMark: 1 << 20 })) {
    h.update(chunk as Buffer);
    onBytes?.((chunk as Buffer).length);
  }
  return h.digest('hex');
}

/** The index of the `docker save` archive inside the bundle. */
export function savedIndex(path: string, part: TarMember): VerifiedBundle['saved'] {
  const members = listTar(path, part.offset, part.size);
  const index = members.find((m) => m.name === 'manifest.json');
  if (!index) throw new TarFormatError('images.tar has no manifest.json (not a `docker save` archive)');
  const doc = JSON.parse(readRange(path, index).toString('utf8')) as Array<{ Config: string; RepoTags: string[] | null; Layers: string[] }>;
  return { members, images: doc.map((d) => ({ config: d.Config, layers: d.Layers, repoTags: d.RepoTags ?? [] })) };
}

export interface VerifyWants {
  release: string;
  from?: string;
  /** Image names the install needs (after the registry mapping). */
  images: string[];
  /** Requirements the Sentry build installs with pip: the bundle must carry wheels for them. */
  requirements?: string[];
}

/**
 * `trusted`: the stamp of an earlier run's verification of this file; when the file and its manifest are the
 * same, the parts' checksums are not computed again (the index, manifest, release and images still are).
 */
export async function verifyBundle(path: string, wants: VerifyWants, say: (l: string) => void = () => undefined, trusted?: BundleStamp): Promise<VerifiedBundle> {
  if (!existsSync(path) || !statSync(path).isFile()) throw new UserError(`bundle ${path}: no such file`, EXIT.usage);
  const t0 = Date.now();
  const st = statSync(path);
  let members: TarMember[];
  try {
    members = listTar(path);
  } catch (err) {
    if (err instanceof TarFormatError) throw refuse(path, `not a whole bundle: ${err.message}`);
    throw err;
  }
  const last = members[members.length - 1];
  if (!last || last.name !== MANIFEST) throw refuse(path, `${MANIFEST} is missing (the bundle was not finished, or this is no bundle)`);
  const parsed = parseManifest(readRange(path, last).toString('utf8'));
  if (typeof parsed === 'string') throw refuse(path, parsed);
  const manifest = parsed;
  const stamp: BundleStamp = { path, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, manifestSha256: await sha256Of(path, last) };
  const same = trusted && JSON.stringify(trusted) === JSON.stringify(stamp);
  const byName = new Map(members.map((m) => [m.name, m]));
  for (const m of members.slice(0, -1)) {
    if (!manifest.parts.some((p) => p.name === m.name)) throw refuse(path, `part ${m.name} is not in ${MANIFEST}`);
  }
  for (const p of manifest.parts) {
    const m = byName.get(p.name);
    if (!m) throw refuse(path, `part ${p.name} is missing`);
    if (m.size !== p.size) throw refuse(path, `part ${p.name} is ${m.size} bytes, ${MANIFEST} says ${p.size}`);
    if (same) continue;
    const sum = await sha256Of(path, m);
    if (sum !== p.sha256) throw refuse(path, `part ${p.name} is damaged: SHA-256 ${sum}, ${MANIFEST} says ${p.sha256}`);
  }
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  say(same ? `bundle ${path}: verified by an earlier run and unchanged since (size, mtime, manifest), checked in ${secs} s` : `bundle ${path}: ${manifest.parts.length} parts verified (SHA-256) in ${secs} s`);
  if (manifest.release !== wants.release || (wants.from !== undefined && manifest.from !== wants.from)) {
    const has = manifest.from ? `${manifest.from} -> ${manifest.release}` : manifest.release;
    const want = wants.from ? `${wants.from} -> ${wants.release}` : wants.release;
    throw refuse(path, `it carries Sentry ${has}, this run needs ${want}`, `Use a bundle made with \`sentry-onprem bundle create --tag ${wants.release}${wants.from ? ` --from ${wants.from}` : ''}\`. Nothing was loaded or changed.`);
  }
  if (wants.requirements?.length && !manifest.parts.some((p) => p.name.startsWith('wheels/'))) {
    throw refuse(path, `it carries no wheels, and the Sentry build installs ${wants.requirements.join(', ')}`, 'Make the bundle with the same answers (plugins) as this install. Nothing was loaded or changed.');
  }
  const part = byName.get(IMAGES_PART);
  if (!part) throw refuse(path, `part ${IMAGES_PART} is missing`);
  let saved: VerifiedBundle['saved'];
  try {
    saved = savedIndex(path, part);
  } catch (err) {
    if (err instanceof TarFormatError || err instanceof SyntaxError) throw refuse(path, `part ${IMAGES_PART}: ${err.message}`);
    throw err;
  }
  const tagged = new Set(saved.images.flatMap((i) => i.repoTags));
  const lacking = wants.images.filter((n) => !tagged.has(savedName(n)) || !manifest.images.some((i) => i.name === n));
  if (lacking.length) throw refuse(path, `image ${lacking.join(', ')} is not in ${IMAGES_PART}`, 'Make the bundle with the same answers (images.registry, profile) as this install. Nothing was loaded or changed.');
  // Each saved image's config is named by its id: the id the manifest recorded must be the one that loads.
  for (const i of manifest.images) {
    const s = saved.images.find((x) => x.repoTags.includes(savedName(i.name)));
    if (s && `sha256:${s.config.replace(/\.json$/, '').replace(/^blobs\/sha256\//, '')}` !== i.id) throw refuse(path, `image ${i.name}: ${IMAGES_PART} holds ${s.config}, ${MANIFEST} says ${i.id}`);
  }
  return { path, stamp, manifest, members: byName, saved };
}

/** A bundle's manifest (its last member, `manifest.json`): what it carries and a SHA-256 of every other part. */
import type { ImageUse } from './needed-images.js';

export const MANIFEST = 'manifest.json';
export const IMAGES_PART = 'images.tar';
export const BUNDLE_FORMAT = 1;

export interface BundleImage {
  name: string;
  registry: string;
  /** Image id (sha256 of its config) on the engine the bundle was made on. */
  id: string;
  /** Registry digest, when the engine knows one. */
  digest?: string;
  size: number;
  uses: ImageUse[];
}

export interface BundlePart {
  name: string;
  size: number;
  sha256: string;
}

export interface BundleManifest {
  format: number;
  /** The release a bundle installs (or upgrades to). */
  release: string;
  /** The release an upgrade bundle starts from. */
  from?: string;
  profile: string;
  createdAt: string;
  package: { name: string; version: string };
  images: BundleImage[];
  parts: BundlePart[];
}

/** Reads a manifest; anything but the shape written by `bundle create` is an error (a message, not a throw). */
export function parseManifest(text: string): BundleManifest | string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return 'manifest.json is not JSON';
  }
  const m = doc as Partial<BundleManifest>;
  if (!m || typeof m !== 'object') return 'manifest.json is not an object';
  if (m.format !== BUNDLE_FORMAT) return `manifest.json has format ${String(m.format)}, this version reads ${BUNDLE_FORMAT}`;
  if (typeof m.release !== 'string') return 'manifest.json names no release';
  if (!Array.isArray(m.images) || !Array.isArray(m.parts)) return 'manifest.json lists no images or parts';
  for (const p of m.parts) {
    if (typeof p?.name !== 'string' || typeof p.size !== 'number' || !/^[0-9a-f]{64}$/.test(String(p.sha256))) return `manifest.json has a bad part entry ${JSON.stringify(p)}`;
  }
  for (const i of m.images) if (typeof i?.name !== 'string' || typeof i.id !== 'string') return `manifest.json has a bad image entry ${JSON.stringify(i)}`;
  return m as BundleManifest;
}

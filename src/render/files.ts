/** The managed files of an install: the release's file list rendered with the view. */
import type { View } from './view.js';
import { RELEASES, type FileSpec, type SupportedTag } from '../releases/index.js';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { renderTemplate } from './engine.js';
import { packageRoot } from '../paths.js';

export interface ManagedFile {
  path: string;
  content: string;
  mode: number;
  /** Holds a secret and is read inside the Sentry containers: 0600, owned by the image's sentry user. */
  containerSecret?: boolean;
  /** Owner of a containerSecret file when not the Sentry user (another service reads it). */
  ownerUid?: number;
}

/** The release's files (src/releases/<tag>.ts). */
const specsFor = (view: View): FileSpec[] => RELEASES[view.tag as SupportedTag].files;

/**
 * What a render depends on: the view (answers, secret key, paths), the release's file list and every template. When it equals the
 * fingerprint of the last render, the kept rendered copies are that render: no template is run again.
 */
export function renderFingerprint(view: View): string {
  const h = createHash('sha256').update(JSON.stringify(view)).update(JSON.stringify(specsFor(view)));
  const root = packageRoot();
  for (const dir of ['nginx', 'templates']) {
    const walk = (d: string) => {
      for (const name of readdirSync(d).sort()) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (name.endsWith('.hbs')) h.update(p.slice(root.length)).update('\0').update(readFileSync(p)).update('\0');
      }
    };
    walk(join(root, dir));
  }
  return h.digest('hex');
}

export function renderFilesCached(view: View, renderedDir: string, fingerprintFile: string): { files: ManagedFile[]; fingerprint: string } {
  const fingerprint = renderFingerprint(view);
  try {
    if (readFileSync(fingerprintFile, 'utf8') === fingerprint) {
      const files = specsFor(view).map((s) => ({ ...fileOf(s, view), content: readFileSync(join(renderedDir, s.path), 'utf8') }));
      return { files, fingerprint };
    }
  } catch {
    /* no fingerprint or a kept copy is missing: render */
  }
  return { files: renderFiles(view), fingerprint };
}

const fileOf = (s: FileSpec, view: View): Omit<ManagedFile, 'content'> =>
  s.redisSecretOwner !== undefined && view.external.redis && view.external.redis.password
    ? { path: s.path, mode: 0o600, containerSecret: true, ownerUid: s.redisSecretOwner }
    : { path: s.path, mode: s.mode ?? 0o644, containerSecret: s.containerSecret };

export function renderFiles(view: View): ManagedFile[] {
  return specsFor(view).map((s) => ({ ...fileOf(s, view), content: renderTemplate(s.template, view) }));
}

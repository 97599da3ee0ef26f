/** The managed files of an install, per release: where each lands, its template and its mode. */
import type { View } from './view.js';
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
}

interface Spec {
  path: string;
  template: string;
  mode?: number;
  containerSecret?: boolean;
  only?: (v: View) => boolean;
}

const SPECS: Spec[] = [
  { path: 'docker-compose.yml', template: 'compose/{tag}.yml.hbs' },
  { path: '.env', template: 'templates/common/env.hbs', mode: 0o600 },
  { path: 'sentry/config.yml', template: 'templates/common/config.yml.hbs', mode: 0o600, containerSecret: true },
  { path: 'sentry/sentry.conf.py', template: 'templates/{tag}/sentry.conf.py.hbs', mode: 0o600, containerSecret: true },
  { path: 'sentry/requirements.txt', template: 'templates/common/requirements.txt.hbs' },
  { path: 'sentry/Dockerfile', template: 'templates/common/Dockerfile.hbs' },
  { path: 'sentry/.dockerignore', template: 'templates/common/dockerignore.hbs' },
  { path: 'nginx/nginx.conf', template: 'nginx/nginx.conf.hbs' },
  { path: 'nginx/sentry.conf', template: 'nginx/sentry.conf.hbs' },
  { path: 'cron/Dockerfile', template: 'templates/20.7.0/cron-Dockerfile.hbs', only: (v) => v.v20 },
  { path: 'cron/entrypoint.sh', template: 'templates/20.7.0/cron-entrypoint.sh.hbs', mode: 0o755, only: (v) => v.v20 },
  { path: 'relay/config.yml', template: 'templates/20.7.0/relay-config.yml.hbs', only: (v) => v.v20 },
  { path: 'symbolicator/config.yml', template: 'templates/20.7.0/symbolicator-config.yml.hbs', only: (v) => v.v20 },
];

/**
 * What a render depends on: the view (answers, secret key, paths) and every template. When it equals the
 * fingerprint of the last render, the kept rendered copies are that render: no template is run again.
 */
export function renderFingerprint(view: View): string {
  const h = createHash('sha256').update(JSON.stringify(view));
  const root = packageRoot();
  for (const dir of ['compose', 'nginx', 'templates']) {
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
      const files = specsFor(view).map((s) => ({ ...fileOf(s), content: readFileSync(join(renderedDir, s.path), 'utf8') }));
      return { files, fingerprint };
    }
  } catch {
    /* no fingerprint or a kept copy is missing: render */
  }
  return { files: renderFiles(view), fingerprint };
}

const specsFor = (view: View) => SPECS.filter((s) => !s.only || s.only(view));
const fileOf = (s: Spec) => ({ path: s.path, mode: s.mode ?? 0o644, containerSecret: s.containerSecret });

export function renderFiles(view: View): ManagedFile[] {
  return specsFor(view).map((s) => ({ ...fileOf(s), content: renderTemplate(s.template.replace('{tag}', view.tag), view) }));
}

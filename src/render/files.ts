/** The managed files of an install, per release: where each lands, its template and its mode. */
import type { View } from './view.js';
import { renderTemplate } from './engine.js';

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

export function renderFiles(view: View): ManagedFile[] {
  return SPECS.filter((s) => !s.only || s.only(view)).map((s) => ({
    path: s.path,
    content: renderTemplate(s.template.replace('{tag}', view.tag), view),
    mode: s.mode ?? 0o644,
    containerSecret: s.containerSecret,
  }));
}

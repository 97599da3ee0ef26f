/** Pieces most releases share: the files every install renders the same way, the nginx mounts, the health wait. */
import type { FileSpec, MountGroup, Wait } from './types.js';

/** A template in the release's own folder, templates/<tag>/. */
export const own = (tag: string) => (name: string) => `templates/${tag}/${name}`;

export const ENV_FILE: FileSpec = { path: '.env', template: 'templates/common/env.hbs', mode: 0o600 };

/** The local Sentry image: the official one plus this install's plugins. */
export const SENTRY_IMAGE_FILES: FileSpec[] = [
  { path: 'sentry/requirements.txt', template: 'templates/common/requirements.txt.hbs' },
  { path: 'sentry/Dockerfile', template: 'templates/common/Dockerfile.hbs' },
  { path: 'sentry/.dockerignore', template: 'templates/common/dockerignore.hbs' },
];
export const SENTRY_BUILD_INPUTS = ['sentry/Dockerfile', 'sentry/.dockerignore', 'sentry/requirements.txt'];

export const NGINX_FILES: FileSpec[] = [
  { path: 'nginx/nginx.conf', template: 'nginx/nginx.conf.hbs' },
  { path: 'nginx/sentry.conf', template: 'nginx/sentry.conf.hbs' },
];
export const NGINX_MOUNTS: MountGroup = { name: 'nginx', files: ['nginx/nginx.conf', 'nginx/sentry.conf'], tls: true, services: ['nginx'] };

/** Sentry answers /_health/ through the nginx vhost. */
export const VHOST_HEALTH: Wait = { kind: 'vhost', path: '/_health/' };

/** Pieces most releases share: the files every install renders the same way, the nginx mounts, the health wait. */
import type { ColumnLimit, FileSpec, MountGroup, Wait } from './types.js';

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

/**
 * The admin email is the user's email and also its username (`sentry createuser` and our step set both):
 * auth_user.email is varchar(75) (Sentry's User model, max_length=75) and username varchar(128) in 9.1.2's
 * South schema and in 20.7.0's Django migrations alike.
 */
export const AUTH_USER_LIMITS: Record<string, ColumnLimit[]> = {
  'admin.email': [
    { column: 'auth_user.email', max: 75 },
    { column: 'auth_user.username', max: 128 },
  ],
};

/** The cleanup images' entrypoint (20.7.0 to 25.x): bash keeps the crontab lines' schedule, no cron package to install. */
export const CRON_ENTRYPOINT = 'templates/common/cron-entrypoint.sh.hbs';

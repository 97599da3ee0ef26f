/** Sentry 9.1.2: the last release before Snuba (getsentry/onpremise at 9.1.2). Templates: templates/9.1.2/. */
import { AUTH_USER_LIMITS, ENV_FILE, NGINX_FILES, NGINX_MOUNTS, SENTRY_BUILD_INPUTS, SENTRY_IMAGE_FILES, VHOST_HEALTH, own } from './common.js';
import type { Release } from './types.js';

const tag = '9.1.2';
const t = own(tag);
const SENTRY_SERVICES = ['web', 'cron', 'worker'];

export const release: Release<typeof tag> = {
  tag,
  projectName: 'onpremise',
  sentryUid: 999,
  answerLimits: AUTH_USER_LIMITS,
  secretKeyIn: 'env',
  components: { snuba: false, relay: false, symbolicator: false },
  clickhouse: false,
  images: [
    { key: 'smtp', image: 'tianon/exim4', services: ['smtp'] },
    { key: 'memcached', image: 'memcached:1.5-alpine', services: ['memcached'] },
    { key: 'redis', image: 'redis:3.2-alpine', services: ['redis'] },
    { key: 'postgres', image: 'postgres:9.5', services: ['postgres'] },
    { key: 'nginx', image: 'nginx:1.16', services: ['nginx'] },
    { key: 'sentryBase', image: `sentry:${tag}`, services: [] },
  ],
  builtImages: [{ image: 'sentry-onpremise-local', service: 'web', files: SENTRY_BUILD_INPUTS, base: { pulled: 'sentryBase' }, services: SENTRY_SERVICES }],
  sentryImage: { built: 'sentry-onpremise-local' },
  sentryServices: SENTRY_SERVICES,
  externalVolumes: ['sentry-data', 'sentry-postgres'],
  files: [
    { path: 'docker-compose.yml', template: t('docker-compose.yml.hbs') },
    ENV_FILE,
    { path: 'sentry/config.yml', template: t('config.yml.hbs'), mode: 0o600, containerSecret: true },
    { path: 'sentry/sentry.conf.py', template: t('sentry.conf.py.hbs'), mode: 0o600, containerSecret: true },
    ...SENTRY_IMAGE_FILES,
    ...NGINX_FILES,
  ],
  mountGroups: [{ name: 'sentry', files: ['sentry/config.yml', 'sentry/sentry.conf.py'], services: SENTRY_SERVICES }, NGINX_MOUNTS],
  bootstrap: [],
  waits: [VHOST_HEALTH],
  // The last South migration of 9.1.2 (getsentry/sentry@9.1.2 src/sentry/south_migrations/); Sentry 10's
  // `upgrade` refuses a South history without it ("Please upgrade to Sentry 9.1.2 before upgrading to any later
  // versions", the contract of `sentry upgrade` §1.4, docs/sentry-cli-contract.md).
  databaseMarks: { table: 'south_migrationhistory', names: ['0472_auto__add_field_sentryapp_author'] },
};

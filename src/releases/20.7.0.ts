/**
 * Sentry 20.7.0 (getsentry/onpremise at 20.7.0): Snuba on ClickHouse and Kafka, Relay, Symbolicator, and
 * cron images built on Sentry, Snuba and Symbolicator. Templates: templates/20.7.0/.
 */
import { CRON_ENTRYPOINT, AUTH_USER_LIMITS, ENV_FILE, NGINX_FILES, NGINX_MOUNTS, SENTRY_BUILD_INPUTS, SENTRY_IMAGE_FILES, VHOST_HEALTH, own } from './common.js';
import type { Release } from './types.js';

const tag = '20.7.0';
const t = own(tag);
/** The official .env pins Symbolicator to a commit, not to the release tag. */
const SYMBOLICATOR_VERSION = 'eac35a6058c7749bdf20ed219a377e49e02d0b76';
const SENTRY_SERVICES = ['web', 'cron', 'worker', 'ingest-consumer', 'post-process-forwarder', 'sentry-cleanup'];
const SNUBA_SERVICES = ['snuba-api', 'snuba-consumer', 'snuba-outcomes-consumer', 'snuba-sessions-consumer', 'snuba-transactions-consumer', 'snuba-replacer'];
const CRON_FILES = ['cron/Dockerfile', 'cron/entrypoint.sh'];

export const release: Release<typeof tag> = {
  tag,
  projectName: 'sentry_onpremise',
  sentryUid: 999,
  answerLimits: AUTH_USER_LIMITS,
  ulimits: { clickhouse: { nofile: { soft: 262144, hard: 262144 } } },
  secretKeyIn: 'config',
  components: { snuba: true, relay: true, symbolicator: true },
  clickhouse: true,
  images: [
    { key: 'smtp', image: 'tianon/exim4', services: ['smtp'] },
    { key: 'memcached', image: 'memcached:1.5-alpine', services: ['memcached'] },
    { key: 'redis', image: 'redis:5.0-alpine', services: ['redis'] },
    { key: 'postgres', image: 'postgres:9.6', services: ['postgres'] },
    { key: 'nginx', image: 'nginx:1.16', services: ['nginx'] },
    { key: 'sentryBase', image: `getsentry/sentry:${tag}`, env: { name: 'SENTRY_VERSION', holds: 'tag' }, services: [] },
    { key: 'zookeeper', image: 'confluentinc/cp-zookeeper:5.5.0', services: ['zookeeper'] },
    { key: 'kafka', image: 'confluentinc/cp-kafka:5.5.0', services: ['kafka'] },
    { key: 'clickhouse', image: 'yandex/clickhouse-server:19.17', services: ['clickhouse'] },
    { key: 'snuba', image: `getsentry/snuba:${tag}`, services: SNUBA_SERVICES },
    { key: 'relay', image: `getsentry/relay:${tag}`, services: ['relay'] },
    { key: 'symbolicator', image: `getsentry/symbolicator:${SYMBOLICATOR_VERSION}`, env: { name: 'SYMBOLICATOR_VERSION', holds: 'tag' }, services: ['symbolicator'] },
  ],
  builtImages: [
    { image: 'sentry-onpremise-local', service: 'web', files: SENTRY_BUILD_INPUTS, base: { pulled: 'sentryBase' }, services: SENTRY_SERVICES.filter((s) => s !== 'sentry-cleanup') },
    { image: 'sentry-cleanup-onpremise-local', service: 'sentry-cleanup', files: CRON_FILES, base: { built: 'sentry-onpremise-local' }, services: ['sentry-cleanup'] },
    { image: 'snuba-cleanup-onpremise-local', service: 'snuba-cleanup', files: CRON_FILES, base: { pulled: 'snuba' }, services: ['snuba-cleanup'] },
    { image: 'symbolicator-cleanup-onpremise-local', service: 'symbolicator-cleanup', files: CRON_FILES, base: { pulled: 'symbolicator' }, services: ['symbolicator-cleanup'] },
  ],
  sentryImage: { built: 'sentry-onpremise-local' },
  sentryServices: SENTRY_SERVICES,
  externalVolumes: ['sentry-data', 'sentry-postgres', 'sentry-redis', 'sentry-zookeeper', 'sentry-kafka', 'sentry-clickhouse', 'sentry-symbolicator'],
  files: [
    { path: 'docker-compose.yml', template: t('docker-compose.yml.hbs') },
    ENV_FILE,
    { path: 'sentry/config.yml', template: t('config.yml.hbs'), mode: 0o600, containerSecret: true },
    { path: 'sentry/sentry.conf.py', template: t('sentry.conf.py.hbs'), mode: 0o600, containerSecret: true },
    ...SENTRY_IMAGE_FILES,
    ...NGINX_FILES,
    { path: 'cron/Dockerfile', template: t('cron-Dockerfile.hbs') },
    { path: 'cron/entrypoint.sh', template: CRON_ENTRYPOINT, mode: 0o755 },
    { path: 'relay/config.yml', template: t('relay-config.yml.hbs'), redisSecretOwner: 10001 },
    { path: 'symbolicator/config.yml', template: t('symbolicator-config.yml.hbs') },
  ],
  mountGroups: [
    { name: 'sentry', files: ['sentry/config.yml', 'sentry/sentry.conf.py'], services: SENTRY_SERVICES },
    NGINX_MOUNTS,
    { name: 'relay', files: ['relay/config.yml', 'relay/credentials.json'], services: ['relay'] },
    { name: 'symbolicator', files: ['symbolicator/config.yml'], services: ['symbolicator'] },
  ],
  bootstrap: [
    { kind: 'snuba-bootstrap', commands: [['bootstrap', '--force']], zookeeper: true },
    // uid 10001: the user getsentry/relay's Dockerfile runs as.
    { kind: 'relay-credentials', uid: 10001 },
  ],
  waits: [VHOST_HEALTH],
  // Sentry 10's Django migrations start with 0001_initial (the South schema, faked on a converted 9.1.2 database)
  // and 0002_912_to_recent (getsentry/sentry src/sentry/migrations/0002_912_to_recent.py); a fresh install from
  // 21.7.0 on records 0001_squashed_0200_release_indices instead, which a later release's marks stand for.
  databaseMarks: { table: 'django_migrations', names: ['0002_912_to_recent'] },
  arrival: {
    from: '9.1.2',
    oneOffs: [
      // 9.1.2 mounted sentry-data at /var/lib/sentry/files; 10.0.0 and later at /data, files in /data/files.
      { id: 'file-storage-to-data-files', onlyFromBefore: '10.0.0' },
      // postgres:9.5 -> postgres:9.6: the data directory is upgraded when PG_VERSION says 9.5.
      { id: 'postgres-9.5-to-9.6' },
    ],
    copies: [{ volume: 'sentry-postgres', why: 'pg_upgrade 9.5 -> 9.6 into a scratch volume' }],
  },
};

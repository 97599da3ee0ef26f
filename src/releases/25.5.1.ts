/**
 * Sentry 25.5.1 (getsentry/self-hosted at 25.5.1), a hard stop (Sentry's migrations squashed): 24.8.0's
 * stack (same infrastructure images, Kafka in KRaft mode, ClickHouse built on altinity 23.8, Vroom, profiles
 * feature-complete / errors-only) without the geoipupdate service, with a mounted redis.conf and a
 * sentry-nginx-www volume; 56 services, 31 of them feature-complete. Templates: templates/25.5.1/.
 */
import { CRON_ENTRYPOINT, AUTH_USER_LIMITS, ENV_FILE, NGINX_FILES, NGINX_MOUNTS, SENTRY_BUILD_INPUTS, SENTRY_IMAGE_FILES, VHOST_HEALTH, own } from './common.js';
import type { Release } from './types.js';

const tag = '25.5.1';
const t = own(tag);
/** Services of `x-sentry-defaults` (the local Sentry image), sentry-cleanup aside. */
const SENTRY_SERVICES = [
  'web', 'cron', 'worker', 'events-consumer', 'attachments-consumer', 'post-process-forwarder-errors', 'subscription-consumer-events',
  'transactions-consumer', 'metrics-consumer', 'generic-metrics-consumer', 'billing-metrics-consumer', 'ingest-replay-recordings',
  'ingest-occurrences', 'ingest-profiles', 'ingest-monitors', 'ingest-feedback-events', 'monitors-clock-tick', 'monitors-clock-tasks',
  'post-process-forwarder-transactions', 'post-process-forwarder-issue-platform', 'subscription-consumer-transactions',
  'subscription-consumer-metrics', 'subscription-consumer-generic-metrics',
];
const SNUBA_SERVICES = [
  'snuba-api', 'snuba-errors-consumer', 'snuba-outcomes-consumer', 'snuba-outcomes-billing-consumer', 'snuba-group-attributes-consumer',
  'snuba-replacer', 'snuba-subscription-consumer-events', 'snuba-transactions-consumer', 'snuba-replays-consumer',
  'snuba-issue-occurrence-consumer', 'snuba-metrics-consumer', 'snuba-subscription-consumer-transactions',
  'snuba-subscription-consumer-metrics', 'snuba-generic-metrics-distributions-consumer', 'snuba-generic-metrics-sets-consumer',
  'snuba-generic-metrics-counters-consumer', 'snuba-generic-metrics-gauges-consumer', 'snuba-profiling-profiles-consumer',
  'snuba-profiling-functions-consumer', 'snuba-spans-consumer',
];
const CRON_FILES = ['cron/Dockerfile', 'cron/entrypoint.sh'];
const SENTRY_FILES = SENTRY_BUILD_INPUTS;
const SENTRY_MOUNTED = ['sentry/config.yml', 'sentry/sentry.conf.py', 'sentry/entrypoint.sh'];

export const release: Release<typeof tag> = {
  tag,
  projectName: 'sentry-self-hosted',
  sentryUid: 999,
  // auth_user.email is still varchar(75) and username varchar(128) after the 25.5.1 squash.
  answerLimits: AUTH_USER_LIMITS,
  ulimits: {
    redis: { nofile: { soft: 10032, hard: 10032 } },
    kafka: { nofile: { soft: 4096, hard: 4096 } },
    clickhouse: { nofile: { soft: 262144, hard: 262144 } },
    web: { nofile: { soft: 4096, hard: 4096 } },
  },
  secretKeyIn: 'config',
  components: { snuba: true, relay: true, symbolicator: true },
  clickhouse: true,
  images: [
    { key: 'smtp', image: 'tianon/exim4', services: ['smtp'] },
    { key: 'memcached', image: 'memcached:1.6.26-alpine', services: ['memcached'] },
    { key: 'redis', image: 'redis:6.2.14-alpine', services: ['redis'] },
    { key: 'postgres', image: 'postgres:14.11', services: ['postgres'] },
    { key: 'kafka', image: 'confluentinc/cp-kafka:7.6.1', services: ['kafka'] },
    { key: 'clickhouseBase', image: 'altinity/clickhouse-server:23.8.11.29.altinitystable', services: [] },
    { key: 'nginx', image: 'nginx:1.25.4-alpine', services: ['nginx'] },
    { key: 'sentryBase', image: `getsentry/sentry:${tag}`, env: { name: 'SENTRY_IMAGE', holds: 'image' }, services: [] },
    { key: 'snuba', image: `getsentry/snuba:${tag}`, env: { name: 'SNUBA_IMAGE', holds: 'image' }, services: SNUBA_SERVICES },
    { key: 'relay', image: `getsentry/relay:${tag}`, env: { name: 'RELAY_IMAGE', holds: 'image' }, services: ['relay'] },
    { key: 'symbolicator', image: `getsentry/symbolicator:${tag}`, env: { name: 'SYMBOLICATOR_IMAGE', holds: 'image' }, services: ['symbolicator'] },
    { key: 'vroom', image: `getsentry/vroom:${tag}`, env: { name: 'VROOM_IMAGE', holds: 'image' }, services: ['vroom'] },
  ],
  builtImages: [
    { image: 'sentry-self-hosted-local', service: 'web', files: SENTRY_FILES, base: { pulled: 'sentryBase' }, services: SENTRY_SERVICES },
    { image: 'sentry-cleanup-self-hosted-local', service: 'sentry-cleanup', files: CRON_FILES, base: { built: 'sentry-self-hosted-local' }, services: ['sentry-cleanup'] },
    { image: 'symbolicator-cleanup-self-hosted-local', service: 'symbolicator-cleanup', files: CRON_FILES, base: { pulled: 'symbolicator' }, services: ['symbolicator-cleanup'] },
    { image: 'vroom-cleanup-self-hosted-local', service: 'vroom-cleanup', files: CRON_FILES, base: { pulled: 'vroom' }, services: ['vroom-cleanup'] },
    { image: 'clickhouse-self-hosted-local', service: 'clickhouse', files: ['clickhouse/Dockerfile'], base: { pulled: 'clickhouseBase' }, services: ['clickhouse'] },
  ],
  sentryImage: { built: 'sentry-self-hosted-local' },
  sentryServices: [...SENTRY_SERVICES, 'sentry-cleanup'],
  externalVolumes: ['sentry-data', 'sentry-postgres', 'sentry-redis', 'sentry-kafka', 'sentry-clickhouse', 'sentry-symbolicator'],
  files: [
    { path: 'docker-compose.yml', template: t('docker-compose.yml.hbs') },
    ENV_FILE,
    { path: 'sentry/config.yml', template: t('config.yml.hbs'), mode: 0o600, containerSecret: true },
    { path: 'sentry/sentry.conf.py', template: t('sentry.conf.py.hbs'), mode: 0o600, containerSecret: true },
    { path: 'sentry/entrypoint.sh', template: t('sentry-entrypoint.sh.hbs'), mode: 0o755 },
    ...SENTRY_IMAGE_FILES,
    ...NGINX_FILES,
    { path: 'cron/Dockerfile', template: t('cron-Dockerfile.hbs') },
    { path: 'cron/entrypoint.sh', template: CRON_ENTRYPOINT, mode: 0o755 },
    { path: 'clickhouse/Dockerfile', template: t('clickhouse-Dockerfile.hbs') },
    { path: 'clickhouse/config.xml', template: t('clickhouse-config.xml.hbs') },
    { path: 'redis.conf', template: t('redis.conf.hbs') },
    { path: 'relay/config.yml', template: t('relay-config.yml.hbs'), redisSecretOwner: 10001 },
    { path: 'symbolicator/config.yml', template: t('symbolicator-config.yml.hbs') },
  ],
  mountGroups: [
    { name: 'sentry', files: SENTRY_MOUNTED, services: [...SENTRY_SERVICES, 'sentry-cleanup'] },
    NGINX_MOUNTS,
    { name: 'relay', files: ['relay/config.yml', 'relay/credentials.json'], services: ['relay'] },
    { name: 'symbolicator', files: ['symbolicator/config.yml'], services: ['symbolicator'] },
    { name: 'clickhouse', files: ['clickhouse/config.xml'], services: ['clickhouse'] },
    { name: 'redis', files: ['redis.conf'], services: ['redis'] },
  ],
  bootstrap: [
    // install/check-memcached-backend.sh: Django 5 has no MemcachedCache; an edited sentry.conf.py that still names it stops here.
    {
      kind: 'file-check',
      file: 'sentry/sentry.conf.py',
      require: '.PyMemcacheCache',
      refuse: '.MemcachedCache',
      why: 'Sentry 25.5.1 runs Django 5, which has no MemcachedCache: set the CACHES backend to django.core.cache.backends.memcached.PyMemcacheCache',
    },
    // Before anything runs relay: its compose service bind-mounts ./geoip, which must exist.
    { kind: 'geoip-database', path: 'geoip/GeoLite2-City.mmdb' },
    // uid 10001: the user getsentry/relay's Dockerfile runs as.
    { kind: 'relay-credentials', uid: 10001 },
    // install/bootstrap-snuba.sh: since 25.x `bootstrap` migrates too; compose run waits for clickhouse, kafka and redis healthy.
    { kind: 'snuba-bootstrap', commands: [['bootstrap', '--force']] },
    // install/set-up-and-migrate-database.sh: `up --wait postgres`, then (there through `web shell -c`) the
    // constraint fix for databases from 23.x (getsentry/self-hosted#2758; removed in 25.6.0).
    { kind: 'compose-wait', services: ['postgres'] },
    {
      kind: 'sentry-script',
      id: 'groupedmessage-constraint',
      script: [
        'from django.db import connection',
        'with connection.cursor() as cursor:',
        "    cursor.execute('ALTER TABLE IF EXISTS sentry_groupedmessage DROP CONSTRAINT IF EXISTS sentry_groupedmessage_project_id_id_515aaa7e_uniq;')",
        "    cursor.execute('DROP INDEX IF EXISTS sentry_groupedmessage_project_id_id_515aaa7e_uniq;')",
      ].join('\n'),
    },
  ],
  // install/set-up-and-migrate-database.sh: Sentry creates its own Kafka topics (create-kafka-topics.sh is gone since 24.6.0).
  migrate: ['sentry', 'upgrade', '--noinput', '--create-kafka-topics'],
  waits: [{ kind: 'compose-healthy' }, VHOST_HEALTH],
  env: [
    { name: 'HEALTHCHECK_INTERVAL', value: '30s' },
    { name: 'HEALTHCHECK_TIMEOUT', value: '1m30s' },
    { name: 'HEALTHCHECK_RETRIES', value: '10' },
    { name: 'POSTGRES_MAX_CONNECTIONS', value: '100' },
  ],
  // The official .env sets feature-complete.
  profiles: { default: 'feature-complete', offered: ['feature-complete', 'errors-only'] },
  // Sentry squashed its migrations after 25.5.1 (getsentry/sentry#92034, "hard stop has been put in place for
  // 25.5.1"): later releases' `upgrade` requires 0904_onboarding_task_project_id_idx or the squash
  // 0001_squashed_0904_onboarding_task_project_id_idx (getsentry/sentry#118751 names the check's head 0904).
  databaseMarks: {
    table: 'django_migrations',
    names: ['0904_onboarding_task_project_id_idx', '0001_squashed_0904_onboarding_task_project_id_idx'],
  },
  // No arrival yet: the hop from 24.8.0 (only `sentry upgrade` and the Snuba bootstrap, no one-off data step) has
  // not run on the test engine. Fresh installs only.
};

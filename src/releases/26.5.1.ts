/**
 * Sentry 26.5.1 (getsentry/self-hosted at 26.5.1), a hard stop (the squash window after 25.5.1): Python 3
 * Sentry on Django 5, Kafka in KRaft mode, ClickHouse built from altinity 25.3, SeaweedFS (`weed server`
 * with its admin and worker) for the nodestore and profiles, pgbouncer, Redis 6.2, the taskbroker and its
 * workers, images from ghcr.io, and the Compose profiles feature-complete / errors-only (72 services, 41 of
 * them feature-complete). Templates: templates/26.5.1/.
 */
import { AUTH_USER_LIMITS, NGINX_FILES, SENTRY_BUILD_INPUTS, SENTRY_IMAGE_FILES, VHOST_HEALTH, own } from './common.js';
import type { Consumer, Release } from './types.js';

const tag = '26.5.1';
const t = own(tag);
const GHCR = 'ghcr.io';
const FC = 'feature-complete';

const HEALTH = '--health-check-file /tmp/health.txt';
const rust = (name: string, storage: string, group: string, reset: string, batch: number, profile?: string, extra = ''): Consumer => ({
  name,
  command: `rust-consumer --storage ${storage} --consumer-group ${group} --auto-offset-reset=${reset} --max-batch-time-ms ${batch} --no-strict-offset-reset${extra} ${HEALTH}`,
  heartbeat: true,
  profile,
});
const subs = (name: string, dataset: string, entities: string, group: string, followed: string, profile?: string): Consumer => ({
  name,
  command: `subscriptions-scheduler-executor --dataset ${dataset} ${entities} --auto-offset-reset=latest --no-strict-offset-reset --consumer-group=${group} --followed-consumer-group=${followed} --schedule-ttl=60 --stale-threshold-seconds=900 ${HEALTH}`,
  heartbeat: true,
  profile,
});
const genericSubs = (kind: string): Consumer =>
  subs(`snuba-subscription-consumer-generic-metrics-${kind}`, 'generic_metrics', `--entity=generic_metrics_${kind}`, `snuba-generic-metrics-${kind}-subscriptions-schedulers`, `snuba-gen-metrics-${kind}-consumers`, FC);
const genericRust = (kind: string): Consumer =>
  rust(`snuba-generic-metrics-${kind}-consumer`, `generic_metrics_${kind}_raw`, `snuba-gen-metrics-${kind}-consumers`, 'latest', 750, FC);

/** In the order of the official compose file. */
const SNUBA_CONSUMERS: Consumer[] = [
  rust('snuba-errors-consumer', 'errors', 'snuba-consumers', 'latest', 750),
  rust('snuba-outcomes-consumer', 'outcomes_raw', 'snuba-consumers', 'earliest', 750),
  rust('snuba-outcomes-billing-consumer', 'outcomes_raw', 'snuba-consumers', 'earliest', 750, undefined, ' --raw-events-topic outcomes-billing'),
  rust('snuba-group-attributes-consumer', 'group_attributes', 'snuba-group-attributes-consumers', 'latest', 750),
  // No heartbeat file and no healthcheck in 26.5.1 (both came with 26.8.0).
  { name: 'snuba-replacer', command: 'replacer --storage errors --auto-offset-reset=latest --no-strict-offset-reset', heartbeat: false },
  subs('snuba-subscription-consumer-events', 'events', '--entity events', 'snuba-events-subscriptions-consumers', 'snuba-consumers'),
  rust('snuba-transactions-consumer', 'transactions', 'transactions_group', 'latest', 750, FC),
  rust('snuba-replays-consumer', 'replays', 'snuba-consumers', 'latest', 750, FC),
  rust('snuba-issue-occurrence-consumer', 'search_issues', 'generic_events_group', 'latest', 750, FC),
  rust('snuba-metrics-consumer', 'metrics_raw', 'snuba-metrics-consumers', 'latest', 750, FC),
  subs('snuba-subscription-consumer-transactions', 'transactions', '--entity transactions', 'snuba-transactions-subscriptions-consumers', 'transactions_group', FC),
  subs('snuba-subscription-consumer-metrics', 'metrics', '--entity metrics_sets --entity metrics_counters', 'snuba-metrics-subscriptions-consumers', 'snuba-metrics-consumers', FC),
  ...['distributions', 'sets', 'counters', 'gauges'].map(genericSubs),
  ...['distributions', 'sets', 'counters', 'gauges'].map(genericRust),
  rust('snuba-profiling-profiles-consumer', 'profiles', 'snuba-consumers', 'latest', 1000, FC),
  rust('snuba-profiling-functions-consumer', 'functions_raw', 'snuba-consumers', 'latest', 1000, FC),
  rust('snuba-profiling-profile-chunks-consumer', 'profile_chunks', 'snuba-consumers', 'latest', 1000, FC),
  rust('snuba-eap-items-consumer', 'eap_items', 'eap_items_group', 'latest', 1000, FC, ' --use-rust-processor'),
  subs('snuba-subscription-consumer-eap-items', 'events_analytics_platform', '--entity eap_items', 'snuba-eap-items-subscriptions-consumers', 'eap_items_group'),
];

/** `sentry run consumer`; `strict` puts --no-strict-offset-reset before the topic, as the official file does for some. */
const sentry = (name: string, topic: string, group: string, profile?: string, opts: { strict?: boolean; sync?: string } = {}): Consumer => ({
  name,
  command: `run consumer${opts.strict ? ' --no-strict-offset-reset' : ''} ${topic} --consumer-group ${group}${opts.sync ?? ''} --healthcheck-file-path /tmp/health.txt`,
  heartbeat: true,
  profile,
});
/** Subscription results, consumed by the query-subscription-consumer group unless named otherwise. */
const results = (name: string, topic: string, profile: string | undefined, group = 'query-subscription-consumer') => sentry(name, topic, group, profile);

/** In the order of the official compose file. */
const SENTRY_CONSUMERS: Consumer[] = [
  sentry('events-consumer', 'ingest-events', 'ingest-consumer'),
  sentry('attachments-consumer', 'ingest-attachments', 'ingest-consumer'),
  sentry('post-process-forwarder-errors', 'post-process-forwarder-errors', 'post-process-forwarder', undefined, { strict: true, sync: ' --synchronize-commit-log-topic=snuba-commit-log --synchronize-commit-group=snuba-consumers' }),
  results('subscription-consumer-events', 'events-subscription-results', undefined),
  sentry('transactions-consumer', 'ingest-transactions', 'ingest-consumer', FC),
  sentry('metrics-consumer', 'ingest-metrics', 'metrics-consumer', FC),
  sentry('generic-metrics-consumer', 'ingest-generic-metrics', 'generic-metrics-consumer', FC),
  sentry('billing-metrics-consumer', 'billing-metrics-consumer', 'billing-metrics-consumer', FC),
  sentry('ingest-replay-recordings', 'ingest-replay-recordings', 'ingest-replay-recordings', FC),
  sentry('ingest-occurrences', 'ingest-occurrences', 'ingest-occurrences', FC),
  sentry('ingest-profiles', 'ingest-profiles', 'ingest-profiles', FC),
  sentry('ingest-monitors', 'ingest-monitors', 'ingest-monitors', FC),
  sentry('ingest-feedback-events', 'ingest-feedback-events', 'ingest-feedback', FC),
  sentry('process-spans', 'process-spans', 'process-spans', FC, { strict: true }),
  sentry('process-segments', 'process-segments', 'process-segments', FC, { strict: true }),
  sentry('monitors-clock-tick', 'monitors-clock-tick', 'monitors-clock-tick', FC),
  sentry('monitors-clock-tasks', 'monitors-clock-tasks', 'monitors-clock-tasks', FC),
  sentry('uptime-results', 'uptime-results', 'uptime-results', FC),
  sentry('post-process-forwarder-transactions', 'post-process-forwarder-transactions', 'post-process-forwarder', FC, { strict: true, sync: ' --synchronize-commit-log-topic=snuba-transactions-commit-log --synchronize-commit-group transactions_group' }),
  sentry('post-process-forwarder-issue-platform', 'post-process-forwarder-issue-platform', 'post-process-forwarder', FC, { strict: true, sync: ' --synchronize-commit-log-topic=snuba-generic-events-commit-log --synchronize-commit-group generic_events_group' }),
  results('subscription-consumer-transactions', 'transactions-subscription-results', FC),
  results('subscription-consumer-eap-items', 'subscription-results-eap-items', FC, 'subscription-results-eap-items'),
  results('subscription-consumer-metrics', 'metrics-subscription-results', FC),
  results('subscription-consumer-generic-metrics', 'generic-metrics-subscription-results', FC),
];

const SENTRY_SERVICES = ['web', ...SENTRY_CONSUMERS.map((c) => c.name), 'taskscheduler', 'taskworker', 'sentry-cleanup'];
const SENTRY_LOCAL = SENTRY_SERVICES.filter((s) => s !== 'sentry-cleanup');
const SNUBA_SERVICES = ['snuba-api', ...SNUBA_CONSUMERS.map((c) => c.name)];
const CRON_FILES = ['cron/Dockerfile', 'cron/entrypoint.sh'];

export const release: Release<typeof tag> = {
  tag,
  projectName: 'sentry-self-hosted',
  sentryUid: 999,
  // auth_user.email is still varchar(75) and username varchar(128) after the 26.x squash.
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
  profiles: { default: 'feature-complete', offered: ['feature-complete', 'errors-only'] },
  images: [
    { key: 'smtp', image: 'egos-tech/smtp', registry: 'registry.gitlab.com', services: ['smtp'] },
    { key: 'memcached', image: 'memcached:1.6.26-alpine', services: ['memcached'] },
    { key: 'redis', image: 'redis:6.2.20-alpine', services: ['redis'] },
    { key: 'postgres', image: 'postgres:14.23-bookworm', services: ['postgres'] },
    { key: 'pgbouncer', image: 'edoburu/pgbouncer:v1.24.1-p1', services: ['pgbouncer'] },
    { key: 'kafka', image: 'confluentinc/cp-kafka:7.6.6', services: ['kafka'] },
    { key: 'clickhouseBase', image: 'altinity/clickhouse-server:25.3.6.10034.altinitystable', services: [] },
    { key: 'seaweedfs', image: 'chrislusf/seaweedfs:4.17_large_disk', services: ['seaweedfs', 'seaweedfs-admin', 'seaweedfs-worker'] },
    { key: 'nginx', image: 'nginx:1.31.0-alpine', services: ['nginx'] },
    { key: 'sentryBase', image: `getsentry/sentry:${tag}`, registry: GHCR, env: { name: 'SENTRY_IMAGE', holds: 'image' }, services: [] },
    { key: 'snuba', image: `getsentry/snuba:${tag}`, registry: GHCR, env: { name: 'SNUBA_IMAGE', holds: 'image' }, services: SNUBA_SERVICES },
    { key: 'relay', image: `getsentry/relay:${tag}`, registry: GHCR, env: { name: 'RELAY_IMAGE', holds: 'image' }, services: ['relay'] },
    { key: 'symbolicator', image: `getsentry/symbolicator:${tag}`, registry: GHCR, env: { name: 'SYMBOLICATOR_IMAGE', holds: 'image' }, services: ['symbolicator', 'symbolicator-cleanup'] },
    { key: 'taskbroker', image: `getsentry/taskbroker:${tag}`, registry: GHCR, env: { name: 'TASKBROKER_IMAGE', holds: 'image' }, services: ['taskbroker'] },
    { key: 'vroom', image: `getsentry/vroom:${tag}`, registry: GHCR, env: { name: 'VROOM_IMAGE', holds: 'image' }, services: ['vroom'] },
    { key: 'uptimeChecker', image: `getsentry/uptime-checker:${tag}`, registry: GHCR, env: { name: 'UPTIME_CHECKER_IMAGE', holds: 'image' }, services: ['uptime-checker'] },
    { key: 'launchpad', image: `getsentry/launchpad:${tag}`, registry: GHCR, env: { name: 'LAUNCHPAD_IMAGE', holds: 'image' }, services: ['launchpad-taskworker'] },
  ],
  builtImages: [
    { image: 'sentry-self-hosted-local', service: 'web', files: SENTRY_BUILD_INPUTS, base: { pulled: 'sentryBase' }, services: SENTRY_LOCAL },
    { image: 'sentry-cleanup-self-hosted-local', service: 'sentry-cleanup', files: CRON_FILES, base: { built: 'sentry-self-hosted-local' }, services: ['sentry-cleanup'] },
    { image: 'clickhouse-self-hosted-local', service: 'clickhouse', files: ['clickhouse/Dockerfile'], base: { pulled: 'clickhouseBase' }, services: ['clickhouse'] },
  ],
  sentryImage: { built: 'sentry-self-hosted-local' },
  // The official Sentry image lacks the S3 nodestore its sentry.conf.py names (26.5.1:sentry/Dockerfile
  // installs main.zip); pinned to one commit of that branch.
  sentryRequirements: ['sentry-nodestore-s3 @ https://github.com/getsentry/sentry-nodestore-s3/archive/47e1f94e1c726f03dd1976d837c9a1b92f59c090.zip'],
  sentryServices: SENTRY_SERVICES,
  externalVolumes: ['sentry-data', 'sentry-postgres', 'sentry-redis', 'sentry-kafka', 'sentry-clickhouse', 'sentry-seaweedfs'],
  files: [
    { path: 'docker-compose.yml', template: t('docker-compose.yml.hbs') },
    { path: '.env', template: t('env.hbs'), mode: 0o600 },
    { path: 'sentry/config.yml', template: t('config.yml.hbs'), mode: 0o600, containerSecret: true },
    { path: 'sentry/sentry.conf.py', template: t('sentry.conf.py.hbs'), mode: 0o600, containerSecret: true },
    { path: 'sentry/entrypoint.sh', template: t('sentry-entrypoint.sh.hbs'), mode: 0o755 },
    ...SENTRY_IMAGE_FILES,
    ...NGINX_FILES,
    { path: 'cron/Dockerfile', template: t('cron-Dockerfile.hbs') },
    { path: 'cron/entrypoint.sh', template: t('cron-entrypoint.sh.hbs'), mode: 0o755 },
    { path: 'clickhouse/Dockerfile', template: t('clickhouse-Dockerfile.hbs') },
    { path: 'clickhouse/config.xml', template: t('clickhouse-config.xml.hbs') },
    { path: 'clickhouse/default-password.xml', template: t('clickhouse-default-password.xml.hbs') },
    { path: 'redis.conf', template: t('redis.conf.hbs') },
    { path: 'relay/config.yml', template: t('relay-config.yml.hbs'), redisSecretOwner: 10001 },
    { path: 'symbolicator/config.yml', template: t('symbolicator-config.yml.hbs') },
  ],
  mountGroups: [
    { name: 'sentry', files: ['sentry/config.yml', 'sentry/sentry.conf.py', 'sentry/entrypoint.sh'], services: SENTRY_SERVICES },
    { name: 'nginx', files: ['nginx/nginx.conf', 'nginx/sentry.conf'], tls: true, services: ['nginx'] },
    { name: 'relay', files: ['relay/config.yml', 'relay/credentials.json'], services: ['relay'] },
    { name: 'symbolicator', files: ['symbolicator/config.yml'], services: ['symbolicator', 'symbolicator-cleanup'] },
    { name: 'clickhouse', files: ['clickhouse/config.xml', 'clickhouse/default-password.xml'], services: ['clickhouse'] },
    { name: 'redis', files: ['redis.conf'], services: ['redis'] },
  ],
  bootstrap: [
    // install/check-memcached-backend.sh: ReconnectingMemcache passes; an edited sentry.conf.py that names
    // Django's removed MemcachedCache stops here (the official script exits 1 too).
    {
      kind: 'file-check',
      file: 'sentry/sentry.conf.py',
      require: '.ReconnectingMemcache',
      refuse: '.MemcachedCache',
      why: 'Sentry 26.5.1 runs Django 5, which has no MemcachedCache: set the CACHES backend to sentry.cache.backends.reconnectingmemcache.ReconnectingMemcache',
    },
    // install/geoip.sh, here before anything runs relay: its service bind-mounts ./geoip.
    { kind: 'geoip-database', path: 'geoip/GeoLite2-City.mmdb' },
    // install/ensure-relay-credentials.sh; uid 10001: the user getsentry/relay's Dockerfile runs as.
    { kind: 'relay-credentials', uid: 10001 },
    // install/bootstrap-s3-nodestore.sh (before Snuba), then bootstrap-snuba.sh, then bootstrap-s3-profiles.sh
    // (feature-complete only), as the official order.
    { kind: 's3-buckets', service: 'seaweedfs', endpoint: 'http://seaweedfs:8333', accessKey: 'sentry', secretKey: 'sentry', runIn: 'web', buckets: [{ name: 'nodestore' }] },
    // `bootstrap` migrates too since 25.x; compose run waits for clickhouse, kafka and redis healthy (depends_on).
    { kind: 'snuba-bootstrap', commands: [['bootstrap', '--force']] },
    { kind: 's3-buckets', service: 'seaweedfs', endpoint: 'http://seaweedfs:8333', accessKey: 'sentry', secretKey: 'sentry', runIn: 'web', buckets: [{ name: 'profiles', profile: 'feature-complete' }] },
    // install/set-up-and-migrate-database.sh: postgres, then pgbouncer, healthy before the migrations.
    { kind: 'compose-wait', services: ['postgres', 'pgbouncer'] },
  ],
  // Kafka topics are created by Sentry since 24.6.0.
  migrate: ['sentry', 'upgrade', '--noinput', '--create-kafka-topics'],
  waits: [{ kind: 'compose-healthy' }, VHOST_HEALTH],
  // The official .env carries LAUNCHPAD_RPC_SHARED_SECRET=supersecret; each install gets its own.
  generatedSecrets: ['launchpadRpc'],
  templateData: { snubaConsumers: SNUBA_CONSUMERS, sentryConsumers: SENTRY_CONSUMERS },
  // No arrival yet: the hop from 25.5.1 needs ClickHouse 23.8 -> 24.8 -> 25.3, the nodestore and profiles
  // moved to SeaweedFS and the vroom volume re-owned, none of which is a one-off step here. Fresh installs only.
};

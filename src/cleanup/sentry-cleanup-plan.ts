/**
 * Whether this run calls Sentry's own `sentry cleanup`. From 10.0.0 on (20.7.0 here) the release's
 * compose file has a `sentry-cleanup` service that runs it daily at 00:00 with retention.days. When the
 * run comes from our cron entry (--scheduled) and that service is in the compose file, Sentry's cleanup
 * is left to it and only the vacuum runs: the deletion never runs twice a day. A hand-run cleanup, or a
 * compose file from which the operator removed the service, runs both.
 */
export const SENTRY_CLEANUP_SERVICE = 'sentry-cleanup';

export type SentryCleanupPlan = { run: true; days: number } | { run: false; reason: string };

export function planSentryCleanup(o: { scheduled: boolean; services: string[]; days: number; retentionDays: number }): SentryCleanupPlan {
  if (o.scheduled && o.services.includes(SENTRY_CLEANUP_SERVICE)) {
    return {
      run: false,
      reason: `the ${SENTRY_CLEANUP_SERVICE} service runs it daily at 00:00 with --days ${o.retentionDays} (retention.days)`,
    };
  }
  return { run: true, days: o.days };
}

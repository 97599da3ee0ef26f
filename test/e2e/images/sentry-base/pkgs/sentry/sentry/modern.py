"""What the 21.x+ (Python 3) releases add: the hard-stop chain, their migrations and Kafka topics.

The heads that identify a hard stop in a real database are the real names (0200_release_indices for
21.6.3, 0642_index_together_release for 24.8.0, 0904_onboarding_task_project_id_idx for 25.5.1: the
release data's databaseMarks); the other heads are the stand-in's own. The rule is the real one (getsentry/sentry upgrade.py
`_check_history`): on a database that already has migrations, a release refuses to migrate unless
the head of the hard stop before it is recorded, so a skipped hard stop fails before any change.
"""
from sentry import RELEASE, VERSION, schema

HARD_STOPS = ["21.5.0", "21.6.3", "23.6.2", "23.11.0", "24.8.0", "25.5.1", "26.5.1", "26.8.0"]
SQUASHED_AT = "0200_release_indices"  # 21.7.0 squashed the migrations up to here
HEADS = {"21.6.3": SQUASHED_AT, "24.8.0": "0642_index_together_release", "25.5.1": "0904_onboarding_task_project_id_idx"}


def _v(text):
    return tuple(int(p) for p in text.split("."))


def head(release):
    if release in HEADS:
        return HEADS[release]
    return "%04d_standin_head_%s" % (200 + 100 * sum(1 for h in HARD_STOPS if _v(h) <= _v(release)),
                                    release.replace(".", "_"))


def previous_hard_stop():
    """The hard stop a database must have reached before this release may migrate it."""
    earlier = [h for h in HARD_STOPS if _v(h) < RELEASE]
    return earlier[-1] if earlier else "20.7.0"


def checks_history():
    return RELEASE >= (21, 7, 0)  # _check_history arrived with the squash (getsentry/sentry#27385)


def required_migrations():
    h = head(previous_hard_stop())
    return (h, "0001_squashed_" + h)


def _own(release):
    """(app, name, statements, replaces) of what a hard stop adds: its head migration, no DDL of its own."""
    return ("sentry", head(release), [], None)


def migrations():
    """The list `upgrade` applies for this release: (app, name, statements, replaces)."""
    stops = [h for h in HARD_STOPS if _v(h) <= RELEASE]
    if VERSION not in stops:
        stops.append(VERSION)
    if not checks_history():
        return [(a, n, s, None) for a, n, s in schema.DJANGO] + [_own(r) for r in stops]
    squashed = ("sentry", "0001_squashed_" + SQUASHED_AT,
                [s for a, _, st in schema.DJANGO if a == "sentry" for s in st], SQUASHED_AT)
    # the builtin apps' tables come with their own first migrations, as in the older list
    builtin = [(a, n, s, None) for a, n, s in schema.DJANGO if a != "sentry"]
    return builtin + [squashed] + [_own(r) for r in stops if _v(r) > (21, 6, 3)]


# topics `upgrade --create-kafka-topics` makes (those the self-hosted compose files consume)
KAFKA_TOPICS = [
    "events", "event-replacements", "snuba-commit-log", "cdc", "transactions", "snuba-transactions-commit-log",
    "snuba-metrics", "outcomes", "outcomes-billing", "ingest-sessions", "snuba-sessions-commit-log",
    "snuba-metrics-commit-log", "scheduled-subscriptions-events", "scheduled-subscriptions-transactions",
    "scheduled-subscriptions-metrics", "scheduled-subscriptions-generic-metrics-sets",
    "scheduled-subscriptions-generic-metrics-distributions", "scheduled-subscriptions-generic-metrics-counters",
    "scheduled-subscriptions-generic-metrics-gauges", "events-subscription-results",
    "transactions-subscription-results", "sessions-subscription-results", "metrics-subscription-results",
    "generic-metrics-subscription-results", "snuba-queries", "processed-profiles", "profiles-call-tree",
    "ingest-replay-events", "snuba-generic-metrics", "snuba-generic-metrics-sets-commit-log",
    "snuba-generic-metrics-distributions-commit-log", "snuba-generic-metrics-counters-commit-log",
    "snuba-generic-metrics-gauges-commit-log", "generic-events", "snuba-generic-events-commit-log",
    "group-attributes", "snuba-dead-letter-metrics", "snuba-dead-letter-generic-metrics",
    "snuba-dead-letter-replays", "snuba-dead-letter-generic-events", "snuba-dead-letter-querylog",
    "snuba-dead-letter-group-attributes", "ingest-attachments", "ingest-transactions", "ingest-events",
    "ingest-replay-recordings", "ingest-metrics", "ingest-generic-metrics", "ingest-performance-metrics",
    "ingest-monitors", "monitors-clock-tasks", "monitors-clock-tick", "ingest-occurrences", "profiles",
    "ingest-feedback-events", "snuba-spans", "shared-resources-usage", "snuba-metrics-summaries",
] + (["taskworker", "uptime-results", "snuba-items", "buffered-segments", "process-segments",
      "snuba-profile-chunks", "eap-items-subscription-results", "scheduled-subscriptions-eap-items"]
     if RELEASE >= (25, 6, 0) else [])

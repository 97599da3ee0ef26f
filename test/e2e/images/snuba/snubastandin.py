"""Settings, ClickHouse client and table definitions of the snuba 20.7.0 stand-in."""
import json
import os
import socket

# SNUBA_SETTINGS=docker reads these from the environment with these fallbacks
DEFAULT_BROKERS = os.environ.get("DEFAULT_BROKERS", "localhost:9092").split(",")
CLICKHOUSE_HOST = os.environ.get("CLICKHOUSE_HOST", "localhost")
CLICKHOUSE_PORT = int(os.environ.get("CLICKHOUSE_PORT", "9000"))
CLICKHOUSE_DATABASE = os.environ.get("CLICKHOUSE_DATABASE", "default")
PORT = 1218

DATASET_NAMES = ["discover", "events", "events_migration", "groupassignee", "groupedmessage",
                 "outcomes", "outcomes_raw", "sessions", "transactions"]
# writable storage -> topic it consumes; replacer storages -> replacements topic
CONSUMER_TOPICS = {"errors": "events", "events": "events", "groupassignees": "cdc", "groupedmessages": "cdc",
                   "outcomes_raw": "outcomes", "querylog": "snuba-queries", "sessions_raw": "ingest-sessions",
                   "transactions": "events"}
REPLACER_TOPICS = {"events": "event-replacements", "errors": "errors-replacements"}
BOOTSTRAP_TOPICS = ["events", "event-replacements", "snuba-commit-log", "cdc", "outcomes",
                    "ingest-sessions", "errors-replacements"]

_EVENTS_ENGINE = ("ENGINE = ReplacingMergeTree(deleted) PARTITION BY (toMonday(timestamp), "
                  "if(equals(retention_days, 30), 30, 90)) ORDER BY (project_id, toStartOfDay(timestamp), "
                  "cityHash64(toString(event_id))) SAMPLE BY cityHash64(toString(event_id))")
# storage -> CREATE statements (columns abridged; engines and SAMPLE BY as in 20.7.0)
TABLES = {
    "events": ["CREATE TABLE IF NOT EXISTS sentry_local (event_id FixedString(32), project_id UInt64, "
               "group_id UInt64, timestamp DateTime, deleted UInt8, retention_days UInt16, message String) "
               + _EVENTS_ENGINE],
    "errors": ["CREATE TABLE IF NOT EXISTS errors_local (project_id UInt64, timestamp DateTime, "
               "event_id UUID, group_id UInt64, deleted UInt8, retention_days UInt16, message String) "
               + _EVENTS_ENGINE.replace("toString(event_id)", "event_id")],
    "groupedmessages": ["CREATE TABLE IF NOT EXISTS groupedmessage_local (offset UInt64, record_deleted UInt8, "
                        "project_id UInt64, id UInt64, status Nullable(UInt8)) "
                        "ENGINE = ReplacingMergeTree(offset) ORDER BY (project_id, id)"],
    "groupassignees": ["CREATE TABLE IF NOT EXISTS groupassignee_local (offset UInt64, record_deleted UInt8, "
                       "project_id UInt64, group_id UInt64, user_id Nullable(UInt64)) "
                       "ENGINE = ReplacingMergeTree(offset) ORDER BY (project_id, group_id)"],
    "outcomes_raw": ["CREATE TABLE IF NOT EXISTS outcomes_raw_local (org_id UInt64, project_id UInt64, "
                     "timestamp DateTime, outcome UInt8, reason LowCardinality(Nullable(String))) "
                     "ENGINE = MergeTree() PARTITION BY toMonday(timestamp) ORDER BY (org_id, project_id, timestamp)"],
    "outcomes_hourly": ["CREATE TABLE IF NOT EXISTS outcomes_hourly_local (org_id UInt64, project_id UInt64, "
                        "timestamp DateTime, outcome UInt8, times_seen UInt64) ENGINE = SummingMergeTree() "
                        "PARTITION BY toMonday(timestamp) ORDER BY (org_id, project_id, timestamp, outcome)",
                        "CREATE MATERIALIZED VIEW IF NOT EXISTS outcomes_mv_hourly_local TO outcomes_hourly_local "
                        "AS SELECT org_id, project_id, toStartOfHour(timestamp) AS timestamp, outcome, "
                        "count() AS times_seen FROM outcomes_raw_local GROUP BY org_id, project_id, timestamp, outcome"],
    "sessions_raw": ["CREATE TABLE IF NOT EXISTS sessions_raw_local (session_id UUID, org_id UInt64, "
                     "project_id UInt64, started DateTime, received DateTime, status UInt8, retention_days UInt16) "
                     "ENGINE = MergeTree() PARTITION BY toMonday(started) ORDER BY (org_id, project_id, started) "
                     "SAMPLE BY session_id"],
    "sessions_hourly": ["CREATE TABLE IF NOT EXISTS sessions_hourly_local (org_id UInt64, project_id UInt64, "
                        "started DateTime, sessions AggregateFunction(countIf, UUID, UInt8)) "
                        "ENGINE = AggregatingMergeTree() PARTITION BY toMonday(started) "
                        "ORDER BY (org_id, project_id, started)",
                        "CREATE MATERIALIZED VIEW IF NOT EXISTS sessions_hourly_mv_local TO sessions_hourly_local "
                        "AS SELECT org_id, project_id, toStartOfHour(started) AS started, "
                        "countIfState(session_id, status = 0) AS sessions FROM sessions_raw_local "
                        "GROUP BY org_id, project_id, started"],
    "transactions": ["CREATE TABLE IF NOT EXISTS transactions_local (project_id UInt64, event_id UUID, "
                     "trace_id UUID, span_id UInt64, transaction_name LowCardinality(String), "
                     "start_ts DateTime, finish_ts DateTime, deleted UInt8, retention_days UInt16) "
                     "ENGINE = ReplacingMergeTree(deleted) PARTITION BY (retention_days, toMonday(finish_ts)) "
                     "ORDER BY (project_id, toStartOfDay(finish_ts), transaction_name, cityHash64(span_id)) "
                     "SAMPLE BY cityHash64(span_id) TTL finish_ts + toIntervalDay(retention_days)"],
}


def clickhouse(query, host=None, port=None, database=None, timeout=1.0):
    """Run one statement on the ClickHouse stand-in's native port; raise on any failure."""
    host, port = host or CLICKHOUSE_HOST, int(port or CLICKHOUSE_PORT)
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.settimeout(30)
        sock.sendall((json.dumps({"query": query, "database": database or CLICKHOUSE_DATABASE}) + "\n").encode())
        data = sock.makefile("rb").readline()
    if not data:
        raise ConnectionError("ClickHouse closed the connection (%s:%d)" % (host, port))
    reply = json.loads(data)
    if not reply.get("ok"):
        raise RuntimeError("Code: %d. DB::Exception: %s" % (reply["code"], reply["message"]))
    return reply["output"]

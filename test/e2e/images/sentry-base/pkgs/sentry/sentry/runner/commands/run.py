"""`sentry run web|worker|cron|smtp` (+ the 20.7.0 Kafka consumers, kept through 21.x; from 23.x `run consumer`, `taskworker`), with the
option sets of each release."""
import os
import signal
import socket
import sys
import time

from sentry import services, tasks
from sentry.runner import cli

run = cli.Group("run", help="Run a service.")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "FATAL")


def log_options(f):
    f = cli.option("--loglevel", "-l", default="INFO", choices=LEVELS, help="Global logging level.")(f)
    return cli.option("--logformat", default="human", choices=("human", "machine"), help="Log line format.")(f)


def _start(upgrade=False, noinput=False, with_lock=False):
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    if upgrade:
        from sentry.runner.commands.upgrade import upgrade as up
        up.call(noinput=noinput, lock=with_lock)
    services.check_services()


def _bind(bind, default_host, default_port):
    if not bind:
        return default_host, default_port
    host, _, port = bind.rpartition(":")
    return (host or default_host), int(port or default_port)


@run.add
@cli.command(config=True)
@cli.option("--bind", "-b", default=None, help="Bind address.")
@cli.option("--workers", "-w", default=0, type=int, help="The number of worker processes for handling requests.")
@cli.option("--upgrade", default=False, is_flag=True, help="Upgrade before starting.")
@cli.option("--with-lock", default=False, is_flag=True, help="Use a lock if performing an upgrade.")
@cli.option("--noinput", default=False, is_flag=True, help="Do not prompt the user for input of any kind.")
def web(bind, workers, upgrade, with_lock, noinput):
    "Run web service."
    from django.conf import settings
    from sentry import web as server
    _start(upgrade, noinput, with_lock)
    http = (settings.SENTRY_WEB_OPTIONS or {}).get("http") or ""
    host, port = _bind(bind or http, settings.SENTRY_WEB_HOST, settings.SENTRY_WEB_PORT)
    server.serve(host, port)


@run.add
@cli.command(config=True)
@cli.option("--bind", "-b", default=None, help="Bind address.")
@cli.option("--upgrade", default=False, is_flag=True, help="Upgrade before starting.")
@cli.option("--noinput", default=False, is_flag=True, help="Do not prompt the user for input of any kind.")
def smtp(bind, upgrade, noinput):
    "Run inbound email service."
    from django.conf import settings
    _start(upgrade, noinput)
    host, port = _bind(bind, settings.SENTRY_SMTP_HOST, settings.SENTRY_SMTP_PORT)
    srv = socket.create_server((host, port))
    tasks.log("smtp: listening on %s:%d" % (host, port))
    while True:
        conn, _ = srv.accept()
        with conn, conn.makefile("rwb") as f:
            f.write(b"220 sentry ESMTP\r\n")
            f.flush()
            for line in f:
                word = line[:4].upper()
                f.write(b"221 Bye\r\n" if word == b"QUIT" else b"354 Go ahead\r\n" if word == b"DATA" else b"250 OK\r\n")
                f.flush()
                if word == b"QUIT":
                    break


def celery_options(f, beat=False):
    for decl, kw in reversed([
        (("--hostname", "-n"), dict(help="Set custom hostname.")),
        (("--queues", "-Q"), dict(help="List of queues to enable for this worker.")),
        (("--exclude-queues", "-X"), dict(help="List of queues to disable for this worker.")),
        (("--concurrency", "-c"), dict(type=int, help="Number of child processes.")),
        (("--pidfile",), dict(help="Optional file used to store the process pid.")),
        (("--logfile", "-f"), dict(help="Path to log file.")),
        (("--quiet", "-q"), dict(is_flag=True, default=False)),
        (("--no-color",), dict(is_flag=True, default=False)),
        (("--autoreload",), dict(is_flag=True, default=False, help="Enable autoreloading.")),
        (("--without-gossip",), dict(is_flag=True, default=False)),
        (("--without-mingle",), dict(is_flag=True, default=False)),
        (("--without-heartbeat",), dict(is_flag=True, default=False)),
        (("--max-tasks-per-child",), dict(type=int, default=10000)),
    ]):
        worker_only = decl[0] in ("--hostname", "--queues", "--exclude-queues", "--concurrency", "--max-tasks-per-child")
        if beat and worker_only or not beat and decl[0] == "--pidfile":
            continue
        f = cli.option(*decl, **kw)(f)
    return log_options(f)


@run.add
@cli.command(config=True)
@lambda f: celery_options(f)
def worker(hostname, queues, exclude_queues, concurrency, logfile, quiet, no_color, autoreload, without_gossip,
           without_mingle, without_heartbeat, max_tasks_per_child, loglevel, logformat):
    "Run background worker instance."
    _start()
    tasks.worker_loop(hostname)


@run.add
@cli.command(config=True)
@lambda f: celery_options(f, beat=True)
def cron(pidfile, logfile, quiet, no_color, autoreload, without_gossip, without_mingle, without_heartbeat,
         loglevel, logformat):
    "Run periodic task dispatcher."
    _start()
    tasks.beat_loop()


def _kafka_consumer(name):
    """Consumers only need Kafka; like librdkafka they keep retrying the brokers instead of exiting."""
    _start()
    servers = services.kafka_servers()
    while not any(services.tcp_ok(s, 9092) for s in servers):
        tasks.log("%%3|%d|FAIL|rdkafka#consumer-1| %s: Connect failed, retrying" % (int(time.time()), servers[0]))
        time.sleep(5)
    tasks.log("%s: consuming from %s" % (name, ",".join(servers)))
    while True:
        time.sleep(3600)


@run.add
@cli.command(name="post-process-forwarder", config=True, since="20.7.0")
@cli.option("--consumer-group", default="snuba-post-processor", help="Consumer group used to track event offsets.")
@cli.option("--commit-log-topic", default="snuba-commit-log", help="Topic that the Snuba writer is publishing to.")
@cli.option("--synchronize-commit-group", default="snuba-consumers", help="Consumer group of the Snuba writer.")
@cli.option("--commit-batch-size", default=100, type=int, help="How many messages to process before committing.")
@cli.option("--initial-offset-reset", default="latest", choices=("earliest", "latest"))
@log_options
def post_process_forwarder(consumer_group, commit_log_topic, synchronize_commit_group, commit_batch_size,
                           initial_offset_reset, loglevel, logformat):
    "Runs a post-processing forwarder."
    _kafka_consumer("post-process-forwarder")


@run.add
@cli.command(name="ingest-consumer", config=True, since="20.7.0")
@cli.option("--consumer-type", "consumer_types", default=None, multiple=True,
            choices=("events", "transactions", "attachments"), help="Specify which type of consumer to create.")
@cli.option("--all-consumer-types", default=False, is_flag=True, help="Listen to all consumer types at once.")
@cli.option("--max-batch-size", default=100, type=int)
@cli.option("--max-batch-time-ms", default=1000, type=int)
@cli.option("--group-id", default="ingest-consumer")
@cli.option("--concurrency", type=int, default=4)
@log_options
def ingest_consumer(consumer_types, all_consumer_types, max_batch_size, max_batch_time_ms, group_id, concurrency,
                    loglevel, logformat):
    "Runs an \"ingest consumer\" task."
    if all_consumer_types and consumer_types:
        raise cli.ClickException("Cannot specify --all-consumer types and --consumer-type at the same time")
    if not all_consumer_types and not consumer_types:
        raise cli.ClickException("Need to specify --all-consumer-types or at least one --consumer-type")
    _kafka_consumer("ingest-consumer")


@run.add
@cli.command(name="query-subscription-consumer", config=True, since="20.7.0")
@cli.option("--group-id", default="query-subscription-consumer")
@cli.option("--topic", default=None)
@cli.option("--commit-batch-size", default=100, type=int)
@cli.option("--initial-offset-reset", default="latest", choices=("earliest", "latest"))
@log_options
def query_subscription_consumer(group_id, topic, commit_batch_size, initial_offset_reset, loglevel, logformat):
    "Runs a consumer for query subscriptions."
    _kafka_consumer("query-subscription-consumer")


# ---- 21.x and later: `run consumer NAME`, the taskworker and its scheduler (26.x), heartbeat files ----
# consumer name -> topic it reads (the names the self-hosted compose files of 24.8.0 ... 26.8.0 use)
CONSUMERS = {
    "ingest-events": "ingest-events", "ingest-attachments": "ingest-attachments",
    "ingest-transactions": "ingest-transactions", "ingest-metrics": "ingest-metrics",
    "ingest-generic-metrics": "ingest-performance-metrics", "billing-metrics-consumer": "snuba-generic-metrics",
    "ingest-replay-recordings": "ingest-replay-recordings", "ingest-profiles": "profiles",
    "ingest-occurrences": "ingest-occurrences", "ingest-monitors": "ingest-monitors",
    "ingest-feedback-events": "ingest-feedback-events", "monitors-clock-tick": "monitors-clock-tick",
    "monitors-clock-tasks": "monitors-clock-tasks", "uptime-results": "uptime-results",
    "process-spans": "snuba-spans", "process-segments": "buffered-segments",
    "post-process-forwarder-errors": "events", "post-process-forwarder-transactions": "transactions",
    "post-process-forwarder-issue-platform": "generic-events",
    "events-subscription-results": "events-subscription-results",
    "transactions-subscription-results": "transactions-subscription-results",
    "metrics-subscription-results": "metrics-subscription-results",
    "generic-metrics-subscription-results": "generic-metrics-subscription-results",
    "eap-items-subscription-results": "eap-items-subscription-results",
}


def heartbeat(path):
    """Touch the health file (compose's healthcheck deletes it; a live process writes it again)."""
    if path:
        with open(path, "w") as f:
            f.write(str(time.time()))


def _consume(name, topic, group, health_file):
    """Read the topic as the group and commit what was read (so a drained topic has no lag)."""
    import kafkaproto
    _start()
    servers = services.kafka_servers()
    interval = float(os.environ.get("STANDIN_HEARTBEAT_SECONDS", "5"))
    connected, warned = False, 0.0
    while True:
        try:
            reply = kafkaproto.call_any(servers, {"op": "fetch", "topic": topic, "group": group}, timeout=3)
            if reply.get("messages"):
                kafkaproto.call_any(servers, {"op": "commit", "topic": topic, "group": group,
                                              "offset": reply["next_offset"]})
            if not connected:
                tasks.log("%s: consuming %s as %s from %s" % (name, topic, group, ",".join(servers)))
                connected = True
            heartbeat(health_file)
        except (OSError, ValueError) as exc:
            if time.time() - warned > 10:
                tasks.log("%%3|%d|FAIL|rdkafka#consumer-1| %s: Connect failed: %s" % (time.time(), servers[0], exc))
                warned = time.time()
        time.sleep(interval if connected else 1)


@cli.command(name="consumer", config=True, since="23.0.0")
@cli.argument("consumer_name")
@cli.option("--consumer-group", default=None, help="Kafka consumer group for the consumer.")
@cli.option("--topic", default=None, help="Override the topic the consumer reads.")
@cli.option("--cluster", default=None)
@cli.option("--auto-offset-reset", default="earliest", choices=("earliest", "latest", "error"))
@cli.option("--no-strict-offset-reset", default=False, is_flag=True)
@cli.option("--max-poll-interval-ms", default=30000, type=int)
@cli.option("--healthcheck-file-path", default=None, help="File the consumer touches while it is healthy.")
@cli.option("--synchronize-commit-log-topic", default=None)
@cli.option("--synchronize-commit-group", default=None)
@cli.option("--max-batch-size", default=None, type=int)
@cli.option("--max-batch-time-ms", default=None, type=int)
@cli.option("--processes", default=None, type=int)
@cli.option("--input-block-size", default=None, type=int)
@cli.option("--output-block-size", default=None, type=int)
@cli.option("--enable-dlq/--disable-dlq", default=None, is_flag=True)
@cli.option("--stale-threshold-sec", default=None, type=int)
@log_options
def consumer(consumer_name, consumer_group, topic, cluster, auto_offset_reset, no_strict_offset_reset,
             max_poll_interval_ms, healthcheck_file_path, synchronize_commit_log_topic, synchronize_commit_group,
             max_batch_size, max_batch_time_ms, processes, input_block_size, output_block_size, enable_dlq,
             stale_threshold_sec, loglevel, logformat):
    "Runs a \"unified consumer\" task."
    if consumer_name not in CONSUMERS:
        raise cli.UsageError('Invalid value for "CONSUMER_NAME": invalid choice: %s. (choose from %s)'
                             % (consumer_name, ", ".join(sorted(CONSUMERS))), "Usage: sentry run consumer [OPTIONS] CONSUMER_NAME")
    if not consumer_group:
        raise cli.UsageError('Missing option "--consumer-group".', "Usage: sentry run consumer [OPTIONS] CONSUMER_NAME")
    _consume(consumer_name, topic or CONSUMERS[consumer_name], consumer_group, healthcheck_file_path)


@cli.command(name="taskworker", config=True, since="25.6.0")
@cli.option("--rpc-host", default="127.0.0.1:50051", help="The address of the taskbroker this worker connects to.")
@cli.option("--concurrency", default=1, type=int)
@cli.option("--health-check-file-path", default=None)
@cli.option("--max-child-task-count", default=None, type=int)
@cli.option("--namespace", default=None)
@cli.option("--num-brokers", default=None, type=int)
@cli.option("--autoreload", default=False, is_flag=True)
@cli.option("--processing-pool-name", default=None)
@log_options
def taskworker(rpc_host, concurrency, health_check_file_path, max_child_task_count, namespace, num_brokers,
               autoreload, processing_pool_name, loglevel, logformat):
    "Run a taskworker worker."
    if concurrency < 1:
        raise cli.ClickException("--concurrency must be at least 1")
    _start()
    interval = float(os.environ.get("STANDIN_HEARTBEAT_SECONDS", "5"))
    connected = False
    while True:  # the real worker keeps retrying the broker's gRPC address
        if services.tcp_ok(rpc_host, 50051):
            if not connected:
                tasks.log("taskworker: connected to taskbroker %s (concurrency %d)" % (rpc_host, concurrency))
            connected = True
            heartbeat(health_check_file_path)
        else:
            connected = False
            tasks.log("taskworker: taskbroker %s unavailable, retrying" % rpc_host)
        time.sleep(interval)


@cli.command(name="taskworker-scheduler", config=True, since="25.6.0")
@log_options
def taskworker_scheduler(loglevel, logformat):
    "Run a scheduler for taskworkers."
    _start()
    servers = services.kafka_servers()
    while not any(services.tcp_ok(s, 9092) for s in servers):
        time.sleep(2)
    tasks.log("taskworker-scheduler: scheduling onto %s" % ",".join(servers))
    while True:
        time.sleep(3600)


def _modern_commands():
    from sentry import MODERN, RELEASE
    if not MODERN:
        return
    if RELEASE >= (23, 0, 0):
        # The 21.x compose files still run these (with the 20.7.0 options); from 23.x `run consumer NAME` does.
        for name in ("post-process-forwarder", "ingest-consumer", "query-subscription-consumer"):
            run.commands.pop(name, None)
    if RELEASE >= (25, 10, 0):  # Celery's worker and beat are gone (taskworker and its scheduler)
        run.commands.pop("worker", None)
        run.commands.pop("cron", None)
    for cmd in (consumer, taskworker, taskworker_scheduler):  # each from its `since` release on
        run.add(cmd)


_modern_commands()

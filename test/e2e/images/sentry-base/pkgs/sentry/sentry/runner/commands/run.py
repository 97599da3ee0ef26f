"""`sentry run web|worker|cron|smtp` (+ the 20.7.0 Kafka consumers), with the option sets of each release."""
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

"""The stand-in's background work, queued in Redis like Celery would: cron schedules pings, the worker
stores pings and events. So `/_health/?full` and stored events need a running worker (and cron)."""
import hashlib
import json
import socket
import time
from datetime import datetime, timezone

from sentry import VERSION, db
from sentry.runner.cli import echo
from sentry.services import QUEUE, Redis

PING_KEY, VERSION_KEY = "sentry:last_worker_ping", "sentry:last_worker_version"


def log(msg):
    echo("[%s] %s" % (time.strftime("%Y-%m-%d %H:%M:%S,000: INFO/MainProcess"), msg), err=True)


def enqueue(task, **kwargs):
    r = Redis()
    try:
        r.call("LPUSH", QUEUE, json.dumps({"task": task, "kwargs": kwargs}))
    finally:
        r.close()


def save_event(project_id, event_id, data):
    message = data.get("message") or (data.get("logentry") or {}).get("formatted") or \
        (data.get("logentry") or {}).get("message") or "<unlabeled event>"
    if isinstance(message, dict):
        message = message.get("formatted") or message.get("message") or ""
    ts = data.get("timestamp")
    when = datetime.fromtimestamp(ts, timezone.utc) if isinstance(ts, (int, float)) else datetime.now(timezone.utc)
    rows = db.query("SELECT id FROM sentry_groupedmessage WHERE project_id = %s AND message = %s", (project_id, message))
    if rows:
        group_id = rows[0][0]
        db.query("UPDATE sentry_groupedmessage SET times_seen = times_seen + 1, last_seen = %s WHERE id = %s",
                 (when, group_id))
    else:
        group_id = db.query("INSERT INTO sentry_groupedmessage (project_id, message, level, last_seen, first_seen) "
                            "VALUES (%s, %s, 40, %s, %s) RETURNING id", (project_id, message, when, when))[0][0]
    payload = json.dumps(data)
    db.query("INSERT INTO sentry_message (group_id, message_id, project_id, message, platform, datetime, data) "
             "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
             (group_id, event_id, project_id, message, data.get("platform") or "other", when, payload))
    node = hashlib.sha1(("%s:%s" % (project_id, event_id)).encode()).hexdigest()
    db.query('INSERT INTO nodestore_node (id, data, "timestamp") VALUES (%s, %s, %s) ON CONFLICT DO NOTHING',
             (node, payload, when))


def worker_loop(hostname=None):
    r = Redis(timeout=None)
    log("celery@%s ready." % (hostname or socket.gethostname()))
    while True:
        item = r.call("BRPOP", QUEUE, 5)
        if not item:
            continue
        task = json.loads(item[1])
        if task["task"] == "sentry.tasks.send_ping":
            r.call("SET", PING_KEY, str(time.time()))
            r.call("SET", VERSION_KEY, VERSION)
        elif task["task"] == "sentry.tasks.store.save_event":
            save_event(**task["kwargs"])
        log("Task %s succeeded" % task["task"])


def beat_loop():
    """Celery beat: send-ping once a minute (first one a minute after start, as beat does).
    A row ('beat-interval', seconds) in standin_faults shortens that for tests."""
    interval = float(db.fault("beat-interval") or 60)
    log("beat: Starting...")
    while True:
        time.sleep(interval)
        log("Scheduler: Sending due task send-ping (sentry.tasks.send_ping)")
        enqueue("sentry.tasks.send_ping")


def health_problems():
    """(problems, healthy) like sentry.status_checks: workers must have pinged within 300 s."""
    problems, healthy = [], {"CeleryAliveCheck": True, "CeleryAppVersionCheck": True, "WarningStatusCheck": True}
    try:
        r = Redis()
        try:
            last, version = r.call("GET", PING_KEY), r.call("GET", VERSION_KEY)
        finally:
            r.close()
    except Exception:
        last, version = None, None
    if not last or float(last) < time.time() - 300:
        healthy["CeleryAliveCheck"] = False
        problems.append("Background workers haven't checked in recently. It seems that you have a backlog or your "
                        "workers are broken. Check the status of your workers with `sentry queues list`.")
    if version and version != VERSION:
        healthy["CeleryAppVersionCheck"] = False
        problems.append("Celery workers are referencing a different version of Sentry (%s vs %s)" % (VERSION, version))
    return problems, healthy

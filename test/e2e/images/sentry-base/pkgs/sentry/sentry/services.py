"""Redis (a tiny RESP client), memcached and Kafka endpoints from the loaded settings.

The Redis connection is the one Sentry's settings name (redis.clusters default host 0); it also
carries the stand-in's celery-like queue between `run cron`, `run worker` and `run web`.
"""
import socket

QUEUE = "celery"


class RedisError(Exception):
    pass


def redis_config():
    from django.conf import settings
    clusters = settings.SENTRY_OPTIONS.get("redis.clusters") or {}
    hosts = (clusters.get("default") or {}).get("hosts") or {0: {"host": "127.0.0.1", "port": 6379}}
    h = hosts.get(0, hosts.get("0")) or list(hosts.values())[0]
    return h.get("host") or "127.0.0.1", int(h.get("port") or 6379), h.get("password") or "", int(h.get("db") or 0)


class Redis(object):
    def __init__(self, timeout=3):
        host, port, password, dbnum = redis_config()
        self.address = "%s:%s" % (host, port)
        try:
            self.sock = socket.create_connection((host, port), timeout=timeout)
        except OSError as e:
            raise RedisError("Error %s connecting to %s. %s." % (getattr(e, "errno", "") or "", self.address,
                                                                   getattr(e, "strerror", None) or e))
        self.file = self.sock.makefile("rb")
        if password:
            self.call("AUTH", password)
        if dbnum:
            self.call("SELECT", dbnum)

    def call(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self._reply()

    def _reply(self):
        line = self.file.readline()
        if not line:
            raise RedisError("Connection closed by server.")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RedisError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.file.read(n + 2)[:-2].decode()
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise RedisError("Protocol error: %r" % line)

    def close(self):
        self.sock.close()


def memcached_locations():
    from django.conf import settings
    cache = (settings.CACHES or {}).get("default") or {}
    if "memcache" not in cache.get("BACKEND", "").lower():
        return []
    loc = cache.get("LOCATION") or []
    return [loc] if isinstance(loc, str) else list(loc)


def memcached_ok(location, timeout=3):
    host, _, port = location.rpartition(":")
    try:
        with socket.create_connection((host, int(port or 11211)), timeout=timeout) as s:
            s.sendall(b"version\r\n")
            return s.recv(64).startswith(b"VERSION")
    except (OSError, ValueError):
        return False


def kafka_servers():
    from django.conf import settings
    servers = (settings.KAFKA_CLUSTERS.get("default") or {}).get("bootstrap.servers") or "127.0.0.1:9092"
    return [s.strip() for s in servers.split(",") if s.strip()]


def tcp_ok(hostport, default_port, timeout=2):
    host, _, port = hostport.rpartition(":")
    try:
        socket.create_connection((host or hostport, int(port or default_port)), timeout=timeout).close()
        return True
    except (OSError, ValueError):
        return False


class ConnectionError(Exception):
    """Shown as redis.exceptions.ConnectionError, like the real client's error."""
    __module__ = "redis.exceptions"


def check_services():
    """What `sentry run ...` needs at start-up: PostgreSQL, Redis (PING), memcached if configured. No retries."""
    from sentry import db
    db.connection()
    try:
        r = Redis()
        try:
            r.call("PING")
        finally:
            r.close()
    except RedisError as e:
        raise ConnectionError(str(e)) from None
    for location in memcached_locations():
        if not memcached_ok(location):
            raise Exception("memcached at %s did not answer `version`" % location)

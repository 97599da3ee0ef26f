/** The probe of the external-db check, run by python (2.7 or 3) in a one-off container: see its docstring. */
export const EXTERNAL_DB_PROBE_PY = String.raw`"""Connects to the external PostgreSQL and Redis servers as Sentry will, and prints what it found as JSON.

Runs in a one-off container of the release's Sentry image (python 2.7 or 3, psycopg2), on the install's network.
Reads its settings, passwords included, as JSON on stdin: never argv, never the environment. Changes nothing
on either server (no table is created; Redis gets AUTH, SELECT, PING and INFO only).
"""
import json
import socket
import sys


def resolve(host, port):
    try:
        socket.getaddrinfo(host, port)
        return None
    except Exception as e:
        return {"stage": "resolve", "error": str(e)}


def postgres(c):
    bad = resolve(c["host"], c["port"])
    if bad:
        return bad
    try:
        import psycopg2
    except ImportError as e:
        return {"stage": "client", "error": "psycopg2 is not importable in the probe image: %s" % e}
    kw = dict(host=c["host"], port=c["port"], dbname=c["database"], user=c["user"], password=c["password"],
              sslmode=c["sslmode"], connect_timeout=8, application_name="sentry-onprem-check")
    if c.get("sslrootcert"):
        kw["sslrootcert"] = c["sslrootcert"]
    try:
        conn = psycopg2.connect(**kw)
    except psycopg2.Error as e:
        return {"stage": "connect", "error": str(e).strip()}
    r = {"stage": "ok"}
    try:
        cur = conn.cursor()
        cur.execute("SHOW server_version_num")
        r["versionNum"] = int(cur.fetchone()[0])
        cur.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        row = cur.fetchone()
        r["ssl"] = bool(row and row[0])
        cur.execute("SELECT current_schema(), current_user")
        schema, user = cur.fetchone()
        r["schema"] = schema
        r["user"] = user
        if schema is None:
            r["canCreate"] = False
        else:
            cur.execute("SELECT has_schema_privilege(current_schema(), 'CREATE')")
            r["canCreate"] = bool(cur.fetchone()[0])
        cur.execute(
            "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r', 'p', 'v', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
            " AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1 LIMIT 5000")
        r["tables"] = [t[0] for t in cur.fetchall()]
    except psycopg2.Error as e:
        r = {"stage": "query", "error": str(e).strip()}
    finally:
        conn.close()
    return r


class RedisError(Exception):
    pass


def redis(c):
    bad = resolve(c["host"], c["port"])
    if bad:
        return bad
    try:
        sock = socket.create_connection((c["host"], c["port"]), timeout=8)
    except Exception as e:
        return {"stage": "connect", "error": str(e)}
    f = sock.makefile("rb")

    def reply():
        line = f.readline()
        if not line:
            raise RedisError("connection closed by the server")
        kind, rest = line[:1], line[1:-2].decode("utf-8", "replace")
        if kind == b"+":
            return rest
        if kind == b"-":
            raise RedisError(rest)
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else f.read(n + 2)[:-2].decode("utf-8", "replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [reply() for _ in range(n)]
        raise RedisError("not a Redis reply: %r" % line[:40])

    def call(*args):
        out = "*%d\r\n" % len(args)
        for a in args:
            a = str(a)
            out += "$%d\r\n%s\r\n" % (len(a.encode("utf-8")), a)
        sock.sendall(out.encode("utf-8"))
        return reply()

    stage = "auth"
    try:
        if c.get("password"):
            call("AUTH", c["password"])
        stage = "select"
        if c.get("db"):
            call("SELECT", c["db"])
        stage = "ping"
        pong = call("PING")
        stage = "info"
        info = call("INFO", "replication") or ""
    except (RedisError, socket.error, OSError) as e:
        return {"stage": stage, "error": str(e)}
    finally:
        sock.close()
    fields = dict(l.split(":", 1) for l in info.splitlines() if ":" in l)
    return {"stage": "ok", "pong": pong, "role": fields.get("role", ""), "readOnly": fields.get("slave_read_only", fields.get("replica_read_only", ""))}


def main():
    cfg = json.loads(sys.stdin.read())
    out = {}
    if cfg.get("postgres"):
        out["postgres"] = postgres(cfg["postgres"])
    if cfg.get("redis"):
        out["redis"] = redis(cfg["redis"])
    sys.stdout.write("SENTRY-ONPREM-PROBE " + json.dumps(out) + "\n")


main()
`;

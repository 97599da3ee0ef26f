"""PostgreSQL access for the stand-in (psycopg2, autocommit), with Django's exception names.

Like real Sentry there is no waiting or retrying: if PostgreSQL does not accept the connection the
command fails at once with django.db.utils.OperationalError.
Every process logs its argv once into standin_invocations when the database is reachable, and
reads fault injections from standin_faults (tests insert rows there, e.g. upgrade-fail).
"""
import atexit
import contextlib
import json
import threading

import psycopg2
from django.db import utils

INVOCATION = None
STANDIN_DDL = """
CREATE TABLE IF NOT EXISTS standin_faults (name text PRIMARY KEY, value text);
CREATE TABLE IF NOT EXISTS standin_invocations (ts timestamptz NOT NULL DEFAULT now(), argv text NOT NULL,
  image text, uid integer);
"""
_ERRORS = [(psycopg2.IntegrityError, utils.IntegrityError), (psycopg2.ProgrammingError, utils.ProgrammingError),
           (psycopg2.OperationalError, utils.OperationalError), (psycopg2.DataError, utils.DataError),
           (psycopg2.InternalError, utils.InternalError), (psycopg2.NotSupportedError, utils.NotSupportedError),
           (psycopg2.InterfaceError, utils.InterfaceError), (psycopg2.DatabaseError, utils.DatabaseError)]
_local = threading.local()
_logged = [False]


@contextlib.contextmanager
def wrap():
    try:
        yield
    except psycopg2.Error as e:
        for pg, dj in _ERRORS:
            if isinstance(e, pg):
                raise dj(str(e).rstrip("\n")) from None
        raise


def params(timeout=3):
    from django.conf import settings
    db = settings.DATABASES["default"]
    if "postgres" not in db.get("ENGINE", ""):
        from django.core.exceptions import ImproperlyConfigured
        raise ImproperlyConfigured("the stand-in supports PostgreSQL only, not %s" % db.get("ENGINE"))
    params = dict(dbname=db.get("NAME") or "postgres", user=db.get("USER") or None, password=db.get("PASSWORD") or None,
                  host=db.get("HOST") or None, port=db.get("PORT") or None, connect_timeout=timeout,
                  application_name="sentry")
    # Django's PostgreSQL backend hands OPTIONS to psycopg2.connect: sslmode, sslrootcert, ... as libpq reads them.
    params.update(db.get("OPTIONS") or {})
    return params


def connection():
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        with wrap():
            conn = psycopg2.connect(**params())
        conn.autocommit = True
        _local.conn = conn
        _log_invocation(conn)
    return conn


def close():
    conn = getattr(_local, "conn", None)
    if conn is not None and not conn.closed:
        conn.close()


class Cursor(object):
    def __init__(self, cur):
        self._cur = cur

    def execute(self, sql, args=None):
        with wrap():
            self._cur.execute(sql, args)

    def __getattr__(self, name):
        return getattr(self._cur, name)

    def __iter__(self):
        return iter(self._cur)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._cur.close()


def cursor():
    return Cursor(connection().cursor())


def query(sql, args=None):
    with cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall() if cur.description else cur.rowcount


def table_exists(name):
    return bool(query("SELECT to_regclass(%s) IS NOT NULL", (name,))[0][0])


@contextlib.contextmanager
def transaction():
    query("BEGIN")
    try:
        yield
    except BaseException:
        if not connection().closed:
            query("ROLLBACK")
        raise
    query("COMMIT")


def fault(name):
    """Value of a fault injection row (None if absent or unreadable)."""
    try:
        with connection().cursor() as cur:
            cur.execute("SELECT value FROM standin_faults WHERE name = %s", (name,))
            row = cur.fetchone()
        return None if row is None else (row[0] or "")
    except psycopg2.Error:
        return None


def _log_invocation(conn):
    if _logged[0] or INVOCATION is None:
        return
    _logged[0] = True
    try:
        with conn.cursor() as cur:
            # concurrent CREATE TABLE IF NOT EXISTS can collide; a transaction-scoped lock also holds
            # behind pgbouncer's transaction pooling (a session lock could stay on a pooled connection)
            cur.execute("BEGIN")
            try:
                cur.execute("SELECT pg_advisory_xact_lock(7331)")
                cur.execute(STANDIN_DDL)
                cur.execute("COMMIT")
            except psycopg2.Error:
                cur.execute("ROLLBACK")
                raise
            cur.execute("INSERT INTO standin_invocations (argv, image, uid) VALUES (%s, %s, %s)",
                        (json.dumps(INVOCATION["argv"]), INVOCATION["image"], INVOCATION["uid"]))
    except psycopg2.Error:
        pass


@atexit.register
def _log_at_exit():
    """Commands that never touched the database (config generate-secret-key, --version ...) log here."""
    if _logged[0] or INVOCATION is None:
        return
    import contextlib as _c
    import io
    try:
        from django.conf import settings
        if not settings.configured:
            from sentry.runner import settings as loader
            with _c.redirect_stdout(io.StringIO()), _c.redirect_stderr(io.StringIO()):
                settings.configure(loader.load())
        conn = psycopg2.connect(**params(timeout=1))
        conn.autocommit = True
        _log_invocation(conn)
        conn.close()
    except BaseException:
        pass

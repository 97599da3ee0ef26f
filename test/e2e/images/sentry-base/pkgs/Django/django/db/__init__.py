"""`from django.db import connection, transaction, IntegrityError`: backed by the stand-in's psycopg2 connection."""
import contextlib

from django.db.utils import (DatabaseError, DataError, Error, IntegrityError, InterfaceError,  # noqa: F401
                             InternalError, NotSupportedError, OperationalError, ProgrammingError)


class _Connection(object):
    def cursor(self):
        from sentry.db import cursor
        return cursor()

    def close(self):
        from sentry.db import close
        close()


connection = _Connection()
connections = {"default": connection}


class transaction(object):
    @staticmethod
    @contextlib.contextmanager
    def atomic(using=None):
        yield

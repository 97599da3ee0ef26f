"""Stand-in of sentry-nodestore-s3: the backend class Sentry 26.x's sentry.conf.py names exists and keeps
its options; nothing is stored in S3 (the stand-in Sentry keeps event payloads in PostgreSQL)."""
__version__ = "1.0.0"


class S3PassthroughDjangoNodeStorage(object):
    def __init__(self, **options):
        self.options = options

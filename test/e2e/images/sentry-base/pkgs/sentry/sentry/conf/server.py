"""Defaults that `from sentry.conf.server import *` gives a sentry.conf.py (a small subset of the real ones)."""
# os, socket, sys, tempfile: a settings file gets them from the star import, as from the real module
import os
import os.path
import socket  # noqa: F401
import sys  # noqa: F401
import tempfile  # noqa: F401

from sentry import MODERN, V20
from sentry.utils.types import type_from_value


def env(key, default="", type=None):
    "Extract an environment variable for use in configuration"
    try:
        rv = env._cache[key]
    except KeyError:
        try:
            rv = os.environ.pop(key) if "SENTRY_RUNNING_UWSGI" in os.environ else os.environ[key]
            env._cache[key] = rv
        except KeyError:
            rv = default
    if type is None:
        type = type_from_value(default)
    return type(rv)


env._cache = {}

DEBUG = False
SECRET_KEY = None
CONF_ROOT = os.path.dirname(__file__)
DATABASES = {
    "default": {"ENGINE": "sentry.db.postgres", "NAME": "sentry", "USER": "postgres",
                "PASSWORD": "", "HOST": "", "PORT": "", "AUTOCOMMIT": True, "ATOMIC_REQUESTS": False}
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
ALLOWED_HOSTS = ["*"]
TIME_ZONE = "UTC"
INSTALLED_APPS = (
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.messages",
    "django.contrib.sessions", "django.contrib.sites", "crispy_forms", "rest_framework", "sentry",
    "sentry.analytics", "sentry.nodestore", "sentry.search", "sentry.lang.java", "sentry.lang.javascript",
    "sentry.lang.native", "sentry.plugins.sentry_interface_types", "sentry.plugins.sentry_mail",
    "sentry.plugins.sentry_urls", "sentry.plugins.sentry_useragents", "sentry.plugins.sentry_webhooks",
    "social_auth", "sudo",
) + (() if V20 else ("south",))
AUTHENTICATION_BACKENDS = ("sentry.utils.auth.EmailAuthBackend", "django.contrib.auth.backends.ModelBackend")
MIDDLEWARE_CLASSES = ()
if MODERN:  # Django >= 1.10 settings (21.x on): the 23.x sentry.conf.py extends this tuple
    MIDDLEWARE = (
        "sentry.middleware.health.HealthCheck", "sentry.middleware.security.SecurityHeadersMiddleware",
        "sentry.middleware.env.SentryEnvMiddleware", "sentry.middleware.proxy.SetRemoteAddrFromForwardedFor",
        "django.contrib.sessions.middleware.SessionMiddleware", "django.middleware.csrf.CsrfViewMiddleware",
        "sentry.middleware.auth.AuthenticationMiddleware", "django.contrib.messages.middleware.MessageMiddleware",
    )
LOGGING = {"version": 1, "disable_existing_loggers": True, "handlers": {}, "loggers": {}}
SESSION_COOKIE_NAME = "sentrysid"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_NAME = "sc"
CSRF_COOKIE_SECURE = False
SECURE_PROXY_SSL_HEADER = None
USE_X_FORWARDED_HOST = False
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

SENTRY_PROJECT = 1
SENTRY_SINGLE_ORGANIZATION = False
SENTRY_USE_BIG_INTS = False
SENTRY_DEFAULT_ROLE = "member"
SENTRY_ROLES = (
    {"id": "member"}, {"id": "admin"}, {"id": "manager"}, {"id": "owner"},
)
SENTRY_WEB_HOST = "localhost"
SENTRY_WEB_PORT = 9000
SENTRY_WEB_OPTIONS = {}
SENTRY_SMTP_HOST = "localhost"
SENTRY_SMTP_PORT = 1025
SENTRY_CACHE = None
SENTRY_BUFFER = "sentry.buffer.Buffer"
SENTRY_QUOTAS = "sentry.quotas.Quota"
SENTRY_RATELIMITER = "sentry.ratelimits.base.RateLimiter"
SENTRY_TSDB = "sentry.tsdb.dummy.DummyTSDB"
SENTRY_DIGESTS = "sentry.digests.backends.dummy.DummyBackend"
SENTRY_SEARCH = "sentry.search.django.DjangoSearchBackend"
SENTRY_SEARCH_OPTIONS = {}
SENTRY_TAGSTORE_OPTIONS = {}
SENTRY_EVENTSTREAM = "sentry.eventstream.snuba.SnubaEventStream"
SENTRY_EVENTSTREAM_OPTIONS = {}
SENTRY_FEATURES = {"auth:register": True, "organizations:create": True, "projects:sample-events": True}
SENTRY_OPTIONS = {}
SENTRY_DEFAULT_OPTIONS = {}
BROKER_URL = "redis://localhost:6379"
CELERY_ALWAYS_EAGER = False
KAFKA_CLUSTERS = {"default": {"bootstrap.servers": "127.0.0.1:9092", "compression.type": "lz4", "message.max.bytes": 50000000}}
INTERNAL_SYSTEM_IPS = ()
GITHUB_EXTENDED_PERMISSIONS = []
SENTRY_MANAGED_USER_FIELDS = ()

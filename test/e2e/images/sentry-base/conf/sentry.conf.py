# Default settings of the image (the official images ship a similar file): everything from the
# environment, as docker-sentry's sentry.conf.py reads it. Installs replace this file.
from sentry.conf.server import *  # NOQA

import os.path

CONF_ROOT = os.path.dirname(__file__)

postgres = env('SENTRY_POSTGRES_HOST') or (env('POSTGRES_PORT_5432_TCP_ADDR') and 'postgres')
if postgres:
    DATABASES = {
        'default': {
            'ENGINE': 'sentry.db.postgres',
            'NAME': env('SENTRY_DB_NAME') or env('POSTGRES_ENV_POSTGRES_USER') or 'postgres',
            'USER': env('SENTRY_DB_USER') or env('POSTGRES_ENV_POSTGRES_USER') or 'postgres',
            'PASSWORD': env('SENTRY_DB_PASSWORD') or env('POSTGRES_ENV_POSTGRES_PASSWORD') or '',
            'HOST': postgres,
            'PORT': env('SENTRY_POSTGRES_PORT') or '',
        },
    }

SENTRY_SINGLE_ORGANIZATION = env('SENTRY_SINGLE_ORGANIZATION', True)

redis = env('SENTRY_REDIS_HOST') or (env('REDIS_PORT_6379_TCP_ADDR') and 'redis')
if not redis:
    raise Exception('Error: REDIS_PORT_6379_TCP_ADDR (or SENTRY_REDIS_HOST) is undefined, did you forget to `--link` a redis container?')
SENTRY_OPTIONS['redis.clusters'] = {
    'default': {'hosts': {0: {'host': redis, 'password': env('SENTRY_REDIS_PASSWORD') or '',
                              'port': env('SENTRY_REDIS_PORT') or '6379', 'db': env('SENTRY_REDIS_DB') or '0'}}},
}

memcached = env('SENTRY_MEMCACHED_HOST') or (env('MEMCACHED_PORT_11211_TCP_ADDR') and 'memcached')
if memcached:
    CACHES = {'default': {'BACKEND': 'django.core.cache.backends.memcached.MemcachedCache',
                          'LOCATION': [memcached + ':' + (env('SENTRY_MEMCACHED_PORT') or '11211')], 'TIMEOUT': 3600}}

SENTRY_OPTIONS['filestore.backend'] = 'filesystem'
SENTRY_OPTIONS['filestore.options'] = {'location': env('SENTRY_FILESTORE_DIR') or '/data/files'}

SENTRY_WEB_HOST = '0.0.0.0'
SENTRY_WEB_PORT = 9000

secret_key = env('SENTRY_SECRET_KEY')
if not secret_key:
    raise Exception('Error: SENTRY_SECRET_KEY is undefined, run `generate-secret-key` and set to -e SENTRY_SECRET_KEY')
SENTRY_OPTIONS['system.secret-key'] = secret_key

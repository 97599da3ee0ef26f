# Sentry 26.8.0 settings, rendered by sentry-onprem. This file is just Python 3, with a touch of Django.
# Your edits are kept on re-render (three-way merge).

from sentry.conf.server import *  # NOQA


def get_internal_network():
    """The container's eth0 network as CIDR, so requests from the other services count as internal."""
    import ctypes
    import fcntl
    import math
    import socket
    import struct

    iface = b"eth0"
    sockfd = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ifreq = struct.pack(b"16sH14s", iface, socket.AF_INET, b"\x00" * 14)
    try:
        ip = struct.unpack(b"!I", struct.unpack(b"16sH2x4s8x", fcntl.ioctl(sockfd, 0x8915, ifreq))[2])[0]
        netmask = socket.ntohl(struct.unpack(b"16sH2xI8x", fcntl.ioctl(sockfd, 0x891B, ifreq))[2])
    except OSError:
        return ()
    base = socket.inet_ntoa(struct.pack(b"!I", ip & netmask))
    netmask_bits = 32 - int(round(math.log(ctypes.c_uint32(~netmask).value + 1, 2), 1))
    return ("{0:s}/{1:d}".format(base, netmask_bits),)


INTERNAL_SYSTEM_IPS = get_internal_network()

# Through pgbouncer (transaction pooling), as the official release connects.
DATABASES = {
    "default": {
        "ENGINE": "sentry.db.postgres",
        "NAME": "postgres",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "pgbouncer",
        "PORT": "",
    }
}

###########
# General #
###########

SENTRY_SINGLE_ORGANIZATION = True

SENTRY_OPTIONS["system.event-retention-days"] = int(env("SENTRY_EVENT_RETENTION_DAYS", "90"))

# errors-only runs a reduced stack; Sentry hides what that stack cannot serve.
SENTRY_SELF_HOSTED_ERRORS_ONLY = env("COMPOSE_PROFILES") != "feature-complete"

SENTRY_AIR_GAP = False

#############
# Nodestore #
#############

# Event payloads in the SeaweedFS bucket `nodestore`, made by the install (expiry: the retention days).
SENTRY_NODESTORE = "sentry_nodestore_s3.S3PassthroughDjangoNodeStorage"
SENTRY_NODESTORE_OPTIONS = {
    "compression": True,
    "endpoint_url": "http://seaweedfs:8333",
    "bucket_path": "nodestore",
    "bucket_name": "nodestore",
    "region_name": "us-east-1",
    "aws_access_key_id": "sentry",
    "aws_secret_access_key": "sentry",
}

#########
# Redis #
#########

SENTRY_OPTIONS["redis.clusters"] = {
    "default": {"hosts": {0: {"host": "redis", "password": "", "port": "6379", "db": "0"}}}
}

#########
# Cache #
#########

CACHES = {
    "default": {
        "BACKEND": "sentry.cache.backends.reconnectingmemcache.ReconnectingMemcache",
        "LOCATION": ["memcached:11211"],
        "TIMEOUT": 3600,
        "OPTIONS": {"ignore_exc": True, "reconnect_age": 300},
    }
}

SENTRY_CACHE = "sentry.cache.redis.RedisCache"

#########
# Kafka #
#########

DEFAULT_KAFKA_OPTIONS = {
    "bootstrap.servers": "kafka:9092",
    "message.max.bytes": 50000000,
    "socket.timeout.ms": 1000,
}

SENTRY_EVENTSTREAM = "sentry.eventstream.kafka.KafkaEventStream"
SENTRY_EVENTSTREAM_OPTIONS = {"producer_configuration": DEFAULT_KAFKA_OPTIONS}

KAFKA_CLUSTERS["default"] = DEFAULT_KAFKA_OPTIONS

###########################################
# Rate limits, buffers, quotas, TSDB, ... #
###########################################

SENTRY_RATELIMITER = "sentry.ratelimits.redis.RedisRateLimiter"
SENTRY_BUFFER = "sentry.buffer.redis.RedisBuffer"
SENTRY_QUOTAS = "sentry.quotas.redis.RedisQuota"
SENTRY_TSDB = "sentry.tsdb.redissnuba.RedisSnubaTSDB"
SENTRY_SEARCH = "sentry.search.snuba.EventsDatasetSnubaSearchBackend"
SENTRY_SEARCH_OPTIONS = {}
SENTRY_TAGSTORE_OPTIONS = {}
SENTRY_DIGESTS = "sentry.digests.backends.redis.RedisBackend"

############
# Features #
############

SENTRY_FEATURES["projects:sample-events"] = False
SENTRY_FEATURES.update(
    {
        feature: True
        for feature in (
            "organizations:discover",
            "organizations:global-views",
            "organizations:issue-views",
            "organizations:incidents",
            "organizations:integrations-issue-basic",
            "organizations:integrations-issue-sync",
            "organizations:invite-members",
            "organizations:sso-basic",
            "organizations:sso-saml2",
            "organizations:advanced-search",
            "organizations:issue-platform",
            "organizations:monitors",
            "organizations:dashboards-mep",
            "organizations:mep-rollout-flag",
            "organizations:dashboards-rh-widget",
            "organizations:dynamic-sampling",
            "organizations:workflow-engine-ui",
            "organizations:workflow-engine-rule-serializers",
            "projects:custom-inbound-filters",
            "projects:data-forwarding",
            "projects:discard-groups",
            "projects:plugins",
            "projects:rate-limits",
            "projects:servicehooks",
        )
        # What the feature-complete services serve: performance, replays, feedback, profiling, uptime, logs.
        + (
            ()
            if SENTRY_SELF_HOSTED_ERRORS_ONLY
            else (
                "organizations:performance-view",
                "organizations:span-stats",
                "organizations:visibility-explore-view",
                "organizations:transaction-metrics-extraction",
                "organizations:indexed-spans-extraction",
                "organizations:insights-entry-points",
                "organizations:insights-initial-modules",
                "organizations:insights-addon-modules",
                "organizations:on-demand-metrics-extraction",
                "projects:span-metrics-extraction",
                "projects:span-metrics-extraction-addons",
                "organizations:session-replay",
                "organizations:user-feedback-ui",
                "organizations:profiling",
                "organizations:profiling-view",
                "organizations:continuous-profiling",
                "organizations:continuous-profiling-stats",
                "organizations:uptime",
                "organizations:uptime-create-issues",
                "organizations:ourlogs-enabled",
                "organizations:ourlogs-ingestion",
                "organizations:ourlogs-stats",
            )
        )
    }
)

GEOIP_PATH_MMDB = "/geoip/GeoLite2-City.mmdb"

CSP_REPORT_ONLY = True

SENTRY_STATSD_ADDR = env("SENTRY_STATSD_ADDR")
if SENTRY_STATSD_ADDR:
    statsd_host, _, statsd_port = SENTRY_STATSD_ADDR.partition(":")
    SENTRY_METRICS_BACKEND = "sentry.metrics.statsd.StatsdMetricsBackend"
    SENTRY_METRICS_OPTIONS = {"host": statsd_host, "port": int(statsd_port or 8125)}

GITHUB_EXTENDED_PERMISSIONS = ["repo"]

##################################
# Answers of this install (below) #
##################################

SENTRY_DEFAULT_TIME_ZONE = u'Europe/Berlin'

SENTRY_WEB_HOST = '0.0.0.0'
SENTRY_WEB_PORT = 9000
SENTRY_WEB_OPTIONS = {
    'http': '%s:%s' % (SENTRY_WEB_HOST, SENTRY_WEB_PORT),
    'protocol': 'uwsgi',
    # This is need to prevent https://git.io/fj7Lw
    'uwsgi-socket': None,
    'so-keepalive': True,
    # Keep this between 15s-75s as that's what Relay supports
    'http-keepalive': 15,
    'http-chunked-input': True,
    'threads': 4,
    'max-requests': 100000,
    'max-requests-delta': 500,
    'max-worker-lifetime': 86400,
    'thunder-lock': True,
    'log-x-forwarded-for': False,
    'limit-post': 209715200,
    'disable-logging': True,
    'reload-on-rss': 600,
    'ignore-sigpipe': True,
    'ignore-write-errors': True,
    'disable-write-exception': True,
    'memory-report': False,
    # the number of web workers
    'workers': 5,
    'buffer-size': 16384,
}

###########
# SSL/TLS #
###########

# Sentry runs behind the nginx TLS vhost, which sets X-Forwarded-Proto and Host.
SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')
USE_X_FORWARDED_HOST = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SOCIAL_AUTH_REDIRECT_IS_HTTPS = True

########
# LDAP #
########

import ldap
from django_auth_ldap.config import LDAPSearch, GroupOfNamesType

AUTH_LDAP_SERVER_URI = u'ldaps://ldap.example.com:636'
AUTH_LDAP_BIND_DN = u'cn=sentry,ou=services,dc=example,dc=com'
AUTH_LDAP_BIND_PASSWORD = u'ldap-bind-pw'
AUTH_LDAP_USER_SEARCH = LDAPSearch(
    u'ou=people,dc=example,dc=com',
    ldap.SCOPE_SUBTREE,
    u'(&(objectClass=inetOrgPerson)(uid=%(user)s))',
)
AUTH_LDAP_GROUP_TYPE = GroupOfNamesType()
AUTH_LDAP_USER_ATTR_MAP = {
    'username': 'uid',
    'name': 'cn',
    'email': 'mail',
}
AUTH_LDAP_MAIL_VERIFIED = True
AUTH_LDAP_DEFAULT_SENTRY_ORGANIZATION = u'acme'
AUTH_LDAP_SENTRY_ORGANIZATION_ROLE_TYPE = 'member'
AUTH_LDAP_SENTRY_ORGANIZATION_GLOBAL_ACCESS = True
AUTH_LDAP_SENTRY_SUBSCRIBE_BY_DEFAULT = False
SENTRY_MANAGED_USER_FIELDS = ('email', 'first_name', 'last_name', 'password')
AUTHENTICATION_BACKENDS = AUTHENTICATION_BACKENDS + (
    'sentry_ldap_auth.backend.SentryLdapBackend',
)

########
# CSRF #
########

# Django 4 and later check the Origin of every unsafe request against the host Sentry sees; behind the
# TLS vhost the browser's origin is the url's, so it is trusted explicitly.
CSRF_TRUSTED_ORIGINS = [u'https://sentry.example.com']

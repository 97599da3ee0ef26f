"""Stand-in of the `sentry` package: the release it imitates is fixed when the image is built."""
import os

VERSION = "@VERSION@"
RELEASE = tuple(int(p) for p in VERSION.split("."))
V20 = RELEASE >= (20, 0, 0)
# 21.x and later run on Python 3: settings files and `sentry exec` scripts are Python 3 source,
# the user table is auth_user, `upgrade` checks the hard stops (see sentry/modern.py).
MODERN = RELEASE >= (21, 0, 0)
if MODERN:  # one build serves several registry names (getsentry/ and ghcr.io/getsentry/)
    IMAGE = os.environ.get("STANDIN_IMAGE") or "getsentry/sentry:" + VERSION
else:
    IMAGE = "sentry:9.1.2" if VERSION == "9.1.2" else "getsentry/sentry:" + VERSION


def get_version():
    return VERSION

"""Stand-in of the `sentry` package: the release it imitates is fixed when the image is built."""
VERSION = "@VERSION@"
RELEASE = tuple(int(p) for p in VERSION.split("."))
IMAGE = "sentry:9.1.2" if VERSION == "9.1.2" else "getsentry/sentry:" + VERSION
V20 = RELEASE >= (20, 0, 0)


def get_version():
    return VERSION

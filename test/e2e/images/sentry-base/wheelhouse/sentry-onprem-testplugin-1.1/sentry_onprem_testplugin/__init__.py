__version__ = "1.1"


class TestPlugin(object):
    slug = "sentry-onprem-testplugin"
    title = "sentry-onprem test plugin"
    version = __version__

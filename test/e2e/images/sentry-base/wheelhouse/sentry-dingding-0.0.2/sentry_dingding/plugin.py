from sentry.plugins.bases.notify import NotificationPlugin


class DingDingPlugin(NotificationPlugin):
    title = "DingDing"
    slug = "dingding"
    version = "0.0.2"

from sentry.plugins import Plugin


class NotificationPlugin(Plugin):
    pass

"""`django.conf.settings`: the settings that sentry.runner.configure() loaded."""
from django.core.exceptions import ImproperlyConfigured


class LazySettings(object):
    _wrapped = None

    def configure(self, values):
        self._wrapped = dict(values)

    @property
    def configured(self):
        return self._wrapped is not None

    def __getattr__(self, name):
        if self._wrapped is None:
            raise ImproperlyConfigured(
                "Requested setting %s, but settings are not configured. You must either define the environment "
                "variable DJANGO_SETTINGS_MODULE or call settings.configure() before accessing settings." % name)
        try:
            return self._wrapped[name]
        except KeyError:
            raise AttributeError("'Settings' object has no attribute '%s'" % name)

    def __setattr__(self, name, value):
        if name == "_wrapped":
            object.__setattr__(self, name, value)
        else:
            self._wrapped[name] = value


settings = LazySettings()

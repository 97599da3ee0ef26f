"""Commands that exist in the real CLI but do nothing useful here: they parse and fail clearly."""
from sentry.runner import cli


def stub(name, help, since=None):
    def callback(args=(), extra_args=()):
        raise cli.ClickException("`sentry %s` is not implemented by this stand-in" % name)
    return cli.Command(name, callback, [cli.Argument("args", required=False, nargs=-1)], help, config=True,
                       allow_extra_args=True, since=since)

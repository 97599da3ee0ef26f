"""`sentry exec`: run a Python 2 script (-c, FILE or all of stdin) with Sentry configured."""
import sys

from sentry.runner import cli, py2

SCRIPT_TEMPLATE = u"""\
%(header)s

try:
    %(body)s
except Exception:
    import traceback
    traceback.print_exc()
    raise ScriptError('Failed to execute script {!r}'.format(%(filename)r))
"""
HEADER = u"from sentry.runner import configure; configure()\nfrom django.conf import settings\nfrom sentry.models import *"


class ScriptError(cli.ClickException):
    pass


@cli.command(name="exec", allow_extra_args=True)
@cli.option("-c", default="", help="Read script from string.")
@cli.argument("file", default=None, required=False)
def exec_(c, file, extra_args=()):
    """
    Execute a script.
    """
    if c:
        script, filename = c, "<string>"
    elif file:
        with open(file, "rb") as fp:
            script, filename = fp.read().decode("utf8"), file
    else:
        script, filename = sys.stdin.read(), "<string>"
    header = "" if "from sentry.runner import configure" in script else HEADER
    script = SCRIPT_TEMPLATE % {"body": script.replace("\n", "\n" + (" " * 4)), "header": header,
                                "filename": filename}
    sys.argv = [filename] + list(extra_args)
    py2.run(script, filename, py2.namespace(__name__="__main__", __file__=filename, ScriptError=ScriptError))

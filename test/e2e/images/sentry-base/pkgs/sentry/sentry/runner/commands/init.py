import os
import shutil

from sentry.runner import cli

DEFAULTS = "/usr/local/lib/sentry-standin/conf"


@cli.command()
@cli.argument("directory", required=False)
@cli.option("--dev", default=False, is_flag=True, help="Use settings more conducive to local development.")
def init(directory, dev):
    "Initialize new configuration directory."
    directory = os.path.expanduser(directory or os.environ.get("SENTRY_CONF") or "~/.sentry")
    os.makedirs(directory, exist_ok=True)
    for name in ("sentry.conf.py", "config.yml"):
        target = os.path.join(directory, name)
        if os.path.exists(target) and not cli.confirm("File already exists at '%s', overwrite?" % target):
            continue
        shutil.copyfile(os.path.join(DEFAULTS, name), target)

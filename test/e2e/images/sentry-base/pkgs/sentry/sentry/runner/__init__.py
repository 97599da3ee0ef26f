"""`sentry` command line (stand-in): entry point, configure(), call_command()."""
import importlib
import io
import json
import os
import sys

from sentry import IMAGE, VERSION
from sentry.runner import cli

COMMANDS = ["backup", "cleanup", "config", "createuser", "devserver", "django", "exec", "files", "help", "init",
            "migrations", "permissions", "plugins", "queues", "repair", "run", "start", "tsdb", "upgrade"]


def configure():
    from django.conf import settings
    if not settings.configured:
        from sentry.runner import settings as loader
        settings.configure(loader.load())


def call_command(name, obj=None, **kwargs):
    module, _, attr = name.rpartition(".")
    command = getattr(importlib.import_module(module), attr)
    try:
        command.call(**kwargs)
    except cli.Abort:
        cli.echo("Aborted!", err=True)


def _version(version):
    if version:
        cli.echo("sentry, version %s" % VERSION)
        raise SystemExit(0)


def _config(config):
    if config:
        from sentry.runner import settings as loader
        loader.CONFIG_PATH = config


def make_root():
    def root(config=None, version=False):
        _config(config)
        _version(version)

    group = cli.Group("sentry", help="Sentry is cross-platform crash reporting built with love.",
                      params=[cli.Option("--config", help="Path to configuration files."),
                              cli.Option("--version", is_flag=True, help="Show the version and exit.")])
    group.callback = root
    for name in COMMANDS:
        mod = importlib.import_module("sentry.runner.commands." + name)
        for cmd in getattr(mod, "COMMANDS", None) or [getattr(mod, name, None) or getattr(mod, name + "_")]:
            group.add(cmd)
    group.add(shell)
    return group


@cli.command(config=True)
def shell():
    "Run a Python interactive interpreter."
    from sentry.runner.commands.django import run_shell
    run_shell()


def announce(argv):
    line = {"image": IMAGE, "argv": argv, "uid": os.getuid()}
    if not sys.stderr.isatty():
        cli.echo("standin-invocation: " + json.dumps(line), err=True)
    from sentry import db
    db.INVOCATION = line


def main():
    # Python 2 reads stdin lines ending at "\n" only and keeps a "\r" (CRLF input) in the value.
    sys.stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="surrogateescape", newline="\n")
    argv = sys.argv[1:]
    announce(argv)
    root = make_root()
    code = cli.run(root, argv, "sentry")
    sys.stdout.flush()
    raise SystemExit(code)

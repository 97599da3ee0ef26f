"""`sentry django ARGS` (a few Django management commands) and the interactive shell."""
import code
import select
import sys

from sentry import V20, db
from sentry.runner import cli, py2


def run_shell():
    """Django 1.6 `shell` is always a REPL; 1.11 runs stdin as one script if data is already waiting."""
    ns = py2.namespace(__name__="__main__")
    if V20 and not sys.stdin.isatty() and select.select([sys.stdin], [], [], 0)[0]:
        py2.run(sys.stdin.read(), "<string>", ns)
        return
    code.InteractiveConsole(ns).interact(banner="", exitmsg="")


def showmigrations():
    from sentry import schema
    done = set(db.query("SELECT app, name FROM django_migrations")) if db.table_exists("django_migrations") else set()
    for app in sorted(set(a for a, _, _ in schema.DJANGO)):
        cli.echo(app)
        for a, n, _ in schema.DJANGO:
            if a == app:
                cli.echo(" [%s] %s" % ("X" if (a, n) in done else " ", n))


@cli.command(config=True, allow_extra_args=True)
@cli.argument("management_args", nargs=-1, required=False)
def django(management_args, extra_args=()):
    "Execute Django subcommands."
    args = list(management_args) + list(extra_args)
    name = args[0] if args else "help"
    if name == "shell":
        return run_shell()
    if name == "migrate" or name == "syncdb" and not V20:
        from sentry.runner.commands.upgrade import _upgrade
        return _upgrade("--noinput" not in args and "--no-input" not in args, 1, False, False)
    if name == "showmigrations" and V20:
        return showmigrations()
    if name == "help":
        cli.echo("Type 'sentry django help <subcommand>' for help on a specific subcommand.\n\n"
                 "Available subcommands (stand-in): migrate, shell, showmigrations")
        return
    cli.echo("Unknown command: %r\nType 'sentry django help' for usage." % name, err=True)
    sys.exit(1)

from sentry.runner import cli


@cli.command(name="help")
def help_():
    "Show this message and exit."
    from sentry.runner import make_root
    make_root().show_help("sentry")

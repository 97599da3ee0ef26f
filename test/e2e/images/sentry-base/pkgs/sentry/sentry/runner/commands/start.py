from sentry.runner import cli


@cli.command(allow_extra_args=True)
@cli.argument("service", required=False, default="http")
def start(service, extra_args=()):
    "DEPRECATED see `sentry run` instead."
    cli.echo("!! The `sentry start` command has been removed, use `sentry run web` instead.", err=True)
    from sentry.runner.commands.run import web
    return web.main(list(extra_args), "sentry run web")

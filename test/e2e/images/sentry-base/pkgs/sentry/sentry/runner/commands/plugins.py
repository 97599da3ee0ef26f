from importlib import metadata

from sentry.runner import cli

plugins = cli.Group("plugins", help="Manage Sentry plugins.")


@plugins.add
@cli.command(name="list")
def list_():
    "List all installed plugins"
    for dist in metadata.distributions():
        for ep in dist.entry_points:
            if ep.group == "sentry.plugins":
                cli.echo("%s: %s %s (%s)" % (ep.name, dist.metadata["Name"], dist.version, ep.value))

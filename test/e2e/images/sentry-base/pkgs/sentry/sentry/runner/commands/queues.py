from sentry.runner import cli

queues = cli.Group("queues", help="Manage Sentry queues.")


@queues.add
@cli.command(name="list", config=True)
def list_():
    "List queues and their sizes."
    from sentry.services import QUEUE, Redis
    r = Redis()
    cli.echo("%s %d" % (QUEUE, r.call("LLEN", QUEUE)))

from sentry.runner import cli
from sentry.runner.cli import echo


def repair_all():
    from sentry.models import Project, ProjectKey
    echo("Creating missing DSNs")
    for project in Project.objects.all():
        if not ProjectKey.objects.filter(project=project).exists():
            echo("Creating missing DSN for project: %s" % project.slug)
            ProjectKey.objects.create(project=project)
    echo("Correcting Group.num_comments counter")


@cli.command(config=True)
@cli.option("--with-docs/--without-docs", default=False, help="Synchronize and repair embedded documentation.")
def repair(with_docs):
    "Attempt to repair any invalid data."
    repair_all()

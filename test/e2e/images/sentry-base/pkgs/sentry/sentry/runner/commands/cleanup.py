"""`sentry cleanup`: the option set of 9.1.2/20.7.0; deletes events and nodestore rows older than --days."""
import time

from sentry import V20, db
from sentry.runner import cli
from sentry.runner.cli import echo

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "FATAL")
EXPIRED = ["LostPasswordHash", "OrganizationMember", "ApiGrant", "ApiToken"]
BULK = (["UserReport", "GroupEmailThread", "GroupRuleStatus"] if V20 else
        ["EventMapping", "EventAttachment", "UserReport", "GroupEmailThread", "GroupRuleStatus"])
# model -> (table, timestamp column) for the rows the stand-in really has
DELETES = [("EventAttachment", None, None), ("Group", "sentry_groupedmessage", "last_seen")] if V20 else \
    [("Event", "sentry_message", "datetime"), ("Group", "sentry_groupedmessage", "last_seen")]


def _project_id(project):
    from sentry.models import Organization, Project
    if project.isdigit():
        found = Project.objects.filter(id=int(project)).first()
    else:
        org_slug, _, slug = project.partition("/")
        org = Organization.objects.filter(slug=org_slug).first()
        found = org and Project.objects.filter(organization=org, slug=slug).first()
    if not found:
        echo("Error: Project not found", err=True)
        raise cli.Abort()
    return found.id


def _delete(table, column, days, project_id):
    sql = "DELETE FROM %s WHERE %s < now() - make_interval(days => %%s)" % (table, column)
    args = [days]
    if project_id is not None:
        sql += " AND project_id = %s"
        args.append(project_id)
    db.query(sql, args)


@cli.command(config=True)
@cli.option("--days", default=30, type=int, show_default=True, help="Numbers of days to truncate on.")
@cli.option("--project", help="Limit truncation to only entries from project.")
@cli.option("--organization", help="Limit truncation to only entries from organization.", since="24.8.0")
@cli.option("--concurrency", type=int, default=1, show_default=True,
            help="The total number of concurrent worker processes to run.")
@cli.option("--silent", "-q", default=False, is_flag=True, help="Run quietly. No output on success.")
@cli.option("--model", "-m", multiple=True)
@cli.option("--router", "-r", default=None, help="Database router")
@cli.option("--timed", "-t", default=False, is_flag=True, help="Send the duration of this command to internal metrics.")
@cli.option("--loglevel", "-l", default="INFO", choices=LEVELS, help="Global logging level. Use wisely.")
@cli.option("--logformat", default="human", choices=("human", "machine"), help="Log line format.")
def cleanup(days, project, concurrency, silent, model, router, timed, loglevel, logformat, organization=None):
    """Delete a portion of trailing data based on creation date."""
    if concurrency < 1:
        echo("Error: Minimum concurrency is 1", err=True)
        raise cli.Abort()
    start = time.time()
    models = {m.lower() for m in model}

    def skipped(name):
        if router is not None and router != "default" or models and name.lower() not in models:
            if not silent:
                echo(">> Skipping %s" % name)
            return True
        return False

    project_id = _project_id(project) if project else None
    for name in EXPIRED:
        if not skipped(name) and not silent:
            echo("Removing expired values for %s" % name)
    if V20 and not silent:
        echo("Removing expired files associated with ExportedData")
    if project:
        echo("Bulk NodeStore deletion not available for project selection", err=True)
    elif not skipped("Node"):
        if not silent:
            echo("Removing old NodeStore values")
        _delete("nodestore_node", '"timestamp"', days, None)
    for name in BULK:
        if not skipped(name) and not silent:
            echo("Removing %s for days=%s project=%s" % (name, days, project or "*"))
    for name, table, column in DELETES:
        if skipped(name):
            continue
        if not silent:
            echo("Removing %s for days=%s project=%s" % (name, days, project or "*"))
        if table:
            _delete(table, column, days, project_id)
    if not silent:
        echo("Cleaning up unused FileBlob references")
    if timed:
        echo("Clean up took %s second(s)." % int(time.time() - start))

"""`sentry upgrade`: South (9.1.2) or Django (20.7.0) migrations, default project, first-user question, repair."""
import time

from django.db.utils import ProgrammingError

from sentry import MODERN, RELEASE, V20, VERSION, db, schema
from sentry.runner import cli
from sentry.runner.cli import echo

DJANGO_MIGRATIONS = ("CREATE TABLE django_migrations (id serial PRIMARY KEY, app varchar(255) NOT NULL, "
                     "name varchar(255) NOT NULL, applied timestamptz NOT NULL)")


class Faults(object):
    """
    upgrade-delay / upgrade-fail from standin_faults: act once, in the middle of migrating. `upgrade-fail@<release>`
    fails only the `upgrade` of that release (a middle hop of an upgrade road).
    """
    done = False

    def middle(self):
        if self.done:
            return
        self.done = True
        self.delay, self.fail = db.fault("upgrade-delay"), db.fault("upgrade-fail")
        if self.fail is None:
            self.fail = db.fault("upgrade-fail@" + VERSION)
        if self.delay:
            time.sleep(float(self.delay))
        if self.fail is not None:
            raise ProgrammingError(self.fail or "stand-in: injected migration failure (standin_faults upgrade-fail)")


def _apply(statements, record_sql, record_args):
    with db.transaction():
        for sql in statements:
            db.query(sql)
        db.query(record_sql, record_args)


def migrate_south(verbosity, faults):
    echo("Syncing...")
    echo("Creating tables ...")
    for table, ddl in schema.SYNCDB.items():
        if not db.table_exists(table):
            echo("Creating table %s" % table)
            db.query(ddl)
    echo("Installing custom SQL ...\nInstalling indexes ...\nInstalled 0 object(s) from 0 fixture(s)")
    echo("Migrating...")
    done = set(db.query("SELECT app_name, migration FROM south_migrationhistory"))
    created_users = False
    apps = []
    for app, name, _ in schema.SOUTH:
        if app not in apps:
            apps.append(app)
    for app in apps:
        todo = [(n, s) for a, n, s in schema.SOUTH if a == app and (a, n) not in done]
        echo("Running migrations for %s:" % app)
        if not todo:
            echo("- Nothing to migrate.")
        else:
            echo(" - Migrating forwards to %s." % todo[-1][0])
        for name, statements in todo:
            echo(" > %s:%s" % (app, name))
            _apply(statements, "INSERT INTO south_migrationhistory (app_name, migration, applied) VALUES (%s, %s, now())",
                   (app, name))
            created_users = created_users or (app, name) == ("sentry", "0001_initial")
            faults.middle()
        echo(" - Loading initial data for %s.\nInstalled 0 object(s) from 0 fixture(s)" % app)
    faults.middle()
    echo("\nSynced:\n" + "\n".join(" > " + a for a in schema.SYNCED))
    echo("\nMigrated:\n" + "\n".join(" - " + a for a in apps))
    return created_users


def migrate_from_south():
    if not db.table_exists("south_migrationhistory"):
        return
    if db.table_exists("django_migrations") and db.query("SELECT 1 FROM django_migrations WHERE app = 'sentry'"):
        return
    south = set(db.query("SELECT app_name, migration FROM south_migrationhistory"))
    if ("sentry", schema.SOUTH_LAST) not in south:
        raise Exception("Please upgrade to Sentry 9.1.2 before upgrading to any later versions.")
    with db.transaction():
        if not db.table_exists("django_migrations"):
            db.query(DJANGO_MIGRATIONS)
        fakes = list(schema.SOUTH_BUILTIN_FAKES)
        fakes += [new for old, new in schema.SOUTH_CONVERSIONS.items() if old in south]
        for app, name in fakes:
            db.query("INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, now())", (app, name))


def migrate_django(verbosity, faults):
    migrate_from_south()
    if not db.table_exists("django_migrations"):
        db.query(DJANGO_MIGRATIONS)
    done = set(db.query("SELECT app, name FROM django_migrations"))
    echo("Operations to perform:")
    echo("  Apply all migrations: " + ", ".join(sorted(set(a for a, _, _ in schema.DJANGO))))
    echo("Running migrations:")
    todo = [(a, n, s) for a, n, s in schema.DJANGO if (a, n) not in done]
    if not todo:
        echo("  No migrations to apply.")
    for app, name, statements in todo:
        echo("  Applying %s.%s..." % (app, name), nl=False)
        _apply(statements, "INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, now())", (app, name))
        echo(" OK")
        faults.middle()
    faults.middle()


HARD_STOP = ("It looks like you've skipped a hard stop in our upgrade process. Please follow the upgrade process "
             "here: https://develop.sentry.dev/self-hosted/releases/#hard-stops")


def check_history():
    """_check_history: a database with migrations must have reached the previous hard stop."""
    from sentry import modern
    if not modern.checks_history() or not db.table_exists("django_migrations"):
        return
    try:
        if not db.query("SELECT 1 FROM django_migrations LIMIT 1"):
            return
        found = db.query("SELECT 1 FROM django_migrations WHERE app = 'sentry' AND name = ANY(%s) LIMIT 1",
                         (list(modern.required_migrations()),))
    except ProgrammingError:
        raise cli.ClickException("Could not determine migration state. Aborting")
    if not found:
        raise cli.ClickException(HARD_STOP)


def create_kafka_topics():
    """Missing topics are created, existing ones are left alone; an unreachable Kafka is an error."""
    import kafkaproto
    from sentry import modern, services
    servers = services.kafka_servers()
    for topic in modern.KAFKA_TOPICS:
        reply = kafkaproto.call_any(servers, {"op": "create", "topic": topic, "partitions": 1}, timeout=5)
        if reply.get("error") not in (None, "TOPIC_ALREADY_EXISTS"):
            raise Exception("KafkaException: failed to create topic %s: %s" % (topic, reply.get("message")))


def migrate_modern(verbosity, faults):
    from sentry import modern
    echo("Running migrations for default")
    if RELEASE <= (21, 6, 1):  # the last releases with the South shim
        migrate_from_south()
    if not db.table_exists("django_migrations"):
        db.query(DJANGO_MIGRATIONS)
    done = set(db.query("SELECT app, name FROM django_migrations"))
    todo = [m for m in modern.migrations() if (m[0], m[1]) not in done]
    echo("Operations to perform:")
    echo("  Apply all migrations: " + ", ".join(sorted(set(m[0] for m in modern.migrations()))))
    echo("Running migrations:")
    if not todo:
        echo("  No migrations to apply.")
    for app, name, statements, replaces in todo:
        record = ("INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, now())", (app, name))
        if replaces and (app, replaces) in done:  # a squashed migration whose originals ran is only recorded
            db.query(*record)
            continue
        echo("  Applying %s.%s..." % (app, name), nl=False)
        _apply(statements, *record)
        echo(" OK")
        faults.middle()
    faults.middle()


def create_default_projects(verbosity):
    from sentry.models import Organization, Project, ProjectKey, ProjectTeam, Team
    if Project.objects.filter(id=1).exists():
        return
    org, _ = Organization.objects.get_or_create(slug="sentry", defaults={"name": "Sentry"})
    team, _ = Team.objects.get_or_create(organization=org, slug="sentry", defaults={"name": "Sentry"})
    project = Project.objects.create(id=1, name="Internal", slug="internal", organization=org)
    ProjectTeam.objects.create(project=project, team=team)
    ProjectKey.objects.create(project=project)
    db.query("SELECT setval('sentry_project_id_seq', (SELECT max(id) FROM sentry_project))")
    if verbosity > 0:
        echo("Created internal Sentry project (slug=%s, id=%s)" % (project.slug, project.id))


def create_first_user(created_user_table):
    from sentry.models import User
    if V20 and User.objects.filter(is_superuser=True).exists() or not V20 and not created_user_table:
        return
    if cli.confirm("\nWould you like to create a user account now?", default=True):
        from sentry.runner import call_command
        call_command("sentry.runner.commands.createuser.createuser", **({"superuser": True} if V20 else {}))
    else:
        echo("\nRun `sentry createuser` to do this later.\n")


def _upgrade(interactive, verbosity, repair, with_nodestore, create_topics=False):
    faults = Faults()
    if MODERN:
        check_history()
        if create_topics:
            create_kafka_topics()
        created = migrate_modern(verbosity, faults)
    else:
        created = migrate_django(verbosity, faults) if V20 else migrate_south(verbosity, faults)
    create_default_projects(verbosity)
    if interactive:
        create_first_user(created)
    if repair:
        from sentry.runner.commands.repair import repair_all
        repair_all()


@cli.command(config=True)
@cli.option("--verbosity", "-v", default=1, type=int, help="Verbosity level.", show_default=True)
@cli.option("--traceback", default=True, is_flag=True, help="Raise on exception.")
@cli.option("--noinput", default=False, is_flag=True, help="Do not prompt the user for input of any kind.")
@cli.option("--lock", default=False, is_flag=True, help="Hold a global lock and limit upgrade to one concurrent.")
@cli.option("--no-repair", default=False, is_flag=True, help="Skip repair step.")
@cli.option("--with-nodestore", default=False, is_flag=True, help="Bootstrap nodestore.", since="20.7.0")
@cli.option("--create-kafka-topics", default=False, is_flag=True, help="Create kafka topics.", since="24.8.0")
def upgrade(verbosity, traceback, noinput, lock, no_repair, with_nodestore=False, create_kafka_topics=False):
    "Perform any pending database migrations and upgrades."
    if not lock:
        return _upgrade(not noinput, verbosity, not no_repair, with_nodestore, create_kafka_topics)
    from sentry.services import Redis
    r = Redis()
    if r.call("SET", "l:upgrade", "1", "NX", "EX", 600) != "OK":
        raise cli.ClickException("Unable to acquire `upgrade` lock.")
    try:
        _upgrade(not noinput, verbosity, not no_repair, with_nodestore, create_kafka_topics)
    finally:
        r.call("DEL", "l:upgrade")

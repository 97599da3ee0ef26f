"""`sentry config`: generate-secret-key (no configuration needed), get, set, delete, list, discover."""
import json
import secrets

from sentry.runner import cli
from sentry.runner.cli import echo

config = cli.Group("config", help="Manage runtime config options.")
# option -> type name; the options an installer is likely to read (the real registry has ~150)
KNOWN = {
    "system.secret-key": "STRING", "system.url-prefix": "STRING", "system.internal-url-prefix": "STRING",
    "system.admin-email": "STRING", "system.root-api-key": "STRING", "system.event-retention-days": "INTEGER",
    "system.rate-limit": "INTEGER", "mail.backend": "STRING", "mail.host": "STRING", "mail.port": "INTEGER",
    "mail.username": "STRING", "mail.password": "STRING", "mail.use-tls": "BOOLEAN", "mail.use-ssl": "BOOLEAN",
    "mail.from": "STRING", "mail.subject-prefix": "STRING", "mail.enable-replies": "BOOLEAN",
    "mail.reply-hostname": "STRING", "mail.mailgun-api-key": "STRING", "mail.list-namespace": "STRING",
    "redis.clusters": "DICTIONARY", "filestore.backend": "STRING", "filestore.options": "DICTIONARY",
    "auth.allow-registration": "BOOLEAN", "beacon.anonymous": "BOOLEAN", "symbolicator.enabled": "BOOLEAN",
    "symbolicator.options": "DICTIONARY", "dsym.cache-path": "STRING", "releasefile.cache-path": "STRING",
    "slack.client-id": "STRING", "slack.client-secret": "STRING", "slack.verification-token": "STRING",
    "slack.legacy-app": "BOOLEAN", "github-app.id": "INTEGER", "github-app.name": "STRING",
    "transaction-events.force-disable-internal-project": "BOOLEAN",
}


def _known(option):
    if option not in KNOWN:
        raise cli.ClickException("unknown option: %s" % option)


def _stored(option):
    from sentry import db
    rows = db.query("SELECT value FROM sentry_option WHERE key = %s", (option,))
    return json.loads(rows[0][0]) if rows else None


@config.add
@cli.command(name="generate-secret-key")
def generate_secret_key():
    "Generate a new cryptographically secure secret key value."
    chars = "abcdefghijklmnopqrstuvwxyz0123456789!@#%^&*(-_=+)"
    echo("".join(secrets.choice(chars) for _ in range(50)))


@config.add
@cli.command(config=True)
@cli.argument("option")
@cli.option("--silent", "-q", default=False, is_flag=True, help="Suppress extraneous output.")
def get(option, silent):
    "Get a configuration option."
    from django.conf import settings
    _known(option)
    from_config = settings.SENTRY_OPTIONS.get(option)
    stored = None if option in settings.SENTRY_OPTIONS else _stored(option)
    current = from_config if from_config is not None else stored if stored is not None else ""
    if silent:
        echo(json.dumps(current) if isinstance(current, (dict, list)) else str(current))
        return
    echo("        type: %s" % KNOWN[option])
    echo(" from config: %s" % (from_config if option in settings.SENTRY_OPTIONS else "<not set>"))
    echo("     current: %s" % current)


@config.add
@cli.command(name="set", config=True)
@cli.argument("key")
@cli.argument("value", required=False)
@cli.option("--secret", default=False, is_flag=True, help="Hide prompt input when inputing secret data.")
def set_(key, value, secret):
    "Set a configuration option to a new value."
    from sentry import db
    _known(key)
    if value is None:
        value = cli.prompt("(hidden) Value" if secret else "Value", hide_input=secret)
    db.query("INSERT INTO sentry_option (key, value, last_updated) VALUES (%s, %s, now()) ON CONFLICT (key) "
             "DO UPDATE SET value = excluded.value, last_updated = now()", (key, json.dumps(value)))


@config.add
@cli.command(config=True)
@cli.argument("option")
@cli.option("--no-input", default=False, is_flag=True, help="Do not show confirmation.")
def delete(option, no_input):
    "Delete/unset a configuration option."
    from sentry import db
    _known(option)
    if not no_input:
        cli.confirm('Are you sure you want to delete "%s"?' % option, default=False, abort=True)
    db.query("DELETE FROM sentry_option WHERE key = %s", (option,))


@config.add
@cli.command(name="list", config=True)
@cli.argument("pattern", default="*", required=False)
def list_(pattern):
    "List configuration options."
    import fnmatch
    for name in sorted(KNOWN):
        if fnmatch.fnmatch(name, pattern):
            echo("%s %s" % (name, KNOWN[name]))


@config.add
@cli.command()
def discover():
    "Print paths to config files."
    from sentry.runner.settings import discover as paths
    py, yml = paths()
    echo(py)
    echo(yml)

"""`sentry createuser`, with the flow and the bugs of the release imitated (see the contract, section 2)."""
import re
import sys

from sentry import MODERN, V20
from sentry.runner import cli
from sentry.runner.cli import ClickException, echo

_USER = re.compile(r"(^[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*\Z"
                   r'|^"([\001-\010\013\014\016-\037!#-\[\]-\177]|\\[\001-\011\013\014\016-\177])*"\Z)', re.I)
_DOMAIN = re.compile(r"((?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\.)+(?:[A-Z]{2,6}\.?|[A-Z0-9-]{2,}\.?)\Z"
                     r"|^\[?[\d.:a-f]+\]?\Z)", re.I)


def _max_length(value, n):
    return ["Ensure this value has at most %d characters (it has %d)." % (n, len(value))] if len(value) > n else []


def clean_email(value):
    """Django's EmailField.clean on Sentry's User.email (max_length=75)."""
    errors = []
    user, _, domain = value.rpartition("@")
    if not user or not _USER.match(user) or not (domain == "localhost" or _DOMAIN.match(domain)):
        errors.append("Enter a valid email address.")
    errors += _max_length(value, 75)
    if errors:
        raise ClickException("; ".join(errors))
    return value


def clean_password(value):
    errors = _max_length(value, 128)
    if errors:
        raise ClickException("; ".join(errors))
    return value


@cli.command(name="createuser", config=True)
@cli.option("--email")
@cli.option("--password")
@cli.option("--superuser/--no-superuser", default=None, is_flag=True)
@cli.option("--no-password", default=False, is_flag=True)
@cli.option("--no-input", default=False, is_flag=True)
@cli.option("--force-update", default=False, is_flag=True, since="20.7.0")
def createuser_legacy(email, password, superuser, no_password, no_input, force_update=False):
    "Create a new user."
    if not no_input:
        if not email:
            email = clean_email(cli.prompt("Email"))
        if not (password or no_password):
            password = clean_password(cli.prompt("Password", hide_input=True, confirmation_prompt=True))
        if superuser is None:
            superuser = cli.confirm("Should this user be a superuser?", default=False)
    if superuser is None:
        superuser = False
    if not email:
        raise ClickException("Invalid or missing email address.")
    # TODO(mattrobenolt): Accept password over stdin?  (same gap as the real command)
    if not no_password and not password:
        raise ClickException("No password set and --no-password not passed.")

    from django.conf import settings
    from sentry.models import Organization, OrganizationMember, OrganizationMemberTeam, Team, User

    user = User(email=email, username=email, is_superuser=superuser, is_staff=superuser, is_active=True)
    if password:
        user.set_password(password)
    if V20 and User.objects.filter(username=email).exists():
        if not force_update:
            echo("User: %s exists, use --force-update to force" % email)
            sys.exit(3)
        user.save(force_update=force_update)  # ValueError: the unsaved object has no primary key (20.7.0 bug)
        echo("User updated: %s" % email)
        return
    user.save()  # 9.1.2: an existing username is an IntegrityError
    echo("User created: %s" % email)
    if settings.SENTRY_SINGLE_ORGANIZATION:
        org = Organization.get_default()
        role = "owner" if superuser else org.default_role
        member = OrganizationMember.objects.create(organization=org, user=user, role=role)
        teams = list(Team.objects.filter(organization=org)[0:2])
        if len(teams) == 1:
            OrganizationMemberTeam.objects.create(team=teams[0], organizationmember=member)
        echo("Added to organization: %s" % org.slug)


def _join(user, superuser, org_id):
    from django.conf import settings
    from sentry.models import Organization, OrganizationMember, OrganizationMemberTeam, Team
    if org_id:
        org = Organization.objects.filter(id=int(org_id)).first()
        if org is None:
            raise ClickException("Organization %s does not exist" % org_id)
    elif settings.SENTRY_SINGLE_ORGANIZATION:
        org = Organization.get_default()
    else:
        return
    role = "owner" if superuser else org.default_role
    member = OrganizationMember.objects.create(organization=org, user=user, role=role)
    teams = list(Team.objects.filter(organization=org)[0:2])
    if len(teams) == 1:
        OrganizationMemberTeam.objects.create(team=teams[0], organizationmember=member)
    echo("Added to organization: %s" % org.slug)


@cli.command(name="createuser", config=True)
@cli.option("--email", "emails", multiple=True)
@cli.option("--org-id")
@cli.option("--password")
@cli.option("--superuser/--no-superuser", default=None, is_flag=True)
@cli.option("--staff/--no-staff", default=None, is_flag=True)
@cli.option("--no-password", default=False, is_flag=True)
@cli.option("--no-input", default=False, is_flag=True)
@cli.option("--force-update", default=False, is_flag=True)
def createuser_modern(emails, org_id, password, superuser, staff, no_password, no_input, force_update):
    "Create a new user."
    if not no_input:
        if not emails:
            emails = (clean_email(cli.prompt("Email")),)
        if not (password or no_password):
            password = clean_password(cli.prompt("Password", hide_input=True, confirmation_prompt=True))
        if superuser is None:
            superuser = cli.confirm("Should this user be a superuser?", default=False)
    superuser = bool(superuser)
    staff = superuser if staff is None else bool(staff) and superuser  # staff only with superuser
    if not emails:
        raise ClickException("Invalid or missing email address.")
    if not no_password and not password:
        raise ClickException("No password set and --no-password not passed.")
    from sentry.models import User
    for email in emails:
        user = User.objects.filter(username=email).first()
        if user is not None and not force_update:
            echo("User: %s exists, use --force-update to force." % email)
            continue
        if user is None:
            user = User(email=email, username=email, is_active=True)
        user.is_superuser, user.is_staff = superuser, staff
        if password:
            user.set_password(password)
        created = user.id is None
        user.save()
        echo("User %s: %s" % ("created" if created else "updated", email))
        if created:
            _join(user, superuser, org_id)


createuser = createuser_modern if MODERN else createuser_legacy

"""Tables of the stand-in, as the migrations of each release create them.

9.1.2: South (`south_migrationhistory`) plus syncdb for the apps without migrations.
20.7.0: Django migrations (`django_migrations`); a 9.1.2 database is converted like the real
`_migrate_from_south` does, and one older than 9.1.2 is refused.
"""
SOUTH_LAST = "0472_auto__add_field_sentryapp_author"

USER = """CREATE TABLE auth_user (id bigserial PRIMARY KEY, password varchar(128) NOT NULL,
  last_login timestamptz, username varchar(128) NOT NULL CONSTRAINT auth_user_username_key UNIQUE,
  first_name varchar(200) NOT NULL DEFAULT '', email varchar(75) NOT NULL DEFAULT '',
  is_staff boolean NOT NULL, is_active boolean NOT NULL, is_superuser boolean NOT NULL,
  is_managed boolean NOT NULL DEFAULT false, is_password_expired boolean NOT NULL DEFAULT false,
  last_password_change timestamptz, session_nonce varchar(12), date_joined timestamptz NOT NULL)"""
ORGS = [
    """CREATE TABLE sentry_organization (id bigserial PRIMARY KEY, name varchar(64) NOT NULL,
  slug varchar(50) NOT NULL UNIQUE, status integer NOT NULL DEFAULT 0, date_added timestamptz NOT NULL,
  default_role varchar(32) NOT NULL DEFAULT 'member', flags bigint NOT NULL DEFAULT 1)""",
    """CREATE TABLE sentry_team (id bigserial PRIMARY KEY, organization_id bigint NOT NULL
  REFERENCES sentry_organization DEFERRABLE INITIALLY DEFERRED, slug varchar(50) NOT NULL, name varchar(64) NOT NULL,
  status integer NOT NULL DEFAULT 0, date_added timestamptz, UNIQUE (organization_id, slug))""",
    """CREATE TABLE sentry_project (id bigserial PRIMARY KEY, organization_id bigint NOT NULL
  REFERENCES sentry_organization DEFERRABLE INITIALLY DEFERRED, slug varchar(50), name varchar(200) NOT NULL,
  status integer NOT NULL DEFAULT 0, date_added timestamptz NOT NULL, platform varchar(64),
  public boolean NOT NULL DEFAULT false, flags bigint DEFAULT 0, first_event timestamptz,
  UNIQUE (organization_id, slug))""",
    """CREATE TABLE sentry_projectteam (id bigserial PRIMARY KEY, project_id bigint NOT NULL REFERENCES sentry_project
  DEFERRABLE INITIALLY DEFERRED, team_id bigint NOT NULL REFERENCES sentry_team DEFERRABLE INITIALLY DEFERRED,
  UNIQUE (project_id, team_id))""",
    """CREATE TABLE sentry_projectkey (id bigserial PRIMARY KEY, project_id bigint NOT NULL REFERENCES sentry_project
  DEFERRABLE INITIALLY DEFERRED, label varchar(64), public_key varchar(32) UNIQUE, secret_key varchar(32) UNIQUE,
  roles bigint NOT NULL DEFAULT 1, status integer NOT NULL DEFAULT 0, date_added timestamptz)""",
    """CREATE TABLE sentry_organizationmember (id bigserial PRIMARY KEY, organization_id bigint NOT NULL
  REFERENCES sentry_organization DEFERRABLE INITIALLY DEFERRED, user_id bigint REFERENCES auth_user
  DEFERRABLE INITIALLY DEFERRED, email varchar(75), role varchar(32) NOT NULL, flags bigint NOT NULL DEFAULT 0,
  token varchar(64) UNIQUE, date_added timestamptz NOT NULL, has_global_access boolean NOT NULL DEFAULT true,
  type integer NOT NULL DEFAULT 50, UNIQUE (organization_id, user_id), UNIQUE (organization_id, email))""",
    """CREATE TABLE sentry_organizationmember_teams (id bigserial PRIMARY KEY, organizationmember_id bigint NOT NULL
  REFERENCES sentry_organizationmember DEFERRABLE INITIALLY DEFERRED, team_id bigint NOT NULL REFERENCES sentry_team
  DEFERRABLE INITIALLY DEFERRED, is_active boolean NOT NULL DEFAULT true, UNIQUE (organizationmember_id, team_id))""",
]
EVENTS = [
    """CREATE TABLE sentry_groupedmessage (id bigserial PRIMARY KEY, project_id bigint REFERENCES sentry_project
  DEFERRABLE INITIALLY DEFERRED, message text NOT NULL, culprit varchar(200), level integer NOT NULL DEFAULT 40,
  status integer NOT NULL DEFAULT 0, times_seen integer NOT NULL DEFAULT 1, last_seen timestamptz NOT NULL,
  first_seen timestamptz NOT NULL, num_comments integer DEFAULT 0, data text)""",
    """CREATE TABLE sentry_message (id bigserial PRIMARY KEY, group_id bigint, message_id varchar(32),
  project_id bigint, message text NOT NULL, platform varchar(64), datetime timestamptz NOT NULL,
  time_spent integer, data text, UNIQUE (project_id, message_id))""",
    "CREATE INDEX sentry_message_datetime ON sentry_message (datetime)",
    """CREATE TABLE sentry_option (id bigserial PRIMARY KEY, key varchar(64) NOT NULL UNIQUE, value text NOT NULL,
  last_updated timestamptz NOT NULL)""",
]
NODESTORE = ["""CREATE TABLE nodestore_node (id varchar(40) PRIMARY KEY, data text NOT NULL,
  "timestamp" timestamptz NOT NULL)""", 'CREATE INDEX nodestore_node_timestamp ON nodestore_node ("timestamp")']
SOCIAL_AUTH = ["""CREATE TABLE social_auth_usersocialauth (id serial PRIMARY KEY, user_id bigint NOT NULL,
  provider varchar(32) NOT NULL, uid varchar(255) NOT NULL, extra_data text NOT NULL, UNIQUE (provider, uid, user_id))"""]
SENTRYAPP = ["""CREATE TABLE sentry_sentryapp (id bigserial PRIMARY KEY, name text NOT NULL, slug varchar(64) UNIQUE,
  date_added timestamptz NOT NULL DEFAULT now())""", "ALTER TABLE sentry_sentryapp ADD COLUMN author text"]

# Tables of the apps without migrations; 9.1.2's syncdb creates those that are missing.
SYNCDB = {
    "django_content_type": "CREATE TABLE django_content_type (id serial PRIMARY KEY, name varchar(100) NOT NULL, "
                           "app_label varchar(100) NOT NULL, model varchar(100) NOT NULL, UNIQUE (app_label, model))",
    "django_session": "CREATE TABLE django_session (session_key varchar(40) PRIMARY KEY, session_data text NOT NULL, "
                      "expire_date timestamptz NOT NULL)",
    "django_site": "CREATE TABLE django_site (id serial PRIMARY KEY, domain varchar(100) NOT NULL, "
                   "name varchar(50) NOT NULL)",
    "django_admin_log": "CREATE TABLE django_admin_log (id serial PRIMARY KEY, action_time timestamptz NOT NULL, "
                        "user_id bigint NOT NULL, object_id text, object_repr varchar(200) NOT NULL, "
                        "action_flag smallint NOT NULL, change_message text NOT NULL)",
    "auth_group": "CREATE TABLE auth_group (id serial PRIMARY KEY, name varchar(80) NOT NULL UNIQUE)",
    "south_migrationhistory": "CREATE TABLE south_migrationhistory (id serial PRIMARY KEY, app_name varchar(255) "
                              "NOT NULL, migration varchar(255) NOT NULL, applied timestamptz NOT NULL)",
}

# (app, migration name, statements): 9.1.2 South history. Only a few of the real 472 sentry migrations.
SOUTH = [
    ("sentry", "0001_initial", [USER] + ORGS),
    ("sentry", "0002_auto__add_groupedmessage__add_message", EVENTS),
    ("sentry", "0448_auto__add_field_sentryapp_is_alertable", SENTRYAPP[:1]),
    ("sentry", SOUTH_LAST, SENTRYAPP[1:]),
    ("nodestore", "0001_initial", NODESTORE),
    ("search", "0001_initial", []),
    ("social_auth", "0001_initial", SOCIAL_AUTH),
    ("sentry.nodestore", "0001_initial", []),
    ("sentry.search", "0001_initial", []),
    ("sentry_plugins.jira_ac", "0001_initial", []),
    ("sentry_plugins.hipchat_ac", "0001_initial", []),
]
SYNCED = ["django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.messages",
          "django.contrib.sessions", "django.contrib.sites", "django.contrib.staticfiles", "crispy_forms",
          "debug_toolbar", "raven.contrib.django.raven_compat", "rest_framework", "sentry.plugins.sentry_interface_types",
          "sentry.plugins.sentry_mail", "sentry.plugins.sentry_urls", "sentry.plugins.auth_useragents",
          "sentry.plugins.sentry_webhooks", "social_auth", "sudo", "south"]

DJANGO_BUILTIN = [SYNCDB[t] for t in ("django_content_type", "django_session", "django_site", "django_admin_log",
                                      "auth_group")]
# (app, migration name, statements): 20.7.0 Django migrations (a subset of the real names).
DJANGO = [
    ("contenttypes", "0001_initial", DJANGO_BUILTIN[:1]),
    ("contenttypes", "0002_remove_content_type_name", ["ALTER TABLE django_content_type DROP COLUMN name"]),
    ("auth", "0001_initial", DJANGO_BUILTIN[4:5]),
    ("auth", "0008_alter_user_username_max_length", []),
    ("admin", "0001_initial", DJANGO_BUILTIN[3:4]),
    ("admin", "0002_logentry_remove_auto_add", []),
    ("sentry", "0001_initial", [USER] + ORGS + EVENTS + SENTRYAPP),
    ("sentry", "0002_912_to_recent", ["ALTER TABLE auth_user ADD COLUMN last_active timestamptz"]),
    ("sentry", "0003_auto_20191022_0122", []),
    ("sentry", "0091_alertruleactivity", []),
    ("nodestore", "0001_initial", NODESTORE),
    ("sessions", "0001_initial", DJANGO_BUILTIN[1:2]),
    ("sites", "0001_initial", DJANGO_BUILTIN[2:3]),
    ("sites", "0002_alter_domain_unique", []),
    ("social_auth", "0001_initial", SOCIAL_AUTH),
    ("jira_ac", "0001_initial", []),
]
# What `_migrate_from_south` fakes when the 9.1.2 South history is complete.
SOUTH_CONVERSIONS = {("sentry", SOUTH_LAST): ("sentry", "0001_initial"),
                     ("nodestore", "0001_initial"): ("nodestore", "0001_initial"),
                     ("social_auth", "0001_initial"): ("social_auth", "0001_initial"),
                     ("sentry_plugins.jira_ac", "0001_initial"): ("jira_ac", "0001_initial")}
SOUTH_BUILTIN_FAKES = [("contenttypes", "0001_initial"), ("contenttypes", "0002_remove_content_type_name"),
                       ("auth", "0001_initial"), ("auth", "0008_alter_user_username_max_length"),
                       ("admin", "0001_initial"), ("admin", "0002_logentry_remove_auto_add"),
                       ("sessions", "0001_initial"), ("sites", "0001_initial"), ("sites", "0002_alter_domain_unique")]

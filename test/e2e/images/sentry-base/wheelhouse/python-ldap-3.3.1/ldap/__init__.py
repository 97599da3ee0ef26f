"""Stand-in of python-ldap: the constants a settings file uses; connecting always fails."""
__version__ = "3.3.1"
SCOPE_BASE, SCOPE_ONELEVEL, SCOPE_SUBTREE = 0, 1, 2
OPT_REFERRALS, OPT_X_TLS_REQUIRE_CERT, OPT_X_TLS_NEVER, OPT_X_TLS_DEMAND = 8, 24582, 0, 2


class LDAPError(Exception):
    pass


class SERVER_DOWN(LDAPError):
    pass


class INVALID_CREDENTIALS(LDAPError):
    pass


def initialize(uri, *args, **kwargs):
    raise SERVER_DOWN({"desc": "Can't contact LDAP server", "info": uri})


def set_option(option, value):
    pass

from django_auth_ldap.backend import LDAPBackend


class SentryLdapBackend(LDAPBackend):
    pass

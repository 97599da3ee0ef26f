import ldap


class LDAPBackend(object):
    def authenticate(self, request=None, username=None, password=None, **kwargs):
        from django.conf import settings
        try:
            ldap.initialize(getattr(settings, "AUTH_LDAP_SERVER_URI", "ldap://localhost"))
        except ldap.LDAPError:
            return None

import ldap  # noqa: F401  (the real module needs python-ldap too)


class LDAPSearch(object):
    def __init__(self, base_dn, scope, filterstr="(objectClass=*)", attrlist=None):
        self.base_dn, self.scope, self.filterstr, self.attrlist = base_dn, scope, filterstr, attrlist


class LDAPGroupType(object):
    def __init__(self, name_attr="cn"):
        self.name_attr = name_attr


class PosixGroupType(LDAPGroupType):
    pass


class MemberDNGroupType(LDAPGroupType):
    def __init__(self, member_attr, name_attr="cn"):
        super(MemberDNGroupType, self).__init__(name_attr)
        self.member_attr = member_attr


class GroupOfNamesType(MemberDNGroupType):
    def __init__(self, name_attr="cn"):
        super(GroupOfNamesType, self).__init__("member", name_attr)


class GroupOfUniqueNamesType(MemberDNGroupType):
    def __init__(self, name_attr="cn"):
        super(GroupOfUniqueNamesType, self).__init__("uniqueMember", name_attr)


class ActiveDirectoryGroupType(MemberDNGroupType):
    def __init__(self, name_attr="cn"):
        super(ActiveDirectoryGroupType, self).__init__("member", name_attr)


class NestedGroupOfNamesType(GroupOfNamesType):
    pass

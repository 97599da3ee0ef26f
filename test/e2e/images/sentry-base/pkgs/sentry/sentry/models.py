"""The models a `sentry exec` script uses, as a small ORM over the stand-in's tables.

Supports what installers' scripts do: User.objects.filter(...).exists()/.first(), .get() raising
User.DoesNotExist, User(...).set_password()/.save(), Organization.get_default(),
OrganizationMember.objects.create()/get_or_create(), lookups field, field__in, field__iexact, __lt/__gt.
"""
import base64
import hashlib
import hmac
import secrets
import uuid
from datetime import datetime, timezone

from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist

from sentry import V20, db

_OPS = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


def now():
    return datetime.now(timezone.utc)


class QuerySet(object):
    def __init__(self, model, where=(), args=(), order=("id",), limit=None, offset=0):
        self.model, self.where, self.args, self.order, self.limit, self.offset = model, where, args, order, limit, offset

    def _clone(self, **kw):
        attrs = dict(where=self.where, args=self.args, order=self.order, limit=self.limit, offset=self.offset)
        attrs.update(kw)
        return QuerySet(self.model, **attrs)

    def _conditions(self, kw):
        where, args = [], []
        for key, value in kw.items():
            field, _, op = key.partition("__")
            col = self.model._column(field)
            if isinstance(value, Model):
                value = value.id
            if op == "in":
                values = [v.id if isinstance(v, Model) else v for v in value]
                where.append("%s = ANY(%%s)" % col)
                args.append(list(values))
            elif op == "iexact":
                where.append("lower(%s) = lower(%%s)" % col)
                args.append(value)
            elif op in _OPS:
                where.append("%s %s %%s" % (col, _OPS[op]))
                args.append(value)
            elif op in ("", "exact"):
                where.append("%s IS NULL" % col if value is None else "%s = %%s" % col)
                args += [] if value is None else [value]
            else:
                raise TypeError("Unsupported lookup '%s' for field '%s'" % (op, field))
        return where, args

    def filter(self, **kw):
        where, args = self._conditions(kw)
        return self._clone(where=self.where + tuple(where), args=self.args + tuple(args))

    def exclude(self, **kw):
        where, args = self._conditions(kw)
        return self._clone(where=self.where + ("NOT (%s)" % " AND ".join(where or ["true"]),), args=self.args + tuple(args))

    def all(self):
        return self._clone()

    def order_by(self, *fields):
        return self._clone(order=tuple(("%s DESC" % self.model._column(f[1:])) if f.startswith("-")
                                       else self.model._column(f) for f in fields))

    def _sql(self, what):
        sql = "SELECT %s FROM %s" % (what, self.model.table)
        if self.where:
            sql += " WHERE " + " AND ".join(self.where)
        return sql

    def __iter__(self):
        cols = self.model._columns()
        sql = self._sql(", ".join(cols))
        if self.order:
            sql += " ORDER BY " + ", ".join(self.order)
        if self.limit is not None:
            sql += " LIMIT %d" % self.limit
        if self.offset:
            sql += " OFFSET %d" % self.offset
        for row in db.query(sql, self.args):
            yield self.model._from_row(dict(zip(cols, row)))

    def __len__(self):
        return self.count()

    def __getitem__(self, k):
        if isinstance(k, slice):
            start = k.start or 0
            return list(self._clone(offset=self.offset + start,
                                    limit=None if k.stop is None else max(k.stop - start, 0)))
        return list(self)[k]

    def count(self):
        return db.query(self._sql("count(*)"), self.args)[0][0]

    def exists(self):
        return self.count() > 0

    def first(self):
        rows = list(self._clone(limit=1))
        return rows[0] if rows else None

    def get(self, **kw):
        rows = list(self.filter(**kw)._clone(limit=2))
        if not rows:
            raise self.model.DoesNotExist("%s matching query does not exist." % self.model.__name__)
        if len(rows) > 1:
            raise self.model.MultipleObjectsReturned("get() returned more than one %s" % self.model.__name__)
        return rows[0]

    def create(self, **kw):
        obj = self.model(**kw)
        obj.save(force_insert=True)
        return obj

    def get_or_create(self, defaults=None, **kw):
        try:
            return self.get(**kw), False
        except self.model.DoesNotExist:
            values = dict(kw, **(defaults or {}))
            return self.create(**{k: v for k, v in values.items() if "__" not in k}), True

    def update(self, **kw):
        sets = ", ".join("%s = %%s" % self.model._column(k) for k in kw)
        sql = "UPDATE %s SET %s" % (self.model.table, sets)
        if self.where:
            sql += " WHERE " + " AND ".join(self.where)
        values = [v.id if isinstance(v, Model) else v for v in kw.values()]
        return db.query(sql, tuple(values) + self.args)

    def delete(self):
        sql = "DELETE FROM %s" % self.model.table
        if self.where:
            sql += " WHERE " + " AND ".join(self.where)
        return db.query(sql, self.args)

    def values_list(self, *fields, **kw):
        rows = [tuple(getattr(o, f) for f in fields) for o in self]
        return [r[0] for r in rows] if kw.get("flat") else rows


class Manager(object):
    def __get__(self, instance, owner):
        return QuerySet(owner)


class ModelBase(type):
    def __new__(mcs, name, bases, attrs):
        cls = super(ModelBase, mcs).__new__(mcs, name, bases, attrs)
        cls.DoesNotExist = type("DoesNotExist", (ObjectDoesNotExist,), {"__module__": "sentry.models"})
        cls.MultipleObjectsReturned = type("MultipleObjectsReturned", (MultipleObjectsReturned,),
                                           {"__module__": "sentry.models"})
        return cls


class Model(metaclass=ModelBase):
    table = None
    fields = {}      # attribute -> default (a callable is called)
    foreign = {}     # attribute -> model class name; stored in <attribute>_id
    db_columns = {}  # attribute -> column, where they differ
    objects = Manager()

    def __init__(self, **kw):
        self.id = kw.pop("id", kw.pop("pk", None))
        for name, default in self.fields.items():
            setattr(self, name, default() if callable(default) else default)
        for name in self.foreign:
            setattr(self, name + "_id", None)
        for key, value in kw.items():
            if key in self.foreign:
                key, value = key + "_id", (value.id if isinstance(value, Model) else value)
            elif key not in self.fields and not (key.endswith("_id") and key[:-3] in self.foreign):
                raise TypeError("'%s' is an invalid keyword argument for this function" % key)
            setattr(self, key, value)

    def __getattr__(self, name):
        if name in type(self).foreign:
            model = globals()[type(self).foreign[name]]
            fid = self.__dict__.get(name + "_id")
            return None if fid is None else model.objects.get(id=fid)
        raise AttributeError("'%s' object has no attribute '%s'" % (type(self).__name__, name))

    @property
    def pk(self):
        return self.id

    @classmethod
    def _column(cls, attr):
        if attr == "pk":
            return "id"
        if attr in cls.foreign:
            return attr + "_id"
        return cls.db_columns.get(attr, attr)

    @classmethod
    def _columns(cls):
        return ["id"] + [cls._column(f) for f in cls.fields] + [f + "_id" for f in cls.foreign]

    @classmethod
    def _from_row(cls, row):
        obj = cls.__new__(cls)
        obj.id = row["id"]
        for f in cls.fields:
            setattr(obj, f, row[cls._column(f)])
        for f in cls.foreign:
            setattr(obj, f + "_id", row[f + "_id"])
        return obj

    def _values(self):
        out = {self._column(f): getattr(self, f) for f in self.fields}
        out.update({f + "_id": getattr(self, f + "_id") for f in self.foreign})
        return out

    def save(self, force_insert=False, force_update=False, **kw):
        if force_update and self.id is None:
            raise ValueError("Cannot force an update in save() with no primary key.")
        values = self._values()
        if self.id is None or force_insert:
            if self.id is not None:
                values["id"] = self.id
            sql = "INSERT INTO %s (%s) VALUES (%s) RETURNING id" % (
                self.table, ", ".join(values), ", ".join(["%s"] * len(values)))
            self.id = db.query(sql, tuple(values.values()))[0][0]
        else:
            type(self).objects.filter(id=self.id).update(**{k: getattr(self, k) for k in self.fields})

    def update(self, **kw):
        for k, v in kw.items():
            setattr(self, k, v)
        type(self).objects.filter(id=self.id).update(**kw)

    def delete(self):
        type(self).objects.filter(id=self.id).delete()

    def __eq__(self, other):
        return type(self) is type(other) and self.id is not None and self.id == other.id

    def __hash__(self):
        return hash((type(self).__name__, self.id))

    def __repr__(self):
        return "<%s at 0x%x: id=%s>" % (type(self).__name__, id(self), self.id)


def make_password(password, iterations=None):
    """Django's pbkdf2_sha256 hasher (12000 rounds in Django 1.6, 36000 in 1.11)."""
    if password is None:
        return "!" + secrets.token_hex(20)
    iterations = iterations or (36000 if V20 else 12000)
    salt = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(12))
    dk = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8", "surrogateescape"), salt.encode(), iterations)
    return "pbkdf2_sha256$%d$%s$%s" % (iterations, salt, base64.b64encode(dk).decode())


def check_password(password, encoded):
    try:
        algorithm, iterations, salt, digest = (encoded or "").split("$", 3)
    except ValueError:
        return False
    if algorithm != "pbkdf2_sha256" or password is None:
        return False
    dk = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8", "surrogateescape"), salt.encode(), int(iterations))
    return hmac.compare_digest(base64.b64encode(dk).decode(), digest)


class User(Model):
    table = "auth_user"  # the real db_table of sentry.models.User in every release
    fields = {"password": "", "last_login": None, "username": "", "name": "", "email": "", "is_staff": False,
              "is_active": True, "is_superuser": False, "is_managed": False, "is_password_expired": False,
              "date_joined": now}
    db_columns = {"name": "first_name"}

    def set_password(self, raw_password):
        self.password = make_password(raw_password)
        self.is_password_expired = False

    def set_unusable_password(self):
        self.password = make_password(None)

    def check_password(self, raw_password):
        return check_password(raw_password, self.password)

    def has_usable_password(self):
        return bool(self.password) and not self.password.startswith("!")

    def get_username(self):
        return self.username

    def is_authenticated(self):
        return True


class OrganizationStatus(object):
    ACTIVE, VISIBLE, PENDING_DELETION, DELETION_IN_PROGRESS = 0, 0, 1, 2


class Organization(Model):
    table = "sentry_organization"
    fields = {"name": "", "slug": "", "status": 0, "date_added": now, "default_role": "member", "flags": 1}

    @classmethod
    def get_default(cls):
        return cls.objects.filter(status=OrganizationStatus.ACTIVE)[0]


class Team(Model):
    table = "sentry_team"
    fields = {"slug": "", "name": "", "status": 0, "date_added": now}
    foreign = {"organization": "Organization"}


class Project(Model):
    table = "sentry_project"
    fields = {"slug": "", "name": "", "status": 0, "date_added": now, "platform": None, "public": False,
              "flags": 0, "first_event": None}
    foreign = {"organization": "Organization"}


class ProjectTeam(Model):
    table = "sentry_projectteam"
    foreign = {"project": "Project", "team": "Team"}


class ProjectKey(Model):
    table = "sentry_projectkey"
    fields = {"label": None, "public_key": lambda: uuid.uuid4().hex, "secret_key": lambda: uuid.uuid4().hex,
              "roles": 1, "status": 0, "date_added": now}
    foreign = {"project": "Project"}

    def get_dsn(self, prefix, public=True):
        scheme, _, host = prefix.partition("://")
        auth = self.public_key if public else "%s:%s" % (self.public_key, self.secret_key)
        return "%s://%s@%s/%s" % (scheme, auth, host.rstrip("/"), self.project_id)


class OrganizationMember(Model):
    table = "sentry_organizationmember"
    fields = {"email": None, "role": "member", "flags": 0, "token": None, "date_added": now,
              "has_global_access": True, "type": 50}
    foreign = {"organization": "Organization", "user": "User"}


class OrganizationMemberTeam(Model):
    table = "sentry_organizationmember_teams"
    fields = {"is_active": True}
    foreign = {"organizationmember": "OrganizationMember", "team": "Team"}


class Event(Model):
    table = "sentry_message"
    fields = {"message_id": None, "message": "", "platform": None, "datetime": now, "time_spent": None, "data": None}
    foreign = {"project": "Project", "group": "Group"}

    @property
    def event_id(self):
        return self.message_id


class Group(Model):
    table = "sentry_groupedmessage"
    fields = {"message": "", "culprit": None, "level": 40, "status": 0, "times_seen": 1, "last_seen": now,
              "first_seen": now, "num_comments": 0, "data": None}
    foreign = {"project": "Project"}


class Option(Model):
    table = "sentry_option"
    fields = {"key": "", "value": None, "last_updated": now}


__all__ = ["User", "Organization", "OrganizationStatus", "Team", "Project", "ProjectTeam", "ProjectKey",
           "OrganizationMember", "OrganizationMemberTeam", "Event", "Group", "Option"]
